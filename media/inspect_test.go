package media_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/media"
)

// The samples are made here rather than committed: the smallest bytes
// each format's signature needs, or the standard library's encoders.

func encoded(tb testing.TB, w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(tb testing.TB, w, h int) []byte {
	return encoded(tb, w, h, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
}

func jpegOf(tb testing.TB, w, h int) []byte {
	return encoded(tb, w, h, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
}

func gifOf(tb testing.TB, w, h int) []byte {
	return encoded(tb, w, h, func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) })
}

// noisyPNG is a PNG larger than the sniffing window, which compresses badly.
func noisyPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// webpOf is a lossless WebP header declaring w×h: RIFF, the VP8L chunk,
// its signature byte and the 14-bit sizes. Reading the size needs no more.
func webpOf(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	payload := []byte{0x2f, byte(bits), byte(bits >> 8), byte(bits >> 16), byte(bits >> 24), 0}
	chunk := append([]byte("VP8L"), le32(len(payload))...)
	chunk = append(chunk, payload...)
	out := append([]byte("RIFF"), le32(4+len(chunk))...)
	return append(append(out, "WEBP"...), chunk...)
}

func le32(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)) }

// zipOf writes a ZIP with the named entries in order; the first is stored
// uncompressed, as OpenDocument requires of its "mimetype" entry.
func zipOf(tb testing.TB, entries ...[2]string) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i, e := range entries {
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate}
		if i == 0 {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func ooxml(tb testing.TB, part string) []byte {
	return zipOf(tb, [2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types/>`}, [2]string{part, "<x/>"})
}

func odf(tb testing.TB, mediaType string) []byte {
	return zipOf(tb, [2]string{"mimetype", mediaType}, [2]string{"content.xml", "<x/>"})
}

// compoundFile is a minimal OLE2 compound file (the container of .doc,
// .xls and .ppt) whose root storage holds one empty stream: header, one
// FAT sector, one directory sector.
func compoundFile(stream string) []byte {
	const sector = 512
	out := make([]byte, 3*sector)
	copy(out, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le := binary.LittleEndian
	le.PutUint16(out[24:], 0x3E)       // minor version
	le.PutUint16(out[26:], 3)          // major version: 512-byte sectors
	le.PutUint16(out[28:], 0xFFFE)     // byte order
	le.PutUint16(out[30:], 9)          // sector size 2^9
	le.PutUint16(out[32:], 6)          // mini sector size 2^6
	le.PutUint32(out[44:], 1)          // FAT sectors
	le.PutUint32(out[48:], 1)          // first directory sector
	le.PutUint32(out[56:], 4096)       // mini stream cutoff
	le.PutUint32(out[60:], 0xFFFFFFFE) // no mini FAT
	le.PutUint32(out[68:], 0xFFFFFFFE) // no DIFAT sectors
	for i := range 109 {
		le.PutUint32(out[76+4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(out[76:], 0) // the FAT is sector 0
	fat := out[sector:]
	for i := range sector / 4 {
		le.PutUint32(fat[4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // sector 0 holds the FAT
	le.PutUint32(fat[4:], 0xFFFFFFFE) // sector 1, the directory, ends its chain
	dir := out[2*sector:]
	entry := func(i int, name string, typ byte, child uint32) {
		e := dir[128*i:]
		for j, r := range name {
			le.PutUint16(e[2*j:], uint16(r))
		}
		le.PutUint16(e[64:], uint16(2*len(name)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], 0xFFFFFFFF)
		le.PutUint32(e[72:], 0xFFFFFFFF)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], 0xFFFFFFFE)
	}
	entry(0, "Root Entry", 5, 1)
	entry(1, stream, 2, 0xFFFFFFFF)
	return out
}

type sample struct {
	name  string
	bytes func(testing.TB) []byte
	want  string
	w, h  int
}

func fixed(b []byte) func(testing.TB) []byte { return func(testing.TB) []byte { return b } }

func TestInspectAcceptedTypes(t *testing.T) {
	t.Parallel()
	cases := []sample{
		{"PDF", fixed([]byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")), "application/pdf", 0, 0},
		{"Word 97-2003", fixed(compoundFile("WordDocument")), "application/msword", 0, 0},
		{"Excel 97-2003", fixed(compoundFile("Workbook")), "application/vnd.ms-excel", 0, 0},
		{"PowerPoint 97-2003", fixed(compoundFile("PowerPoint Document")), "application/vnd.ms-powerpoint", 0, 0},
		{"Word", func(tb testing.TB) []byte { return ooxml(tb, "word/document.xml") },
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0, 0},
		{"Excel", func(tb testing.TB) []byte { return ooxml(tb, "xl/workbook.xml") },
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0, 0},
		{"PowerPoint", func(tb testing.TB) []byte { return ooxml(tb, "ppt/presentation.xml") },
			"application/vnd.openxmlformats-officedocument.presentationml.presentation", 0, 0},
		{"OpenDocument text", func(tb testing.TB) []byte { return odf(tb, "application/vnd.oasis.opendocument.text") },
			"application/vnd.oasis.opendocument.text", 0, 0},
		{"OpenDocument spreadsheet", func(tb testing.TB) []byte { return odf(tb, "application/vnd.oasis.opendocument.spreadsheet") },
			"application/vnd.oasis.opendocument.spreadsheet", 0, 0},
		{"ZIP", func(tb testing.TB) []byte { return zipOf(tb, [2]string{"表格/申请表.txt", "申请表"}) }, "application/zip", 0, 0},
		{"Chinese text", fixed([]byte("住房公积金缴存证明\n单位：枞阳管理部\n")), "text/plain", 0, 0},
		{"ASCII text", fixed([]byte("hello\n")), "text/plain", 0, 0},
		{"CSV", fixed([]byte("姓名,月缴存额,余额\n张三,1200,35000\n李四,800,12000\n")), "text/csv", 0, 0},
		{"JPEG", func(tb testing.TB) []byte { return jpegOf(tb, 64, 48) }, "image/jpeg", 64, 48},
		{"PNG", func(tb testing.TB) []byte { return pngOf(tb, 300, 200) }, "image/png", 300, 200},
		{"PNG beyond the sniffing window", func(tb testing.TB) []byte { return noisyPNG(tb, 200, 120) }, "image/png", 200, 120},
		{"one-pixel PNG", func(tb testing.TB) []byte { return pngOf(tb, 1, 1) }, "image/png", 1, 1},
		{"GIF", func(tb testing.TB) []byte { return gifOf(tb, 17, 5) }, "image/gif", 17, 5},
		{"WebP", fixed(webpOf(123, 45)), "image/webp", 123, 45},
		{"largest WebP", fixed(webpOf(16384, 16384)), "image/webp", 16384, 16384},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := c.bytes(t)
			ctype, w, h, err := media.Inspector{}.Inspect(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if ctype != c.want || w != c.w || h != c.h {
				t.Errorf("Inspect = %s %d×%d, want %s %d×%d", ctype, w, h, c.want, c.w, c.h)
			}
			if !cms.AllowedTypes[ctype] {
				t.Errorf("%s is not an allowed type", ctype)
			}
		})
	}
}

func TestInspectRefusedTypes(t *testing.T) {
	t.Parallel()
	png := pngOf(t, 8, 8)
	cases := []struct {
		name  string
		bytes []byte
	}{
		{"HTML", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>`)},
		{"XML", []byte(`<?xml version="1.0"?><root/>`)},
		{"JSON", []byte(`{"a": 1}`)},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n")},
		{"PHP", []byte("<?php echo 1; ?>")},
		{"ELF executable", append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1}, make([]byte, 64)...)},
		{"Windows executable", append([]byte("MZ\x90\x00"), make([]byte, 128)...)},
		{"gzip", []byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3}},
		{"BMP", append([]byte("BM"), make([]byte, 60)...)},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00\x00\x00")},
		{"text with NUL bytes", []byte("abc\x00\x00\x00def")},
		{"PNG signature only", png[:16]},
		{"truncated PNG header", png[:20]},
		{"JPEG signature only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}},
		{"GIF signature only", []byte("GIF89a")},
		{"WebP without its image chunk", []byte("RIFF\x04\x00\x00\x00WEBP")},
		{"compound file of another kind", compoundFile("Contents")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctype, w, h, err := media.Inspector{}.Inspect(bytes.NewReader(c.bytes), int64(len(c.bytes)))
			if err != nil {
				t.Fatal(err)
			}
			if cms.AllowedTypes[ctype] {
				t.Errorf("sniffed as %s, which may be attached", ctype)
			}
			if w != 0 || h != 0 {
				t.Errorf("size %d×%d for a file that is not an image", w, h)
			}
		})
	}
}

type failingReader struct{ err error }

func (r failingReader) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestInspectReturnsReadErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk gone")
	if _, _, _, err := (media.Inspector{}).Inspect(failingReader{boom}, 100); !errors.Is(err, boom) {
		t.Errorf("read error: %v, want %v", err, boom)
	}
}

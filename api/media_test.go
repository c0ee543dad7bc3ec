package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartFile builds a multipart body with the field "file"; the
// disposition is written as given, so tests can send hostile names.
func multipartFile(t *testing.T, disposition string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

type uploaded struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Width       *int   `json:"width"`
	Height      *int   `json:"height"`
}

func (e *env) upload(t *testing.T, token string, revID int64, name string, data []byte) *response {
	t.Helper()
	body, ct := multipartFile(t, fmt.Sprintf(`form-data; name="file"; filename="%s"`, name), data)
	return e.send(t, request{method: "POST", path: revisionPath(revID) + "/attachments", token: token, rawBody: body, contentType: ct, raw: true})
}

// TestAttachmentsFollowPublication: a PDF with a Chinese name and a JPEG
// attached to a draft are served by the content API with their types and
// names once the chain publishes the item, and not before, nor after a
// suspension.
func TestAttachmentsFollowPublication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "提取业务表单下载", "body": "见附件。"}).decode(t, &it)
	rev := it.Revision.ID
	var pdf, photo uploaded
	r := e.upload(t, c.editor, rev, "住房公积金提取申请表.pdf", pdfBytes)
	if r.Status != http.StatusCreated {
		t.Fatalf("PDF upload: %d %s", r.Status, r.Body)
	}
	r.decode(t, &pdf)
	img := jpegBytes(t, 64, 48)
	e.upload(t, c.editor, rev, "网点照片.jpg", img).decode(t, &photo)
	if pdf.ContentType != "application/pdf" || pdf.Name != "住房公积金提取申请表.pdf" || pdf.Size != int64(len(pdfBytes)) ||
		photo.ContentType != "image/jpeg" || photo.Width == nil || *photo.Width != 64 || *photo.Height != 48 {
		t.Fatalf("uploads: %+v %+v", pdf, photo)
	}
	// Attachments are part of the content hash; the draft's version moved.
	var draft struct {
		Version     int        `json:"version"`
		ContentHash string     `json:"content_hash"`
		Attachments []uploaded `json:"attachments"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(rev), c.editor, nil).decode(t, &draft)
	if draft.Version != 3 || len(draft.Attachments) != 2 || draft.ContentHash == it.Revision.Fields["x"] {
		t.Fatalf("draft: %+v", draft)
	}
	// Staff download it; another department may not.
	_, other := e.user(t, "ed-fin", "finance", role{"editor", "finance"})
	path := fmt.Sprintf("%s/attachments/%d", revisionPath(rev), pdf.ID)
	if r := e.send(t, request{method: "GET", path: path, token: c.editor}); r.Status != 200 || !bytes.Equal(r.Body, pdfBytes) {
		t.Fatalf("staff download: %d", r.Status)
	}
	e.must(t, http.StatusForbidden, "GET", path, other, nil)

	publicURL := fmt.Sprintf("/content/v1/items/%d/attachments/%d", it.ID, pdf.ID)
	e.must(t, http.StatusNotFound, "GET", publicURL, "", nil)
	e.toState(t, c, rev, "published")

	var item struct {
		Attachments []struct {
			Name, ContentType, URL string
			Size                   int64
		} `json:"attachments"`
	}
	e.must(t, http.StatusOK, "GET", publicItemPath(it.ID), "", nil).decode(t, &item)
	if len(item.Attachments) != 2 || item.Attachments[0].URL != publicURL {
		t.Fatalf("public attachments: %+v", item.Attachments)
	}
	r = e.send(t, request{method: "GET", path: publicURL})
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if r.Status != 200 || !bytes.Equal(r.Body, pdfBytes) || r.Header.Get("Content-Type") != "application/pdf" ||
		params["filename"] != "住房公积金提取申请表.pdf" || r.Header.Get("ETag") != `"`+pdf.SHA256+`"` {
		t.Fatalf("public PDF: %d %v", r.Status, r.Header)
	}
	// Ranges and validators.
	r = e.send(t, request{method: "GET", path: publicURL, header: map[string]string{"Range": "bytes=0-7"}})
	if r.Status != http.StatusPartialContent || string(r.Body) != "%PDF-1.4" {
		t.Fatalf("range: %d %q", r.Status, r.Body)
	}
	r = e.send(t, request{method: "GET", path: publicURL, header: map[string]string{"If-None-Match": `"` + pdf.SHA256 + `"`}})
	if r.Status != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	// A failed precondition and a range outside the file are problems like any other.
	r = e.send(t, request{method: "GET", path: publicURL, header: map[string]string{"If-Match": `"0000"`}})
	if r.Status != http.StatusPreconditionFailed || r.problem(t).Code != "precondition_failed" || r.Header.Get("Content-Disposition") != "" {
		t.Fatalf("If-Match: %d %v %s", r.Status, r.Header, r.Body)
	}
	r = e.send(t, request{method: "GET", path: publicURL, header: map[string]string{"Range": "bytes=999999-"}})
	if r.Status != http.StatusRequestedRangeNotSatisfiable || r.problem(t).Code != "range_not_satisfiable" ||
		r.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(pdfBytes)) {
		t.Fatalf("Range: %d %v %s", r.Status, r.Header, r.Body)
	}
	photoURL := fmt.Sprintf("/content/v1/items/%d/attachments/%d", it.ID, photo.ID)
	if r := e.send(t, request{method: "GET", path: photoURL}); r.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(r.Body, img) {
		t.Fatalf("public JPEG: %v", r.Header)
	}
	// Not an attachment of this item: not found, whatever the id.
	e.must(t, http.StatusNotFound, "GET", fmt.Sprintf("/content/v1/items/%d/attachments/%d", it.ID, photo.ID+100), "", nil)

	// Live revisions are frozen: no uploads outside drafts.
	if r := e.upload(t, c.editor, rev, "晚到.pdf", pdfBytes); r.Status != http.StatusConflict {
		t.Fatalf("upload to a published revision: %d", r.Status)
	}
	e.fire(t, http.StatusOK, c.publisher, rev, "suspend", "附件有误")
	e.must(t, http.StatusNotFound, "GET", publicURL, "", nil)
	e.must(t, http.StatusNotFound, "GET", photoURL, "", nil)

	// Tampering with an attachment row breaks the approved hash: no restore.
	if _, err := e.db.Bun().NewRaw("UPDATE attachments SET name = 'x.pdf' WHERE id = ?", pdf.ID).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.fire(t, http.StatusConflict, c.publisher, rev, "restore", "已核实")
}

func TestUploadChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "附件检查"}).decode(t, &it)
	rev := it.Revision.ID
	cases := []struct {
		name   string
		file   string
		data   []byte
		status int
	}{
		{"html named .pdf", "表格.pdf", []byte("<html><body><script>alert(1)</script></body></html>"), 415},
		{"executable", "setup.exe", append([]byte("MZ\x90\x00\x03"), make([]byte, 200)...), 415},
		{"svg with script", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 415},
		{"broken jpeg", "photo.jpg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 20)...), 415},
		{"empty", "empty.pdf", nil, 422},
	}
	for _, tc := range cases {
		if r := e.upload(t, c.editor, rev, tc.file, tc.data); r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
		}
	}
	// Hostile and odd names are kept safe for display and download.
	names := []struct{ sent, kept string }{
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system.ini`, "system.ini"},
		{"a b\u200bc.pdf", "a b\u200bc.pdf"},
		{strings.Repeat("长", 300) + ".pdf", strings.Repeat("长", 78) + ".pdf"},
		{"...", "file.pdf"},
	}
	for _, n := range names {
		var up uploaded
		r := e.upload(t, c.editor, rev, n.sent, pdfBytes)
		if r.Status != http.StatusCreated {
			t.Fatalf("%q: %d %s", n.sent, r.Status, r.Body)
		}
		r.decode(t, &up)
		if up.Name != n.kept {
			t.Errorf("name %q kept as %q, want %q", n.sent, up.Name, n.kept)
		}
	}
	// Control characters (a raw header cannot carry most of them, RFC 2231
	// encoded names can) and bytes that are not UTF-8 are refused like in
	// any other text.
	for _, disposition := range []string{
		`form-data; name="file"; filename*=UTF-8''a%00b.pdf`,
		`form-data; name="file"; filename*=UTF-8''a%01b.pdf`,
		`form-data; name="file"; filename*=UTF-8''a%C2%85b.pdf`,
		`form-data; name="file"; filename*=UTF-8''a%FFb.pdf`,
		"form-data; name=\"file\"; filename=\"a\tb.pdf\"",
	} {
		body, ct := multipartFile(t, disposition, pdfBytes)
		r := e.send(t, request{method: "POST", path: revisionPath(rev) + "/attachments", token: c.editor, rawBody: body, contentType: ct, raw: true})
		if r.Status != http.StatusUnprocessableEntity || !r.problem(t).hasField("file") {
			t.Errorf("%s: %d %s", disposition, r.Status, r.Body)
		}
	}
	// A body cut off inside the file is the client's fault: 400.
	body, ct := multipartFile(t, `form-data; name="file"; filename="cut.pdf"`, pdfBytes)
	if r := e.send(t, request{method: "POST", path: revisionPath(rev) + "/attachments", token: c.editor, rawBody: body[:len(body)-30], contentType: ct, raw: true}); r.Status != http.StatusBadRequest {
		t.Errorf("truncated body: %d %s", r.Status, r.Body)
	}
	body, ct = multipartFile(t, `form-data; name="file"; filename*=UTF-8''%E6%8F%90%E5%8F%96%E6%9D%90%E6%96%99.pdf`, pdfBytes)
	var up uploaded
	e.send(t, request{method: "POST", path: revisionPath(rev) + "/attachments", token: c.editor, rawBody: body, contentType: ct, raw: true}).decode(t, &up)
	if up.Name != "提取材料.pdf" {
		t.Errorf("RFC 2231 name: %q", up.Name)
	}
	// The same bytes are stored once.
	var keys int
	if err := e.db.Bun().NewRaw("SELECT COUNT(DISTINCT blob_key) FROM attachments WHERE revision_id = ?", rev).Scan(t.Context(), &keys); err != nil || keys != 1 {
		t.Errorf("distinct blobs: %d (%v)", keys, err)
	}
	// Not multipart, no file field, another department, delete.
	e.send(t, request{method: "POST", path: revisionPath(rev) + "/attachments", token: c.editor, body: map[string]string{"file": "x"}, raw: true})
	body, ct = multipartFile(t, `form-data; name="other"; filename="a.pdf"`, pdfBytes)
	if r := e.send(t, request{method: "POST", path: revisionPath(rev) + "/attachments", token: c.editor, rawBody: body, contentType: ct, raw: true}); r.Status != 422 {
		t.Errorf("no file field: %d", r.Status)
	}
	_, other := e.user(t, "ed-fin", "finance", role{"editor", "finance"})
	if r := e.upload(t, other, rev, "x.pdf", pdfBytes); r.Status != http.StatusForbidden {
		t.Errorf("foreign upload: %d", r.Status)
	}
	e.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("%s/attachments/%d", revisionPath(rev), up.ID), c.editor, nil)
	e.must(t, http.StatusNotFound, "DELETE", fmt.Sprintf("%s/attachments/%d", revisionPath(rev), up.ID), c.editor, nil)
}

// TestLargeUploadStreams uploads 50 MB while measuring what the process
// allocates: the file is streamed to disk, never held in memory.
func TestLargeUploadStreams(t *testing.T) {
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "大文件"}).decode(t, &it)
	const size = 50 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, _ := mw.CreateFormFile("file", "年度报告.pdf")
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB, reused
		part.Write(pdfBytes)
		for written := len(pdfBytes); written < size; written += len(chunk) {
			part.Write(chunk[:min(len(chunk), size-written)])
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+revisionPath(it.Revision.ID)+"/attachments", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.editor)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	runtime.ReadMemStats(&after)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("50 MB upload: %d", res.StatusCode)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("50 MiB upload: %.1f MiB allocated in all (client and server), heap in use %.1f MiB after",
		float64(allocated)/(1<<20), float64(after.HeapInuse)/(1<<20))
	if allocated > 24<<20 {
		t.Errorf("the upload allocated %d MiB: it is being buffered", allocated>>20)
	}
	// Over the limit: 413, and nothing attached.
	small := newEnvWith(t, func(c *app.Config) { c.UploadMax = 1 << 20 })
	c2 := newChain(t, small)
	small.must(t, http.StatusCreated, "POST", "/api/v1/items", c2.editor, map[string]any{"column": "news", "title": "超限"}).decode(t, &it)
	big := append(append([]byte{}, pdfBytes...), make([]byte, 2<<20)...)
	if r := small.upload(t, c2.editor, it.Revision.ID, "big.pdf", big); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload: %d %s", r.Status, r.Body)
	}
}

// TestMediaGarbageCollection: blobs some revision refers to are kept;
// unreferenced ones go once older than the grace period.
func TestMediaGarbageCollection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var a, b createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "甲"}).decode(t, &a)
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "乙"}).decode(t, &b)
	var shared, lonely uploaded
	e.upload(t, c.editor, a.Revision.ID, "共用.pdf", pdfBytes).decode(t, &shared)
	e.upload(t, c.editor, b.Revision.ID, "共用.pdf", pdfBytes)
	e.upload(t, c.editor, a.Revision.ID, "照片.jpg", jpegBytes(t, 10, 10)).decode(t, &lonely)
	e.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("%s/attachments/%d", revisionPath(a.Revision.ID), shared.ID), c.editor, nil)
	e.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("%s/attachments/%d", revisionPath(a.Revision.ID), lonely.ID), c.editor, nil)

	u, err := e.svc.Media.Usage(t.Context())
	if err != nil || u.Blobs != 2 || u.Referenced != 1 || u.Unreferenced != 1 {
		t.Fatalf("usage: %+v %v", u, err)
	}
	// Within the grace period nothing goes (an upload may be in progress).
	e.clock.Set(time.Now().UTC())
	if n, _, err := e.svc.Media.CollectGarbage(t.Context(), time.Hour); err != nil || n != 0 {
		t.Fatalf("collected %d within the grace period: %v", n, err)
	}
	e.clock.Advance(2 * time.Hour)
	n, freed, err := e.svc.Media.CollectGarbage(t.Context(), time.Hour)
	if err != nil || n != 1 || freed != int64(len(jpegBytes(t, 10, 10))) {
		t.Fatalf("collected %d (%d bytes): %v", n, freed, err)
	}
	if _, err := e.svc.Content.Blobs.Stat(t.Context(), shared.SHA256); err != nil {
		t.Fatalf("the shared blob went: %v", err)
	}
	if _, err := e.svc.Content.Blobs.Stat(t.Context(), lonely.SHA256); err == nil {
		t.Fatal("the unreferenced blob stayed")
	}
}

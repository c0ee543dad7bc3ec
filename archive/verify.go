package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Report is what Verify found.
type Report struct {
	Files        int // payload files checked
	AuditEntries int // audit entries checked
	// Problems names each problem, with the file path relative to the bag's
	// top directory and, for the audit log, the entry's seq.
	Problems []string
}

// OK reports whether the bag is complete and unchanged.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// maxTagFile bounds the tag files Verify reads into memory; a manifest line
// is about a hundred bytes.
const maxTagFile = 256 << 20

// Verify checks a bag read from r (size bytes): every payload file against
// manifest-sha256.txt (and no file missing or unlisted), the tag manifest,
// bag-info Payload-Oxum, and the audit chain segment: each entry's hash
// recomputed with cms ChainHash from the previous entry, the first entry's
// PrevHash equal to the start hash recorded in the bag, the last hash equal
// to the end hash recorded. Beyond that it checks that each attachment's
// bytes hash to its name, that each revision's content hashes to its
// content_hash and that the attachments revisions refer to are in the bag.
// It returns a report naming every problem found (file paths, entry seq),
// not just the first; the error is for a file that is not a ZIP at all.
func Verify(r io.ReaderAt, size int64) (*Report, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("archive: not a ZIP file: %w", err)
	}
	v := &verifier{rep: &Report{}, files: map[string]*zip.File{}, refs: map[string]string{}, buf: make([]byte, 64<<10)}
	v.index(zr.File)
	v.tagFiles()
	v.payload()
	v.missing()
	v.oxum()
	v.references()
	return v.rep, nil
}

// verifier holds the state of one Verify.
type verifier struct {
	rep      *Report
	files    map[string]*zip.File // by path in the bag
	order    []string             // paths in ZIP order
	info     map[string][]string  // bag-info tags
	manifest map[string]string    // payload path → sha256
	seen     map[string]bool      // payload paths found
	refs     map[string]string    // attachment path → a revision referring to it
	bytes    int64
	buf      []byte
}

// index maps the ZIP's entries to paths in the bag: all under one top
// directory, each once.
func (v *verifier) index(entries []*zip.File) {
	root := ""
	for _, f := range entries {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		top, rest, ok := strings.Cut(f.Name, "/")
		if root == "" && ok {
			root = top
		}
		switch {
		case !ok || top != root || rest == "":
			v.rep.add("%s: outside the bag's top directory %q", f.Name, root)
		case v.files[rest] != nil:
			v.rep.add("%s: appears more than once in the ZIP", rest)
		default:
			v.files[rest] = f
			v.order = append(v.order, rest)
		}
	}
	if root == "" {
		v.rep.add("the ZIP holds no bag directory")
	}
}

// tagFiles checks bagit.txt and the tag manifest, and reads bag-info and
// the payload manifest.
func (v *verifier) tagFiles() {
	tags := map[string][]byte{}
	for _, name := range []string{bagitFile, bagInfoFile, manifestFile, tagManifestFile} {
		if data, ok := v.readTag(name); ok {
			tags[name] = data
		}
	}
	if data, ok := tags[bagitFile]; ok {
		decl, problems := parseTags(bagitFile, data)
		v.rep.Problems = append(v.rep.Problems, problems...)
		if first(decl, "BagIt-Version") != "1.0" || !strings.EqualFold(first(decl, "Tag-File-Character-Encoding"), "UTF-8") {
			v.rep.add("%s: does not declare BagIt-Version 1.0 in UTF-8", bagitFile)
		}
	}
	var problems []string
	v.info, problems = parseTags(bagInfoFile, tags[bagInfoFile])
	v.rep.Problems = append(v.rep.Problems, problems...)
	v.manifest = v.parseManifest(manifestFile, tags[manifestFile])
	if data, ok := tags[tagManifestFile]; ok {
		v.tagManifest(v.parseManifest(tagManifestFile, data), tags)
	}
}

// readTag reads a tag file, reporting it when it is missing or unreadable.
func (v *verifier) readTag(name string) ([]byte, bool) {
	f := v.files[name]
	if f == nil {
		v.rep.add("%s: missing", name)
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		v.rep.add("%s: cannot be read: %v", name, err)
		return nil, false
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxTagFile+1))
	switch {
	case err != nil:
		v.rep.add("%s: cannot be read: %v", name, err)
		return nil, false
	case len(data) > maxTagFile:
		v.rep.add("%s: larger than %d MiB", name, maxTagFile>>20)
		return nil, false
	}
	return data, true
}

// tagManifest checks the tag files against the tag manifest: the three the
// bag has must be listed, and no other file outside data/ may be unlisted.
func (v *verifier) tagManifest(listed map[string]string, read map[string][]byte) {
	for _, name := range []string{bagitFile, bagInfoFile, manifestFile} {
		if _, ok := listed[name]; !ok {
			v.rep.add("%s: not listed in %s", name, tagManifestFile)
		}
	}
	for _, name := range v.order {
		if strings.HasPrefix(name, payloadDir) || name == tagManifestFile {
			continue
		}
		want, ok := listed[name]
		if !ok {
			if name != bagitFile && name != bagInfoFile && name != manifestFile { // those are reported above
				v.rep.add("%s: not listed in %s", name, tagManifestFile)
			}
			continue
		}
		delete(listed, name)
		var got string
		if data, ok := read[name]; ok {
			sum := sha256.Sum256(data)
			got = hex.EncodeToString(sum[:])
		} else if got, _ = v.hashFile(name, nil); got == "" {
			continue
		}
		if got != want {
			v.rep.add("%s: changed (its sha256 differs from %s)", name, tagManifestFile)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(listed)) {
		if v.files[name] == nil {
			v.rep.add("%s: listed in %s but missing", name, tagManifestFile)
		}
	}
}

// parseManifest reads "checksum  path" lines into a map.
func (v *verifier) parseManifest(name string, data []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		sum, p, ok := strings.Cut(line, " ")
		p = manifestPathDecoder.Replace(strings.TrimLeft(p, " *"))
		switch {
		case !ok || len(sum) != sha256.Size*2 || p == "":
			v.rep.add("%s line %d: not a \"checksum  path\" line", name, n)
		case name == manifestFile && !strings.HasPrefix(p, payloadDir):
			v.rep.add("%s line %d: %s is not in the payload directory", name, n, p)
		case m[p] != "":
			v.rep.add("%s line %d: %s is listed twice", name, n, p)
		default:
			m[p] = strings.ToLower(sum)
		}
	}
	return m
}

// payload hashes every payload file and compares it with the manifest.
func (v *verifier) payload() {
	v.seen = map[string]bool{}
	for _, name := range v.order {
		if !strings.HasPrefix(name, payloadDir) {
			continue
		}
		v.seen[name] = true
		v.rep.Files++
		got, n := v.hashFile(name, v.checkerFor(name))
		v.bytes += n
		want, listed := v.manifest[name]
		switch {
		case !listed:
			v.rep.add("%s: not listed in %s", name, manifestFile)
		case got != "" && got != want:
			v.rep.add("%s: changed (its sha256 differs from %s)", name, manifestFile)
		}
		if key, ok := strings.CutPrefix(name, attachmentsDir); ok && got != "" && got != key {
			v.rep.add("%s: its bytes do not hash to its name", name)
		}
	}
}

// hashFile streams a file through sha256 and, when check is set, through
// check too. It returns "" when the file cannot be read, having said why.
func (v *verifier) hashFile(name string, check func(io.Reader)) (string, int64) {
	rc, err := v.files[name].Open()
	if err != nil {
		v.rep.add("%s: cannot be read: %v", name, err)
		return "", 0
	}
	defer rc.Close()
	h := sha256.New()
	cw := &countingWriter{w: h}
	r := io.TeeReader(rc, cw)
	if check != nil {
		check(r)
	}
	if _, err := io.CopyBuffer(cw, onlyReader{rc}, v.buf); err != nil {
		v.rep.add("%s: cannot be read: %v", name, err)
		return "", cw.n
	}
	return hex.EncodeToString(h.Sum(nil)), cw.n
}

// checkerFor returns the content check of a payload file, if it has one.
func (v *verifier) checkerFor(name string) func(io.Reader) {
	switch {
	case name == auditLogFile:
		return func(r io.Reader) { v.auditChain(r) }
	case strings.HasPrefix(name, "data/items/") && path.Base(path.Dir(name)) == "revisions" && path.Ext(name) == ".json":
		return func(r io.Reader) { v.revision(name, r) }
	}
	return nil
}

// missing reports files the manifest lists that are not in the bag, and
// the audit log if it is gone from both.
func (v *verifier) missing() {
	for _, name := range slices.Sorted(maps.Keys(v.manifest)) {
		if !v.seen[name] {
			v.rep.add("%s: listed in %s but missing", name, manifestFile)
		}
	}
	if !v.seen[auditLogFile] && v.manifest[auditLogFile] == "" {
		v.rep.add("%s: missing", auditLogFile)
	}
}

// oxum compares the payload's size and file count with Payload-Oxum.
func (v *verifier) oxum() {
	oxum := first(v.info, tagPayloadOxum)
	if oxum == "" {
		v.rep.add("%s: no %s", bagInfoFile, tagPayloadOxum)
		return
	}
	b, n, ok := strings.Cut(oxum, ".")
	octets, err1 := strconv.ParseInt(b, 10, 64)
	files, err2 := strconv.Atoi(n)
	switch {
	case !ok || err1 != nil || err2 != nil:
		v.rep.add("%s: %s %q is not octets.files", bagInfoFile, tagPayloadOxum, oxum)
	case octets != v.bytes || files != v.rep.Files:
		v.rep.add("%s: %s is %s but the payload holds %d bytes in %d files", bagInfoFile, tagPayloadOxum, oxum, v.bytes, v.rep.Files)
	}
}

// first returns the first value of a tag, "" when it is absent.
func first(tags map[string][]string, label string) string {
	if v := tags[label]; len(v) > 0 {
		return v[0]
	}
	return ""
}

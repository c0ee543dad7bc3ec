package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tlhpf/cms/archive"
)

// TestArchiveExportOverHTTP: an auditor downloads the BagIt archive of a
// period; it verifies, holds the published item with its approval form and
// attachment, and one flipped byte is reported.
func TestArchiveExportOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "年度归档测试", "body": "正文"}).decode(t, &it)
	e.upload(t, c.editor, it.Revision.ID, "归档附件.pdf", pdfBytes)
	e.toState(t, c, it.Revision.ID, "published")
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})

	path := "/api/v1/archive?from=2026-02-01&to=2026-03-31"
	e.must(t, http.StatusForbidden, "GET", path, c.editor, nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/archive?from=2026-03-31&to=2026-02-01", auditor, nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/archive?from=yesterday&to=2026-02-01", auditor, nil)
	r := e.must(t, http.StatusOK, "GET", path, auditor, nil)
	if r.Header.Get("Content-Type") != "application/zip" || !strings.Contains(r.Header.Get("Content-Disposition"), "cms-archive-20260201-20260331.zip") {
		t.Fatalf("headers: %v", r.Header)
	}
	rep, err := archive.Verify(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil || !rep.OK() || rep.AuditEntries == 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var form, attachment bool
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/approval-1.html") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			form = strings.Contains(string(b), "年度归档测试") && strings.Contains(string(b), "director")
		}
		if strings.Contains(f.Name, "data/attachments/") {
			attachment = true
		}
	}
	if !form || !attachment {
		t.Fatalf("approval form %v, attachment %v in %d files", form, attachment, len(zr.File))
	}
	// Flip one byte of the attachment: reported.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(f.Name, "data/attachments/") {
			b[0] ^= 1
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	rep, err = archive.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "data/attachments/") {
		t.Fatalf("tampered archive: %+v %v", rep, err)
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestTextAttachmentsNameTheirCharset: a text file is served with its
// charset when its bytes are valid UTF-8, so that a browser shows Chinese
// text as written rather than guessing; other files are served as they were.
func TestTextAttachmentsNameTheirCharset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "附件编码", "body": "见附件"}).decode(t, &it)
	var text, latin, pdf uploaded
	e.upload(t, c.editor, it.Revision.ID, "说明.txt", []byte("住房公积金缴存说明：单位和职工各缴存12%。\n")).decode(t, &text)
	e.upload(t, c.editor, it.Revision.ID, "legacy.txt", []byte("caf\xe9 cr\xe8me\n")).decode(t, &latin)
	e.upload(t, c.editor, it.Revision.ID, "表.pdf", pdfBytes).decode(t, &pdf)
	if text.ContentType != "text/plain" {
		t.Fatalf("sniffed %q", text.ContentType)
	}
	e.toState(t, c, it.Revision.ID, "published")
	for _, tc := range []struct {
		id   int64
		want string
	}{{text.ID, "text/plain; charset=utf-8"}, {latin.ID, "text/plain"}, {pdf.ID, "application/pdf"}} {
		r := e.must(t, http.StatusOK, "GET", fmt.Sprintf("/content/v1/items/%d/attachments/%d", it.ID, tc.id), "", nil)
		if got := r.Header.Get("Content-Type"); got != tc.want {
			t.Errorf("attachment %d: Content-Type %q, want %q", tc.id, got, tc.want)
		}
	}
	r := e.must(t, http.StatusOK, "GET", fmt.Sprintf("%s/attachments/%d", revisionPath(it.Revision.ID), text.ID), c.editor, nil)
	if got := r.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("editor's download: Content-Type %q", got)
	}
}

package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLivePreview: the body being written is shown as clients will show
// it, sanitised by the content service: by the editor's 预览 button without
// JavaScript (nothing saved), and by the fragment the script asks for.
func TestLivePreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	_, rev := e.guide(t, c.editor, "缴存登记")
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	p := ed.get(revPath(rev.ID)+"/edit").must(t, http.StatusOK).has(t, `value="preview"`, `data-preview="/console/preview"`)
	v := versionField.FindStringSubmatch(p.Body)[1]
	body := "## 办理须知\n\n携带**身份证**。<script>alert(1)</script>"
	ed.post(revPath(rev.ID)+"/edit", url.Values{"op": {"preview"}, "version": {v}, "title": {"缴存登记"}, "body": {body}}).
		must(t, http.StatusOK).has(t, "正文预览", ">办理须知</h2>", "<strong>身份证</strong>", "携带**身份证**").
		lacks(t, "<script>alert(1)")
	ed.get(revPath(rev.ID)).lacks(t, "办理须知") // a preview saves nothing

	ed.get("/console/items/new?target=guides-deposit|collection").must(t, http.StatusOK).has(t, `value="preview"`)
	ed.post("/console/items/new", url.Values{"op": {"preview"}, "target": {"guides-deposit|collection"}, "title": {"新"},
		"body": {"- 一\n- 二"}}).must(t, http.StatusOK).has(t, "<li>一</li>")

	frag := ed.post("/console/preview", url.Values{"body": {body}, "body_format": {"markdown"}}).must(t, http.StatusOK)
	if frag.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(frag.Body, ">办理须知</h2>") ||
		!strings.Contains(frag.Body, "<p>携带<strong>身份证</strong>。</p>") || strings.Contains(frag.Body, "<script") {
		t.Fatalf("fragment: %s %q", frag.Header.Get("Content-Type"), frag.Body)
	}
	ed.post("/console/preview", url.Values{"body": {"x"}, "body_format": {"word"}}).must(t, http.StatusUnprocessableEntity)
	ed.post("/console/preview", url.Values{"body": {"x"}, "csrf": {"forged"}}).must(t, http.StatusForbidden)
	anon := e.browser(t)
	if p := anon.post("/console/preview", url.Values{"body": {"x"}}); p.Status != http.StatusSeeOther {
		t.Errorf("without a session: %d", p.Status)
	}
}

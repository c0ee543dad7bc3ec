package console_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// pdf is the start of a PDF file, enough for the type to be sniffed.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// TestAttachments: an editor uploads a file to a draft with a plain form,
// downloads it and removes it; the token must come before the file; what
// the media service refuses is said on the page; reviewers upload nothing.
func TestAttachments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	_, rev := e.guide(t, c.editor, "缴存登记")
	path := revPath(rev.ID)
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get(path).has(t, `enctype="multipart/form-data"`, "上传附件")

	ed.upload(path+"/attachments", "缴存登记表.pdf", pdf, false).must(t, http.StatusForbidden)
	ed.get(path)
	ed.upload(path+"/attachments", "缴存登记表.pdf", pdf, true).must(t, http.StatusSeeOther)
	p := ed.get(path).has(t, "附件已上传", "缴存登记表.pdf")
	link := regexp.MustCompile(`href="(/console/revisions/\d+/attachments/\d+)"`).FindStringSubmatch(p.Body)[1]
	d := ed.get(link).must(t, http.StatusOK)
	if d.Header.Get("Content-Type") != "application/pdf" || d.Header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" ||
		d.Body != string(pdf) {
		t.Errorf("download: %v %q", d.Header, d.Body)
	}
	ed.upload(path+"/attachments", "程序.exe", []byte{0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff}, true).
		must(t, http.StatusUnsupportedMediaType).has(t, "附件未上传", "不支持此类文件")
	ed.upload(path+"/attachments", "", nil, true).must(t, http.StatusUnprocessableEntity).has(t, "请选择要上传的文件")

	head := e.browser(t)
	head.login(c.head.Username, staffPassword)
	head.get(path).has(t, "缴存登记表.pdf").lacks(t, "上传附件", "删除附件")
	head.get(link).must(t, http.StatusOK)
	head.upload(path+"/attachments", "x.pdf", pdf, true).must(t, http.StatusForbidden)
	fin := e.browser(t)
	fin.login(c.otherEditor.Username, staffPassword)
	fin.get(link).must(t, http.StatusForbidden)

	del := regexp.MustCompile(`action="(/console/revisions/\d+/attachments/\d+/delete)"`).FindStringSubmatch(ed.get(path).Body)[1]
	ed.post(del, nil).must(t, http.StatusSeeOther)
	ed.get(path).has(t, "附件已删除", "没有附件")
	e.fire(t, c.editor, rev.ID, cms.EventSubmit, "")
	ed.get(path).lacks(t, "上传附件")
}

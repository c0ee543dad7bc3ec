package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// The live preview of a body being written: the content service renders it
// as clients will show it once published. Without JavaScript the editor's
// 预览 button shows the form again with the preview; the script posts the
// body as it is typed to /console/preview and shows what comes back.

// preview renders the form's body into d when 预览 was pressed.
func (c *Console) preview(r *http.Request, u *user, d *editData, op string) error {
	if op != "preview" {
		return nil
	}
	html, err := c.svc.Content.RenderBody(r.Context(), u.p, d.Form.Body, d.Form.Format)
	switch cms.ErrorCode(err) {
	case "":
		d.Preview = renderedHTML(html)
		if d.Preview == "" {
			d.Preview = renderedHTML("<p>（正文为空）</p>")
		}
		return nil
	case cms.EINVALID:
		d.Alert = "无法预览：" + errorMessage(err)
		return nil
	}
	return err
}

// handlePreview answers the script with the body rendered, as an HTML
// fragment the content service sanitised.
func (c *Console) handlePreview(w http.ResponseWriter, r *http.Request, u *user) error {
	html, err := c.svc.Content.RenderBody(r.Context(), u.p, r.PostFormValue("body"), r.PostFormValue("body_format"))
	if cms.ErrorCode(err) == cms.EINVALID {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, err = w.Write([]byte("正文过长或格式不正确，无法预览。"))
		return err
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(html))
	return err
}

package console

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// uploadOverhead allows for the multipart framing around the largest file.
const uploadOverhead = 1 << 20

// handleAttachmentUpload attaches a file to a draft from a plain multipart
// form. The CSRF token is the form's first part and is checked before a
// byte of the file is read; the file is streamed to the media service,
// which sniffs its type and enforces the size limit.
func (c *Console) handleAttachmentUpload(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, c.svc.Media.MaxSize+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return cms.Errorf(cms.EBADREQUEST, "not a multipart form")
	}
	csrfOK := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return c.uploadRefused(w, r, u, id, cms.Invalid("no file", cms.FieldError{Field: "file", Message: "is required"}))
		}
		if err != nil {
			return c.uploadRefused(w, r, u, id, clientError{err})
		}
		switch part.FormName() {
		case "csrf":
			token, _ := io.ReadAll(io.LimitReader(part, 256))
			csrfOK = u.validCSRF(string(token))
		case "file":
			if !csrfOK {
				return errCSRF
			}
			name := rawFileName(part.Header.Get("Content-Disposition"))
			if name == "" {
				return c.uploadRefused(w, r, u, id, cms.Invalid("no file", cms.FieldError{Field: "file", Message: "is required"}))
			}
			if _, _, err := c.svc.Media.Upload(r.Context(), u.p, id, name, clientReader{part}); err != nil {
				return c.uploadRefused(w, r, u, id, err)
			}
			return c.redirect(w, r, revisionURL(id)+"#files", "uploaded")
		}
	}
}

// uploadRefused shows the revision again with why the file was not taken.
func (c *Console) uploadRefused(w http.ResponseWriter, r *http.Request, u *user, id int64, err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = cms.Errorf(cms.ETOOLARGE, "too large")
	}
	code := cms.ErrorCode(err)
	msg := errorMessage(err)
	var ce clientError
	if code == cms.EINTERNAL && errors.As(err, &ce) {
		// The body was cut off or malformed on the way: the client's doing.
		code, msg = cms.EBADREQUEST, "上传中断，请重试。"
	}
	switch code {
	case cms.EINVALID:
		msg = "请选择要上传的文件。"
		if p := problemsOf(err); p["file"] == "" && len(p) > 0 {
			msg = "文件名不符合要求：" + strings.Join(values(p), " ")
		}
	case cms.ETOOLARGE, cms.EUNSUPPORTED, cms.ECONFLICT, cms.EBADREQUEST:
	default:
		return err
	}
	// The rest of an unread body is not worth waiting for.
	w.Header().Set("Connection", "close")
	return c.showRevision(w, r, u, id, statusOf[code], &revisionData{Alert: "附件未上传：" + msg})
}

// rawFileName returns the file name as the browser sent it, for the media
// service to clean itself.
func rawFileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// handleAttachmentDelete removes a file from a draft.
func (c *Console) handleAttachmentDelete(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if _, err := c.svc.Media.Remove(r.Context(), u.p, id, aid); err != nil {
		return err
	}
	return c.redirect(w, r, revisionURL(id)+"#files", "removed")
}

// handleAttachmentDownload sends a revision's file to someone who may read
// it; the file can never run as a page of the console.
func (c *Console) handleAttachmentDownload(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	a, blob, err := c.svc.Media.Download(r.Context(), u.p, id, aid)
	if err != nil {
		return err
	}
	defer blob.Close()
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") || a.ContentType == "application/pdf" {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, blob)
	return nil
}

// clientReader marks errors of reading the request body, so that an upload
// cut off by the client is told apart from a failure on our side.
type clientReader struct{ r io.Reader }

func (c clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = clientError{err}
	}
	return n, err
}

type clientError struct{ err error }

func (e clientError) Error() string { return e.err.Error() }
func (e clientError) Unwrap() error { return e.err }

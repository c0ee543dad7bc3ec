package api

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type revisionAttachmentJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Width       *int   `json:"width"`
	Height      *int   `json:"height"`
	URL         string `json:"url"`
}

func toAttachmentJSON(rev *cms.Revision, a *cms.Attachment) revisionAttachmentJSON {
	j := revisionAttachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.Key,
		URL: "/api/v1/revisions/" + strconv.FormatInt(rev.ID, 10) + "/attachments/" + strconv.FormatInt(a.ID, 10)}
	if a.Width > 0 {
		w, h := a.Width, a.Height
		j.Width, j.Height = &w, &h
	}
	return j
}

func attachmentsJSON(rev *cms.Revision) []revisionAttachmentJSON {
	out := make([]revisionAttachmentJSON, len(rev.Attachments))
	for i := range rev.Attachments {
		out[i] = toAttachmentJSON(rev, &rev.Attachments[i])
	}
	return out
}

// uploadOverhead is what multipart framing may add to a file's size.
const uploadOverhead = 1 << 20

// handleAttachmentUpload streams the multipart field "file" into the media
// service without holding it in memory, for as long as bytes keep coming.
func (s *Server) handleAttachmentUpload(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	req := c.Request()
	tr := newTransfer(c.Response().Writer, s.opts.TransferIdle)
	req.Body = http.MaxBytesReader(c.Response(), tr.reader(req.Body), s.svc.Media.MaxSize+uploadOverhead)
	mr, err := req.MultipartReader()
	if err != nil {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the file as multipart/form-data in the field \"file\"")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return cms.Invalid("no file", cms.FieldError{Field: "file", Message: "is required"})
		}
		if err != nil {
			return s.uploadError(c, tr, clientError{err})
		}
		if part.FormName() != "file" {
			continue
		}
		name := rawFileName(part.Header.Get("Content-Disposition"))
		if err := checkFileName(name); err != nil {
			return err
		}
		a, rev, err := s.svc.Media.Upload(req.Context(), principal(c), id, name, clientReader{part})
		if err != nil {
			return s.uploadError(c, tr, err)
		}
		tr.answer()
		setETag(c, rev.Version)
		c.Response().Header().Set(echo.HeaderLocation, toAttachmentJSON(rev, a).URL)
		return respond(c, http.StatusCreated, toAttachmentJSON(rev, a))
	}
}

// rawFileName returns the file name as the client sent it (RFC 2231
// encoded names decoded), before any cleaning: mime/multipart's FileName
// already drops path elements, which the service wants to see and clean
// itself.
func rawFileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// clientReader marks errors from reading the request, so that a body cut
// off or malformed by the client is told apart from a failure on our side.
type clientReader struct{ r io.Reader }

type clientError struct{ err error }

func (e clientError) Error() string { return e.err.Error() }
func (e clientError) Unwrap() error { return e.err }

func (c clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = clientError{err}
	}
	return n, err
}

// uploadError maps what went wrong while reading an upload: no byte for
// the idle timeout is 408, too large is 413, anything else the client's
// body did (truncated, malformed part headers) is 400; domain errors and
// our own failures pass through.
func (s *Server) uploadError(c echo.Context, tr *transfer, err error) error {
	if timedOut(err) {
		tr.answer()
		s.log.WarnContext(c.Request().Context(), "upload timed out: no bytes arrived within the idle timeout",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)), slog.Duration("idle_timeout", s.opts.TransferIdle))
		return echo.NewHTTPError(http.StatusRequestTimeout,
			"the upload timed out: no bytes arrived for "+s.opts.TransferIdle.String()+"; send the file again")
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	var de *cms.Error
	if errors.As(err, &de) {
		return err
	}
	var ce clientError
	if errors.As(err, &ce) {
		return cms.Errorf(cms.EBADREQUEST, "the multipart body is malformed or incomplete")
	}
	return err
}

func (s *Server) handleAttachmentDelete(c echo.Context) error {
	id, aid, err := attachmentPath(c)
	if err != nil {
		return err
	}
	rev, err := s.svc.Media.Remove(c.Request().Context(), principal(c), id, aid)
	if err != nil {
		return err
	}
	setETag(c, rev.Version)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handleAttachmentDownload(c echo.Context) error {
	id, aid, err := attachmentPath(c)
	if err != nil {
		return err
	}
	a, blob, err := s.svc.Media.Download(c.Request().Context(), principal(c), id, aid)
	if err != nil {
		return err
	}
	defer blob.Close()
	return s.serveBlob(c, a, blob, "private, no-store")
}

// handlePublicAttachment serves a file of a published item: streamed with
// ETag and range support, or, when the blob store presigns and the server
// is configured so, a redirect to a URL that expires within minutes.
func (s *Server) handlePublicAttachment(c echo.Context) error {
	id, aid, err := attachmentPath(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.svc.Content.Attachment(ctx, id, aid)
	if err != nil {
		return err
	}
	if s.opts.MediaRedirect > 0 {
		u, err := s.svc.Content.Blobs.Presign(ctx, a.Key, a.Name, a.ContentType, s.opts.MediaRedirect)
		if err == nil {
			s.countDownload(c, id, aid)
			c.Response().Header().Set("Cache-Control", "no-store")
			return c.Redirect(http.StatusFound, u)
		}
		if !errors.Is(err, cms.ErrNoPresign) {
			return err
		}
	}
	blob, err := s.svc.Content.Blobs.Open(ctx, a.Key)
	if err != nil {
		return err
	}
	defer blob.Close()
	s.countDownload(c, id, aid)
	return s.serveBlob(c, a, blob, "public, max-age=60")
}

func (s *Server) handlePreviewAttachment(c echo.Context) error {
	aid, err := pathID(c, "aid")
	if err != nil {
		return err
	}
	a, blob, err := s.svc.Content.PreviewAttachment(c.Request().Context(), c.Param("token"), aid)
	if err != nil {
		return err
	}
	defer blob.Close()
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return s.serveBlob(c, a, blob, "private, no-store")
}

// serveBlob streams a file with its type, name, strong ETag (its sha256)
// and range support, for as long as the client keeps reading.
func (s *Server) serveBlob(c echo.Context, a *cms.Attachment, blob cms.Blob, cacheControl string) error {
	h := c.Response().Header()
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") || a.ContentType == "application/pdf" {
		disposition = "inline"
	}
	h.Set(echo.HeaderContentType, withCharset(a.ContentType, blob))
	h.Set(echo.HeaderContentDisposition, contentDisposition(disposition, a.Name))
	h.Set("ETag", `"`+a.Key+`"`)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	// Large files on slow mobile links may take longer than the server's
	// write timeout: only a client that stops reading is cut off.
	w := &blobWriter{ResponseWriter: c.Response(), transfer: newTransfer(c.Response().Writer, s.opts.TransferIdle)}
	http.ServeContent(w, c.Request(), "", time.Time{}, blob)
	if timedOut(w.err) {
		s.log.WarnContext(c.Request().Context(), "download timed out: the client read nothing within the idle timeout",
			slog.String("request_id", h.Get(echo.HeaderXRequestID)), slog.Duration("idle_timeout", s.opts.TransferIdle),
			slog.Int64("bytes", c.Response().Size))
	}
	if w.refused == 0 {
		return nil
	}
	// The refusal goes out as problem details, without the file's headers.
	for _, k := range []string{echo.HeaderContentDisposition, "ETag", "Last-Modified", echo.HeaderContentLength} {
		h.Del(k)
	}
	h.Set("Cache-Control", "no-store")
	if w.refused == http.StatusPreconditionFailed {
		return cms.Errorf(cms.EPRECONDITION, "If-Match names no tag of this file")
	}
	return echo.NewHTTPError(http.StatusRequestedRangeNotSatisfiable, "no range of the Range header lies within the file")
}

// blobWriter holds back http.ServeContent's own 412 and 416 answers (an
// empty body, a text/plain message), so that they can be sent as problem
// details like every other error, and keeps the write deadline moving
// while the file goes out.
type blobWriter struct {
	http.ResponseWriter
	transfer *transfer
	refused  int
	err      error // the first write error
}

func (w *blobWriter) WriteHeader(status int) {
	if status == http.StatusPreconditionFailed || status == http.StatusRequestedRangeNotSatisfiable {
		w.refused = status
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *blobWriter) Write(p []byte) (int, error) {
	if w.refused != 0 {
		return len(p), nil
	}
	n, err := w.ResponseWriter.Write(p)
	if n > 0 {
		w.transfer.progress()
	}
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

func (w *blobWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// attachmentPath reads the revision or item id and the attachment id of an
// attachment route.
func attachmentPath(c echo.Context) (int64, int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	aid, err := pathID(c, "aid")
	return id, aid, err
}

// withCharset names the charset of a text file, UTF-8, when its bytes are
// valid UTF-8: with nosniff, a browser would otherwise guess, and garble
// Chinese. The file is read through once and rewound.
func withCharset(ctype string, blob io.ReadSeeker) string {
	if ctype != "text/plain" && ctype != "text/csv" {
		return ctype
	}
	ok := validUTF8(blob)
	if _, err := blob.Seek(0, io.SeekStart); err != nil || !ok {
		return ctype
	}
	return ctype + "; charset=utf-8"
}

// validUTF8 reads r to its end and reports whether it is valid UTF-8.
func validUTF8(r io.Reader) bool {
	buf := make([]byte, 32<<10)
	carry := 0 // bytes of a rune cut at the end of the last read
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		// Hold back an incomplete rune at the end for the next read.
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:n]) {
					end = i
				}
				break
			}
		}
		if err != nil {
			return err == io.EOF && utf8.Valid(buf[:n])
		}
		if !utf8.Valid(buf[:end]) {
			return false
		}
		carry = copy(buf, buf[end:n])
	}
}

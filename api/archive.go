package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

// china is the centre's time zone: archive periods are whole days there.
var china = time.FixedZone("CST", 8*3600)

// ArchivePeriod reads a period of whole days [from, to] given as
// YYYY-MM-DD in China Standard Time; to is inclusive.
func ArchivePeriod(from, to string) (time.Time, time.Time, error) {
	var fe cms.FieldErrors
	f, err := time.ParseInLocation(time.DateOnly, from, china)
	if err != nil {
		fe.Add("from", "must be a date as YYYY-MM-DD")
	}
	t, err := time.ParseInLocation(time.DateOnly, to, china)
	if err != nil {
		fe.Add("to", "must be a date as YYYY-MM-DD")
	}
	if err := fe.Err("invalid period"); err != nil {
		return time.Time{}, time.Time{}, err
	}
	end := t.AddDate(0, 0, 1)
	return f.UTC(), end.UTC(), cms.CheckArchivePeriod(f, end)
}

// handleArchive streams the auditors' archive of a period as a BagIt ZIP.
// Once the first byte is sent a failure can only cut the download short;
// the bag's manifests then fail verification, so nothing partial passes.
func (s *Server) handleArchive(c echo.Context) error {
	from, to, err := ArchivePeriod(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	if err := s.svc.Archive.Begin(c.Request().Context(), principal(c), from, to); err != nil {
		return err
	}
	name := archive.Name(from, to) + ".zip"
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, contentDisposition("attachment", name))
	h.Set("Cache-Control", "no-store")
	// The export may stream for longer than the server's write timeout.
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
	c.Response().WriteHeader(http.StatusOK)
	_, err = archive.Export(c.Request().Context(), s.svc.ArchiveSource, c.Response(), archive.Options{From: from, To: to,
		Organization: s.opts.Organization})
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "archive export failed midway", "error", err)
	}
	return nil
}

package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// handleArchive streams the auditors' archive of a period as a BagIt ZIP.
// Once the first byte is sent a failure can only cut the download short;
// the bag's manifests then fail verification, so nothing partial passes.
func (s *Server) handleArchive(c echo.Context) error {
	from, to, err := cms.ParseArchivePeriod(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	export, err := s.svc.Archive.Begin(c.Request().Context(), principal(c), from, to)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, contentDisposition("attachment", export.Name+".zip"))
	h.Set("Cache-Control", "no-store")
	// The export may stream for longer than the server's write timeout.
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
	c.Response().WriteHeader(http.StatusOK)
	if _, err := export.Write(c.Request().Context(), c.Response(), nil); err != nil {
		s.log.ErrorContext(c.Request().Context(), "archive export failed midway", "error", err)
	}
	return nil
}

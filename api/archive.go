package api

import (
	"io"
	"net/http"
	"strconv"
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

// archivePackageJSON is a package of the periodic archive.
type archivePackageJSON struct {
	ID           int64      `json:"id"`
	Period       string     `json:"period"`
	From         time.Time  `json:"from"`
	To           time.Time  `json:"to"`
	Name         string     `json:"name"`
	State        string     `json:"state"`
	SHA256       *string    `json:"sha256"`
	Size         int64      `json:"size"`
	Items        int        `json:"items"`
	Revisions    int        `json:"revisions"`
	Attachments  int        `json:"attachments"`
	AuditEntries int        `json:"audit_entries"`
	Problems     []string   `json:"problems"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	Attempts     int        `json:"attempts"`
}

func toArchivePackageJSON(p *cms.ArchivePackage) archivePackageJSON {
	j := archivePackageJSON{ID: p.ID, Period: p.Period, From: p.From, To: p.To, Name: p.Name, State: p.State, Size: p.Size,
		Items: p.Items, Revisions: p.Revisions, Attachments: p.Attachments, AuditEntries: p.AuditEntries,
		Problems: p.Problems, StartedAt: p.StartedAt, FinishedAt: timePtr(p.FinishedAt),
		Attempts: p.Attempts}
	if p.BlobKey != "" {
		k := p.BlobKey
		j.SHA256 = &k
	}
	if j.Problems == nil {
		j.Problems = []string{}
	}
	return j
}

// handleArchivePackages lists the packages of the periodic archive.
func (s *Server) handleArchivePackages(c echo.Context) error {
	ps, err := s.svc.Archive.Packages(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]archivePackageJSON, len(ps))
	for i := range ps {
		out[i] = toArchivePackageJSON(&ps[i])
	}
	return respond(c, http.StatusOK, map[string]any{"packages": out})
}

// handleArchivePackageDownload streams one package as the server wrote it.
func (s *Server) handleArchivePackageDownload(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, blob, err := s.svc.Archive.OpenPackage(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	defer blob.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, contentDisposition("attachment", p.Name+".zip"))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(blob.Size(), 10))
	h.Set("Cache-Control", "private, no-store")
	_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Time{})
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), blob); err != nil {
		s.log.ErrorContext(c.Request().Context(), "archive package download cut short", "error", err)
	}
	return nil
}

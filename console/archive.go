package console

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// 归档导出 (seed rule 第十一条): a verifiable package of everything published
// in a period, downloaded as a ZIP. The archive service checks who may and
// records the export; the page (with script) and the browser show its
// progress.

// archiveData is the export form.
type archiveData struct {
	From, To string
	Problems problems
	Alert    string
	// Packages are the periodic archive's packages (每月自动归档).
	Packages []cms.ArchivePackage
	Audit    bool // the user reads the audit log too (the tabs)
}

// handleArchive shows the export form to those who may export.
func (c *Console) handleArchive(w http.ResponseWriter, r *http.Request, u *user) error {
	ab, err := c.abilities(r, u)
	if err != nil {
		return err
	}
	if !ab.Can(cms.ActArchiveExport) {
		return cms.Errorf(cms.EFORBIDDEN, "may not export the archive")
	}
	now := c.opts.Clock.Now().In(cms.China)
	d := archiveData{From: time.Date(now.Year(), 1, 1, 0, 0, 0, 0, cms.China).Format(time.DateOnly), To: now.Format(time.DateOnly),
		Audit: ab.Can(cms.ActAuditRead)}
	if d.Packages, err = c.svc.Archive.Packages(r.Context(), u.p); err != nil && cms.ErrorCode(err) != cms.EFORBIDDEN {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "archive", view{Title: "归档导出", Active: "audit", Data: d})
}

// handleArchiveExport streams the package of the period posted. A period
// the service refuses shows the form again with why.
func (c *Console) handleArchiveExport(w http.ResponseWriter, r *http.Request, u *user) error {
	d := archiveData{From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	from, to, err := cms.ParseArchivePeriod(d.From, d.To)
	if err == nil {
		var x *cms.ArchiveExport
		if x, err = c.svc.Archive.Begin(r.Context(), u.p, from, to); err == nil {
			h := w.Header()
			h.Set("Content-Type", "application/zip")
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Name + ".zip"}))
			// The export may stream for longer than the server's write timeout.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
			w.WriteHeader(http.StatusOK)
			if _, err := x.Write(r.Context(), w, nil); err != nil && !isCanceled(err) {
				c.log.ErrorContext(r.Context(), "archive export failed midway", "error", err)
			}
			return nil
		}
	}
	if cms.ErrorCode(err) != cms.EINVALID {
		return err
	}
	d.Problems, d.Alert = problemsOf(err), errorMessage(err)
	return c.page(w, r, u, http.StatusUnprocessableEntity, "archive", view{Title: "归档导出", Active: "audit", Data: d})
}

// handleArchivePackage downloads a package of the periodic archive.
func (c *Console) handleArchivePackage(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, blob, err := c.svc.Archive.OpenPackage(r.Context(), u.p, id)
	if err != nil {
		return err
	}
	defer blob.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": p.Name + ".zip"}))
	h.Set("Content-Length", strconv.FormatInt(blob.Size(), 10))
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, blob); err != nil && !isCanceled(err) {
		c.log.ErrorContext(r.Context(), "archive package download cut short", "error", err)
	}
	return nil
}

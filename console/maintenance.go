package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// 停服审批 (seed rule 第十五条): 信息科's requests to suspend or upgrade a
// channel, decided by the director or the leader in charge of 信息科; only
// an approved window is announced to the public.

type maintenanceData struct {
	Windows []cms.MaintenanceWindow
	Decide  bool   // the user approves or refuses requests
	Request bool   // the user requests windows (信息科)
	ErrID   int64  // the window whose decision was refused
	Err     string // why
}

// handleMaintenanceWindows lists the requests and decisions.
func (c *Console) handleMaintenanceWindows(w http.ResponseWriter, r *http.Request, u *user) error {
	return c.showMaintenance(w, r, u, http.StatusOK, &maintenanceData{})
}

func (c *Console) showMaintenance(w http.ResponseWriter, r *http.Request, u *user, status int, d *maintenanceData) error {
	ab, err := c.abilities(r, u)
	if err != nil {
		return err
	}
	if d.Windows, err = c.svc.Menus.MaintenanceWindows(r.Context(), u.p, ""); err != nil {
		return err
	}
	d.Decide, d.Request = ab.Can(cms.ActMaintenanceDecide), ab.Can(cms.ActMenuManage)
	return c.page(w, r, u, status, "maintenance", view{Title: "停服申请与审批", Active: "maintenance", Data: d})
}

// handleMaintenanceDecision approves or refuses a request.
func (c *Console) handleMaintenanceDecision(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	approve := r.PostFormValue("op") == "approve"
	_, err = c.svc.Menus.DecideMaintenance(r.Context(), u.p, id, approve, r.PostFormValue("comment"))
	switch cms.ErrorCode(err) {
	case "":
		flash := "maintenance_refused"
		if approve {
			flash = "maintenance_approved"
		}
		return c.redirect(w, r, "/console/maintenance", flash)
	case cms.EINVALID, cms.ECONFLICT:
		d := &maintenanceData{ErrID: id, Err: errorMessage(err)}
		for _, p := range problemsOf(err) {
			d.Err = p
		}
		return c.showMaintenance(w, r, u, statusOf[cms.ErrorCode(err)], d)
	}
	return err
}

package api

// Maintenance windows (第十五条): 信息科 requests, a leader decides, and only
// an approved window is announced.

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type maintenanceWindowRequest struct {
	Channel  string           `json:"channel"`
	Kind     string           `json:"kind"`
	Reason   string           `json:"reason"`
	Notice   string           `json:"notice"`
	StartsAt optional[string] `json:"starts_at"`
	EndsAt   optional[string] `json:"ends_at"`
}

// decisionRequest is the body of a decision on something requested (a
// maintenance window, a feature request): approve true approves, false
// refuses, with a comment.
type decisionRequest struct {
	Approve *bool  `json:"approve"`
	Comment string `json:"comment"`
}

// decodeDecision reads the id in the path and the decision in the body;
// a decision without approve is refused.
func decodeDecision(c echo.Context) (id int64, approve bool, comment string, err error) {
	if id, err = pathID(c, "id"); err != nil {
		return 0, false, "", err
	}
	var req decisionRequest
	if err := decode(c, &req); err != nil {
		return 0, false, "", err
	}
	if req.Approve == nil {
		return 0, false, "", cms.Invalid("invalid decision", cms.FieldError{Field: "approve", Message: "is required: true approves, false refuses"})
	}
	return id, *req.Approve, req.Comment, nil
}

type maintenanceWindowJSON struct {
	ID          int64      `json:"id"`
	Channel     string     `json:"channel"`
	Kind        string     `json:"kind"`
	Reason      string     `json:"reason"`
	Notice      string     `json:"notice"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      *time.Time `json:"ends_at"`
	State       string     `json:"state"`
	RequestedBy int64      `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	DecidedBy   *int64     `json:"decided_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	Comment     string     `json:"comment"`
}

func toMaintenanceWindowJSON(w *cms.MaintenanceWindow) maintenanceWindowJSON {
	j := maintenanceWindowJSON{ID: w.ID, Channel: w.Channel, Kind: w.Kind, Reason: w.Reason, Notice: w.Notice,
		StartsAt: w.StartsAt, EndsAt: timePtr(w.EndsAt), State: w.State, RequestedBy: w.RequestedBy,
		RequestedAt: w.RequestedAt, DecidedAt: timePtr(w.DecidedAt), Comment: w.Comment}
	if w.DecidedBy != 0 {
		id := w.DecidedBy
		j.DecidedBy = &id
	}
	return j
}

func (s *Server) handleMaintenanceRequest(c echo.Context) error {
	var req maintenanceWindowRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	var fe cms.FieldErrors
	w := cms.MaintenanceWindow{Channel: req.Channel, Kind: req.Kind, Reason: req.Reason, Notice: req.Notice}
	if t := parseOptTime(&fe, "starts_at", req.StartsAt); t != nil {
		w.StartsAt = t.UTC()
	}
	if t := parseOptTime(&fe, "ends_at", req.EndsAt); t != nil {
		w.EndsAt = t.UTC()
	}
	if err := fe.Err("invalid time"); err != nil {
		return err
	}
	got, err := s.svc.Menus.RequestMaintenance(c.Request().Context(), principal(c), w)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, toMaintenanceWindowJSON(got))
}

func (s *Server) handleMaintenanceWindows(c echo.Context) error {
	ws, err := s.svc.Menus.MaintenanceWindows(c.Request().Context(), principal(c), c.QueryParam("state"))
	if err != nil {
		return err
	}
	out := make([]maintenanceWindowJSON, len(ws))
	for i := range ws {
		out[i] = toMaintenanceWindowJSON(&ws[i])
	}
	return respond(c, http.StatusOK, map[string]any{"windows": out})
}

func (s *Server) handleMaintenanceDecision(c echo.Context) error {
	id, approve, comment, err := decodeDecision(c)
	if err != nil {
		return err
	}
	w, err := s.svc.Menus.DecideMaintenance(c.Request().Context(), principal(c), id, approve, comment)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toMaintenanceWindowJSON(w))
}

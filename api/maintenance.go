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

type maintenanceDecisionRequest struct {
	Approve *bool  `json:"approve"`
	Comment string `json:"comment"`
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
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req maintenanceDecisionRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.Approve == nil {
		return cms.Invalid("invalid decision", cms.FieldError{Field: "approve", Message: "is required: true approves, false refuses"})
	}
	w, err := s.svc.Menus.DecideMaintenance(c.Request().Context(), principal(c), id, *req.Approve, req.Comment)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toMaintenanceWindowJSON(w))
}

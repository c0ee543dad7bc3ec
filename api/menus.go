package api

// Publishers (信息科) switch menu entries and announce maintenance windows.

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type menuEntryUpdate struct {
	Title   *string `json:"title"`
	Enabled *bool   `json:"enabled"`
}

func (s *Server) handleMenuEntryUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req menuEntryUpdate
	if err := decode(c, &req); err != nil {
		return err
	}
	e, err := s.svc.Menus.UpdateEntry(c.Request().Context(), principal(c), id, req.Title, req.Enabled)
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	if e.Column != "" {
		col, err := s.svc.Content.Structure.Column(c.Request().Context(), e.Column)
		if err != nil {
			return err
		}
		kinds[col.Slug] = col.Kind
	}
	return respond(c, http.StatusOK, menuJSON([]*cms.MenuEntry{e}, kinds)[0])
}

type maintenanceRequest struct {
	Notice   string           `json:"notice"`
	StartsAt optional[string] `json:"starts_at"`
	EndsAt   optional[string] `json:"ends_at"`
}

func (s *Server) handleMaintenance(c echo.Context) error {
	var req maintenanceRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	var fe cms.FieldErrors
	m := cms.Maintenance{Notice: req.Notice}
	if t := parseOptTime(&fe, "starts_at", req.StartsAt); t != nil {
		m.StartsAt = t.UTC()
	}
	if t := parseOptTime(&fe, "ends_at", req.EndsAt); t != nil {
		m.EndsAt = t.UTC()
	}
	if err := fe.Err("invalid time"); err != nil {
		return err
	}
	ch, err := s.svc.Menus.SetMaintenance(c.Request().Context(), principal(c), c.Param("channel"), m)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"channel": ch.Slug,
		"maintenance": toMaintenanceJSON(ch.Maintenance, s.svc.Content.Clock.Now())})
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type grantJSON struct {
	ID          int64           `json:"id"`
	Kind        cms.GrantKind   `json:"kind"`
	Role        *cms.Role       `json:"role"`
	Department  *string         `json:"department"`
	Status      cms.GrantStatus `json:"status"`
	User        *actorJSON      `json:"user"`
	RequestedBy *actorJSON      `json:"requested_by"`
	RequestedAt time.Time       `json:"requested_at"`
	DecidedBy   *actorJSON      `json:"decided_by"`
	DecidedAt   *time.Time      `json:"decided_at"`
	Reason      *string         `json:"reason"`
}

// toGrantJSON describes a grant with the people it names.
func toGrantJSON(g *cms.Grant) grantJSON {
	person := func(u *cms.User) *actorJSON {
		if u == nil {
			return nil
		}
		return &actorJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
	}
	out := grantJSON{ID: g.ID, Kind: g.Kind, Status: g.Status, User: person(g.Grantee), RequestedBy: person(g.Requester),
		RequestedAt: g.RequestedAt, DecidedBy: person(g.Decider), DecidedAt: timePtr(g.DecidedAt)}
	if g.Kind == cms.GrantRole {
		role, dept := g.Binding.Role, g.Binding.Department
		out.Role, out.Department = &role, &dept
	}
	if g.Reason != "" {
		out.Reason = &g.Reason
	}
	return out
}

func (s *Server) handleGrantList(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f := cms.GrantFilter{Status: cms.GrantStatus(c.QueryParam("status")), Limit: limit}
	if v := c.QueryParam("user_id"); v != "" {
		if f.UserID, err = strconv.ParseInt(v, 10, 64); err != nil || f.UserID <= 0 {
			return cms.Invalid("invalid user_id", cms.FieldError{Field: "user_id", Message: "must be a user's id"})
		}
	}
	gs, next, err := s.svc.Users.ListGrants(c.Request().Context(), principal(c), f, c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	out := make([]grantJSON, len(gs))
	for i := range gs {
		out[i] = toGrantJSON(&gs[i])
	}
	return respond(c, http.StatusOK, map[string]any{"grants": out, "next_cursor": cursorJSON(next)})
}

func (s *Server) handleGrantConfirm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	g, err := s.svc.Users.ConfirmGrant(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toGrantJSON(g))
}

type grantRefuseRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) handleGrantRefuse(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req grantRefuseRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	g, err := s.svc.Users.RefuseGrant(c.Request().Context(), principal(c), id, req.Reason)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toGrantJSON(g))
}

package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type clientKeyJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Hint      string     `json:"hint"`
	Rate      int        `json:"rate"`
	Burst     int        `json:"burst"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func toClientKeyJSON(k *cms.ClientKey) clientKeyJSON {
	return clientKeyJSON{ID: k.ID, Name: k.Name, Hint: k.Hint, Rate: k.Rate, Burst: k.Burst, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt, RevokedAt: timePtr(k.RevokedAt)}
}

func (s *Server) handleClientKeyList(c echo.Context) error {
	ks, err := s.svc.ClientKeys.List(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]clientKeyJSON, len(ks))
	for i := range ks {
		out[i] = toClientKeyJSON(&ks[i])
	}
	return respond(c, http.StatusOK, map[string]any{"client_keys": out})
}

func (s *Server) handleClientKeyIssue(c echo.Context) error {
	var req struct {
		Name  string `json:"name"`
		Rate  int    `json:"rate"`
		Burst int    `json:"burst"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	k, key, err := s.svc.ClientKeys.Issue(c.Request().Context(), principal(c), req.Name, req.Rate, req.Burst)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, map[string]any{"client_key": toClientKeyJSON(k), "key": key})
}

func (s *Server) handleClientKeyRevoke(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	k, err := s.svc.ClientKeys.Revoke(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toClientKeyJSON(k))
}

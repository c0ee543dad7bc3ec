package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type userCreateRequest struct {
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Password    string     `json:"password"`
	Department  string     `json:"department"`
	Roles       []roleJSON `json:"roles"`
}

type userUpdateRequest struct {
	DisplayName *string     `json:"display_name"`
	Department  *string     `json:"department"`
	Disabled    *bool       `json:"disabled"`
	Roles       *[]roleJSON `json:"roles"`
	Password    *string     `json:"password"`
}

func bindings(in []roleJSON) []cms.RoleBinding {
	out := make([]cms.RoleBinding, len(in))
	for i, r := range in {
		out[i] = cms.RoleBinding{Role: r.Role, Department: r.Department}
	}
	return out
}

func (s *Server) handleUserCreate(c echo.Context) error {
	var req userCreateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	u, err := s.svc.Users.Create(c.Request().Context(), principal(c), cms.NewUser{Username: req.Username,
		DisplayName: req.DisplayName, Password: req.Password, Department: req.Department, Roles: bindings(req.Roles)})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return respond(c, http.StatusCreated, s.managedUserJSON(u))
}

func (s *Server) handleUserList(c echo.Context) error {
	f := cms.UserFilter{Department: c.QueryParam("department"), Role: cms.Role(c.QueryParam("role"))}
	users, err := s.svc.Users.List(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i := range users {
		out[i] = s.managedUserJSON(&users[i])
	}
	return respond(c, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) handleUserGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.svc.Users.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.managedUserJSON(u))
}

func (s *Server) handleUserUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req userUpdateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	in := cms.UserUpdate{DisplayName: req.DisplayName, Department: req.Department, Disabled: req.Disabled, Password: req.Password}
	if req.Roles != nil {
		b := bindings(*req.Roles)
		in.Roles = &b
	}
	u, err := s.svc.Users.Update(c.Request().Context(), principal(c), id, in)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.managedUserJSON(u))
}

func (s *Server) handleUserUnlock(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.svc.Users.Unlock(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.userJSON(u))
}

package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
}

type loginResponse struct {
	Token                string    `json:"token"`
	ExpiresAt            time.Time `json:"expires_at"`
	User                 userJSON  `json:"user"`
	PasswordExpired      bool      `json:"password_expired"`
	MustChangePassword   bool      `json:"must_change_password"`
	OTPEnrolmentRequired bool      `json:"otp_enrolment_required"`
}

func (s *Server) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	res, err := s.svc.Auth.Login(c.Request().Context(), cms.LoginRequest{Username: req.Username, Password: req.Password,
		OTP: req.OTP, Client: c.RealIP()})
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, loginResponse{Token: res.Token, ExpiresAt: res.ExpiresAt,
		User: s.userJSON(res.User), PasswordExpired: res.PasswordExpired, MustChangePassword: res.MustChangePassword,
		OTPEnrolmentRequired: res.OTPEnrolmentRequired})
}

func (s *Server) handleLogout(c echo.Context) error {
	if err := s.svc.Auth.Logout(c.Request().Context(), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type meResponse struct {
	userJSON
	PasswordExpired      bool         `json:"password_expired"`
	OTPEnrolmentRequired bool         `json:"otp_enrolment_required"`
	Abilities            []cms.Action `json:"abilities"`
	ReleaseEvents        []cms.Event  `json:"release_events"`
}

func (s *Server) handleMe(c echo.Context) error {
	p := principal(c)
	ab, err := s.svc.Abilities(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, meResponse{userJSON: s.userJSON(p.User), PasswordExpired: p.PasswordExpired,
		OTPEnrolmentRequired: p.OTPEnrolmentRequired, Abilities: ab.Actions, ReleaseEvents: ab.Release})
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) handleChangePassword(c echo.Context) error {
	var req passwordRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := s.svc.Auth.ChangePassword(c.Request().Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type roleJSON struct {
	Role       cms.Role `json:"role"`
	Department string   `json:"department"`
}

type userJSON struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	Department         string     `json:"department"`
	Roles              []roleJSON `json:"roles"`
	Disabled           bool       `json:"disabled"`
	PasswordChangedAt  time.Time  `json:"password_changed_at"`
	PasswordExpiresAt  time.Time  `json:"password_expires_at"`
	MustChangePassword bool       `json:"must_change_password"`
	LockedUntil        *time.Time `json:"locked_until"`
	OTPEnabled         bool       `json:"otp_enabled"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	// PendingGrants are shown by the user management routes only.
	PendingGrants *[]grantJSON `json:"pending_grants,omitempty"`
}

func (s *Server) userJSON(u *cms.User) userJSON {
	roles := make([]roleJSON, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, roleJSON{Role: r.Role, Department: r.Department})
	}
	return userJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Department: u.Department,
		Roles: roles, Disabled: u.Disabled, PasswordChangedAt: u.PasswordChangedAt,
		PasswordExpiresAt:  u.PasswordChangedAt.Add(s.svc.Auth.Config.PasswordMaxAge),
		MustChangePassword: u.MustChangePassword, OTPEnabled: u.OTPEnabled,
		LockedUntil: timePtr(u.LockedUntil), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// managedUserJSON is a user as the user management routes show it, with
// the grants that wait for a second administrator.
func (s *Server) managedUserJSON(u *cms.User) userJSON {
	out := s.userJSON(u)
	pending := make([]grantJSON, len(u.PendingGrants))
	for i := range u.PendingGrants {
		pending[i] = toGrantJSON(&u.PendingGrants[i])
	}
	out.PendingGrants = &pending
	return out
}

package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// A department's contacts (专人, seed rule 第六条): every member of staff
// reads them; administrators designate them.

type contactJSON struct {
	UserID      int64     `json:"user_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Since       time.Time `json:"since"`
	// Serving is false for a contact whose account was disabled or who
	// moved to another department since: they are told of nothing.
	Serving bool `json:"serving"`
}

type departmentContactsJSON struct {
	Department string        `json:"department"`
	Contacts   []contactJSON `json:"contacts"`
}

func contactsJSON(cs []cms.Contact, depts []cms.Department) []contactJSON {
	out := make([]contactJSON, len(cs))
	for i := range cs {
		c := &cs[i]
		out[i] = contactJSON{UserID: c.User.ID, Username: c.User.Username, DisplayName: c.User.DisplayName, Since: c.Since,
			Serving: c.Serves(depts)}
	}
	return out
}

func (s *Server) handleContactsGet(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	cs, err := s.svc.Structure.Contacts(ctx, p, c.Param("code"))
	if err != nil {
		return err
	}
	depts, err := s.svc.Structure.Departments(ctx, p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, departmentContactsJSON{Department: c.Param("code"), Contacts: contactsJSON(cs, depts)})
}

func (s *Server) handleContactsPut(c echo.Context) error {
	var req struct {
		Users *[]int64 `json:"users"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.Users == nil {
		return cms.Invalid("invalid contacts", cms.FieldError{Field: "users", Message: "is required (an empty list removes every contact)"})
	}
	ctx, p := c.Request().Context(), principal(c)
	cs, err := s.svc.Structure.SetContacts(ctx, p, c.Param("code"), *req.Users)
	if err != nil {
		return err
	}
	depts, err := s.svc.Structure.Departments(ctx, p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, departmentContactsJSON{Department: c.Param("code"), Contacts: contactsJSON(cs, depts)})
}

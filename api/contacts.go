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
	return s.respondContacts(c, p, cs)
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
	return s.respondContacts(c, p, cs)
}

// respondContacts answers with the department's contacts, each named with
// the department they belong to.
func (s *Server) respondContacts(c echo.Context, p *cms.Principal, cs []cms.Contact) error {
	depts, err := s.svc.Structure.Departments(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, departmentContactsJSON{Department: c.Param("code"), Contacts: contactsJSON(cs, depts)})
}

// approvalFormJSON is 信息发布审批表 of a revision as data.
type approvalFormJSON struct {
	RevisionID   int64               `json:"revision_id"`
	ItemID       int64               `json:"item_id"`
	Number       int                 `json:"number"`
	Column       string              `json:"column"`
	Department   string              `json:"department"`
	Title        string              `json:"title"`
	Action       string              `json:"action"`
	State        cms.State           `json:"state"`
	ApprovedHash *string             `json:"approved_hash"`
	PublishedAt  *time.Time          `json:"published_at"`
	Contacts     []contactJSON       `json:"contacts"`
	Stages       []approvalStageJSON `json:"stages"`
}

type approvalStageJSON struct {
	Stage   string           `json:"stage"`
	Signers []transitionJSON `json:"signers"`
}

func (s *Server) handleApprovalForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.Request().Context(), principal(c)
	f, err := s.svc.Workflow.ApprovalForm(ctx, p, id)
	if err != nil {
		return err
	}
	depts, err := s.svc.Structure.Departments(ctx, p)
	if err != nil {
		return err
	}
	rev := f.Revision
	out := approvalFormJSON{RevisionID: rev.ID, ItemID: f.Item.ID, Number: rev.Number, Column: f.Item.Column,
		Department: f.Item.Department, Title: rev.Title, Action: rev.Action, State: rev.State,
		PublishedAt: timePtr(rev.PublishedAt), Contacts: contactsJSON(f.Contacts, depts)}
	if rev.ApprovedHash != "" {
		out.ApprovedHash = &rev.ApprovedHash
	}
	for i, name := range cms.ApprovalStages {
		out.Stages = append(out.Stages, approvalStageJSON{Stage: name, Signers: toTransitionsJSON(f.Stages[i], f.Users)})
	}
	return respond(c, http.StatusOK, out)
}

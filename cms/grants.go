package cms

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// NeedsSecondAdmin reports whether granting the role over the API waits
// for a second administrator: every role that decides in the chain, and
// admin itself. Editors and auditors cannot publish anything alone.
func (r Role) NeedsSecondAdmin() bool {
	switch r {
	case RoleDeptHead, RoleLeader, RoleDirector, RoleSecrecyReviewer, RolePublisher, RoleAdmin:
		return true
	}
	return false
}

// GrantKind says what a grant changes.
type GrantKind string

// Kinds of grant.
const (
	GrantRole          GrantKind = "role"           // a role binding
	GrantPasswordReset GrantKind = "password_reset" // a new password for an account that decides in the chain
)

// GrantStatus is where a grant stands.
type GrantStatus string

// Grant statuses. Only a pending grant can be decided on.
const (
	GrantPending   GrantStatus = "pending"
	GrantConfirmed GrantStatus = "confirmed"
	GrantRefused   GrantStatus = "refused"
	GrantCancelled GrantStatus = "cancelled" // withdrawn by a later change of the account
)

// Valid reports whether s is a known status.
func (s GrantStatus) Valid() bool {
	switch s {
	case GrantPending, GrantConfirmed, GrantRefused, GrantCancelled:
		return true
	}
	return false
}

// Grant is a change of authority one administrator asked for and that
// takes effect only when another confirms it: a role in the chain (or
// admin), or a new password for an account that holds one. Until then the
// role counts nowhere and the old password stays.
type Grant struct {
	ID      int64
	UserID  int64 // the grantee
	Kind    GrantKind
	Binding RoleBinding // for role grants
	// PasswordHash is the new password of a reset, kept until the grant is
	// decided; it never leaves the services.
	PasswordHash string
	Status       GrantStatus
	RequestedBy  int64
	RequestedAt  time.Time
	DecidedBy    int64 // for cancelled grants, whoever withdrew it
	DecidedAt    time.Time
	Reason       string // why it was refused
	// Grantee, Requester and Decider are the users named above, when the
	// service loaded them for display.
	Grantee, Requester, Decider *User
}

// GrantFilter narrows a grant listing; Before and Limit (0: no limit) page
// it newest first.
type GrantFilter struct {
	Status GrantStatus
	UserID int64
	Before int64
	Limit  int
}

// Audit actions of grants.
const (
	AuditGrantRequested = "grant_requested"
	AuditGrantConfirmed = "grant_confirmed"
	AuditGrantRefused   = "grant_refused"
	AuditGrantCancelled = "grant_cancelled"
)

// GrantAudit is the audit entry of one step in a grant's life.
func GrantAudit(g *Grant, action string, actorID int64, at time.Time) AuditEntry {
	detail := map[string]any{"user_id": g.UserID, "kind": string(g.Kind), "status": string(g.Status), "requested_by": g.RequestedBy}
	if g.Kind == GrantRole {
		detail["role"], detail["department"] = string(g.Binding.Role), g.Binding.Department
	}
	if g.Reason != "" {
		detail["reason"] = g.Reason
	}
	return NewAuditEntry(at, actorID, action, grantSubject(g.ID), detail)
}

func grantSubject(id int64) string { return "grant:" + strconv.FormatInt(id, 10) }

// ListGrants lists grants, newest first, with the users they name.
func (s *UserService) ListGrants(ctx context.Context, p *Principal, f GrantFilter, cursor string) ([]Grant, string, error) {
	if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
		return nil, "", err
	}
	var fe FieldErrors
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be pending, confirmed, refused or cancelled")
	}
	if f.Limit == 0 {
		f.Limit = ListDefault
	}
	if f.Limit < 1 || f.Limit > ListMaxLimit {
		fe.Add("limit", "must be between 1 and %d", ListMaxLimit)
	}
	if err := fe.Err("invalid filter"); err != nil {
		return nil, "", err
	}
	before, err := DecodeCursor("cursor", cursor)
	if err != nil {
		return nil, "", err
	}
	limit := f.Limit
	f.Before, f.Limit = before, limit+1
	gs, err := s.Grants.Grants(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(gs) > limit {
		gs = gs[:limit]
		next = EncodeCursor(gs[limit-1].ID)
	}
	return gs, next, s.resolve(ctx, gs)
}

// ConfirmGrant makes a pending grant take effect.
func (s *UserService) ConfirmGrant(ctx context.Context, p *Principal, id int64) (*Grant, error) {
	return s.decide(ctx, p, id, GrantConfirmed, "")
}

// RefuseGrant turns a pending grant down, with an optional reason.
func (s *UserService) RefuseGrant(ctx context.Context, p *Principal, id int64, reason string) (*Grant, error) {
	return s.decide(ctx, p, id, GrantRefused, reason)
}

// decide confirms or refuses a grant. The decision belongs to an
// administrator other than the one who asked and other than the grantee:
// that is the whole point of a grant.
func (s *UserService) decide(ctx context.Context, p *Principal, id int64, status GrantStatus, reason string) (*Grant, error) {
	subject := grantSubject(id)
	if err := s.guard().write(ctx, p, ActUserManage, Resource{}, subject); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		return nil, Invalid("reason too long", FieldError{Field: "reason", Message: "must be at most 1000 characters"})
	}
	g, err := s.Grants.Grant(ctx, id)
	if err != nil {
		return nil, err
	}
	if g.Status != GrantPending {
		return nil, Errorf(ECONFLICT, "the grant is already %s", g.Status)
	}
	var refusal string
	switch {
	case g.UserID == p.User.ID:
		refusal = "the grant is yours; another administrator must decide on it"
	case g.RequestedBy == p.User.ID && !s.SingleAdmin:
		refusal = "you asked for this grant; another administrator must decide on it"
	}
	if refusal != "" {
		detail := map[string]any{"action": "grant." + string(status), "reason": refusal}
		if err := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditPermissionDenied, subject, detail)); err != nil {
			return nil, err
		}
		return nil, Errorf(EFORBIDDEN, "%s", refusal)
	}
	g.Status, g.DecidedBy, g.DecidedAt, g.Reason = status, p.User.ID, s.Clock.Now(), reason
	action := AuditGrantConfirmed
	if status == GrantRefused {
		action = AuditGrantRefused
	}
	if err := s.Grants.DecideGrant(ctx, g, GrantAudit(g, action, p.User.ID, g.DecidedAt)); err != nil {
		return nil, err
	}
	g.PasswordHash = ""
	gs := []Grant{*g}
	return &gs[0], s.resolve(ctx, gs)
}

// resolve loads the grantees, requesters and deciders of grants and
// forgets the passwords that resets carry.
func (s *UserService) resolve(ctx context.Context, gs []Grant) error {
	users := map[int64]*User{}
	load := func(id int64) (*User, error) {
		if id == 0 || users[id] != nil {
			return users[id], nil
		}
		u, err := s.Users.UserByID(ctx, id)
		users[id] = u
		return u, err
	}
	for i := range gs {
		g := &gs[i]
		g.PasswordHash = ""
		var err error
		if g.Grantee, err = load(g.UserID); err != nil {
			return err
		}
		if g.Requester, err = load(g.RequestedBy); err != nil {
			return err
		}
		if g.Decider, err = load(g.DecidedBy); err != nil {
			return err
		}
	}
	return nil
}

// pendingOf returns the pending grants of a user. With resolve they are
// for display: the people they name are loaded and no password is kept.
func (s *UserService) pendingOf(ctx context.Context, userID int64, resolve bool) ([]Grant, error) {
	gs, err := s.Grants.Grants(ctx, GrantFilter{UserID: userID, Status: GrantPending})
	if err != nil || !resolve {
		return gs, err
	}
	return gs, s.resolve(ctx, gs)
}

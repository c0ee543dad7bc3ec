package cms

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// UserService manages accounts and their role bindings. Only callers the
// authorizer allows to manage users (admin) may change anything, and no
// administrator alone can put anyone in the chain: the passwords they set
// are one-time, and the roles that decide in the chain (and admin) as well
// as new passwords for their holders wait for a second administrator.
type UserService struct {
	Users      UserStore
	Grants     GrantStore
	Structure  StructureStore
	Hasher     PasswordHasher
	Policy     *PasswordPolicy
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	// SingleAdmin lets the grants of a lone administrator take effect at
	// once (CMS_SINGLE_ADMIN); passwords they set stay one-time.
	SingleAdmin bool
}

func (s *UserService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// NewUser is the input for creating an account.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Department  string
	Roles       []RoleBinding
}

// UserUpdate changes an account; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string
	Department  *string
	Disabled    *bool
	Roles       *[]RoleBinding
	// Password resets the password; the user must change it at next login.
	// For an account that decides in the chain (or an administrator) the
	// reset waits for a second administrator.
	Password *string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Create adds an account after checking the caller may manage users.
func (s *UserService) Create(ctx context.Context, p *Principal, in NewUser) (*User, error) {
	if err := s.guard().write(ctx, p, ActUserManage, Resource{}, "users"); err != nil {
		return nil, err
	}
	u, err := s.create(ctx, p.User.ID, in, true, !s.SingleAdmin)
	if err != nil {
		return nil, err
	}
	return u, s.resolve(ctx, u.PendingGrants)
}

// Bootstrap creates the first administrator when there are no users at all.
// With an empty password it generates one and returns it so that it can be
// shown once; a generated password must be changed at first login.
func (s *UserService) Bootstrap(ctx context.Context, password, department string) (created bool, generated string, err error) {
	n, err := s.Users.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		if generated, err = GeneratePassword(20); err != nil {
			return false, "", err
		}
		password = generated
	}
	in := NewUser{Username: "admin", DisplayName: "Administrator", Password: password, Department: department,
		Roles: []RoleBinding{{Role: RoleAdmin, Department: department}}}
	if _, err := s.create(ctx, 0, in, generated != "", false); err != nil {
		return false, "", err
	}
	return true, generated, nil
}

// AddFromCLI creates an account for an operator at the console, who acts with
// the authority of the machine rather than of a signed-in user: its roles
// take effect at once and its password is the one the operator typed.
func (s *UserService) AddFromCLI(ctx context.Context, in NewUser) (*User, error) {
	return s.create(ctx, 0, in, false, false)
}

// create adds an account. oneTime makes its password one-time; deferRoles
// turns the roles that need a second administrator into pending grants.
func (s *UserService) create(ctx context.Context, actorID int64, in NewUser, oneTime, deferRoles bool) (*User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var fe FieldErrors
	if !usernamePattern.MatchString(in.Username) {
		fe.Add("username", "must be 2-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(in.DisplayName) > 100 {
		fe.Add("display_name", "must be at most 100 characters")
	}
	if err := s.Policy.Check("password", in.Username, in.DisplayName, in.Password); err != nil {
		fe = append(fe, err.(*Error).Fields...)
	}
	depts, err := s.departmentSet(ctx)
	if err != nil {
		return nil, err
	}
	if !depts[in.Department] {
		fe.Add("department", "unknown department %q", in.Department)
	}
	in.Roles = s.checkRoles(&fe, in.Roles, in.Department, depts)
	if err := fe.Err("invalid user"); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	u := &User{Username: in.Username, DisplayName: in.DisplayName, Department: in.Department,
		PasswordChangedAt: now, MustChangePassword: oneTime, CreatedAt: now, UpdatedAt: now}
	var requests []Grant
	u.Roles, requests, _ = splitRoles(in.Roles, nil, nil, deferRoles)
	for i := range requests {
		requests[i].RequestedBy, requests[i].RequestedAt = actorID, now
	}
	audit := NewAuditEntry(now, actorID, AuditUserCreated, "username:"+u.Username,
		map[string]any{"department": u.Department, "roles": bindingStrings(u.Roles), "pending_grants": grantStrings(requests),
			"one_time_password": oneTime})
	if err := s.Users.CreateUser(ctx, u, hash, requests, audit); err != nil {
		return nil, err
	}
	u.PendingGrants = requests
	return u, nil
}

// splitRoles divides the bindings an account should hold into those in
// effect at once (held already, or needing nobody else) and new requests
// for a second administrator, and names the pending role grants that the
// new set no longer asks for (or makes moot).
func splitRoles(desired, held []RoleBinding, pending []Grant, deferRoles bool) (effective []RoleBinding, requests, cancels []Grant) {
	waiting := map[RoleBinding]bool{}
	for _, b := range desired {
		if slices.Contains(held, b) || !deferRoles || !b.Role.NeedsSecondAdmin() {
			effective = append(effective, b)
			continue
		}
		waiting[b] = true
		if !slices.ContainsFunc(pending, func(g Grant) bool { return g.Kind == GrantRole && g.Binding == b }) {
			requests = append(requests, Grant{Kind: GrantRole, Binding: b, Status: GrantPending})
		}
	}
	for _, g := range pending {
		if g.Kind == GrantRole && !waiting[g.Binding] {
			cancels = append(cancels, g)
		}
	}
	return effective, requests, cancels
}

// checkRoles validates bindings, defaults the department of centre-wide
// roles to the user's own and drops duplicates.
func (s *UserService) checkRoles(fe *FieldErrors, roles []RoleBinding, userDept string, depts map[string]bool) []RoleBinding {
	seen := map[RoleBinding]bool{}
	var out []RoleBinding
	for i, b := range roles {
		if !b.Role.Valid() {
			fe.Add(fieldIndex("roles", i, "role"), "unknown role %q", b.Role)
			continue
		}
		if b.Department == "" && b.Role.CentreWide() {
			b.Department = userDept
		}
		if !depts[b.Department] {
			fe.Add(fieldIndex("roles", i, "department"), "unknown department %q", b.Department)
			continue
		}
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

func (s *UserService) departmentSet(ctx context.Context) (map[string]bool, error) {
	depts, err := s.Structure.Departments(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(depts))
	for _, d := range depts {
		m[d.Slug] = true
	}
	return m, nil
}

// List returns the accounts matching f with their pending grants.
func (s *UserService) List(ctx context.Context, p *Principal, f UserFilter) ([]User, error) {
	if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
		return nil, err
	}
	users, err := s.Users.Users(ctx, f)
	if err != nil || len(users) == 0 {
		return users, err
	}
	pending, err := s.Grants.Grants(ctx, GrantFilter{Status: GrantPending})
	if err != nil {
		return nil, err
	}
	if err := s.resolve(ctx, pending); err != nil {
		return nil, err
	}
	byUser := map[int64][]Grant{}
	for _, g := range pending {
		byUser[g.UserID] = append(byUser[g.UserID], g)
	}
	for i := range users {
		users[i].PendingGrants = byUser[users[i].ID]
	}
	return users, nil
}

// Get returns one account with its pending grants. Anyone may read their own.
func (s *UserService) Get(ctx context.Context, p *Principal, id int64) (*User, error) {
	if p == nil || p.User == nil || p.User.ID != id || p.PasswordExpired || p.OTPEnrolmentRequired {
		if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
			return nil, err
		}
	}
	return s.withPending(ctx, id)
}

func (s *UserService) withPending(ctx context.Context, id int64) (*User, error) {
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	u.PendingGrants, err = s.pendingOf(ctx, id, true)
	return u, err
}

// Update changes an account, in one transaction with its audit entries.
// Disabling an account or resetting its password revokes its sessions.
// Administrators cannot disable themselves or take away their own admin
// role, so the centre is never left without one, nor grant themselves
// anything. Roles that need a second administrator, and a new password for
// an account that holds or waits for one (unless it is the caller's own),
// become pending grants; bindings and resets still pending that the update
// no longer asks for are withdrawn.
func (s *UserService) Update(ctx context.Context, p *Principal, id int64, in UserUpdate) (*User, error) {
	if err := s.guard().write(ctx, p, ActUserManage, Resource{}, userSubject(id)); err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pending, err := s.pendingOf(ctx, id, false)
	if err != nil {
		return nil, err
	}
	depts, err := s.departmentSet(ctx)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
	s.updateProfile(&fe, p, u, in, depts)
	ch := &AccountChange{User: u}
	now := s.Clock.Now()
	if in.Roles != nil {
		before := u.Roles
		desired := s.checkRoles(&fe, *in.Roles, u.Department, depts)
		if id == p.User.ID && p.User.HasRole(RoleAdmin, "") && !slices.ContainsFunc(desired, func(b RoleBinding) bool { return b.Role == RoleAdmin }) {
			fe.Add("roles", "you cannot remove your own admin role")
		}
		if id == p.User.ID && grantsNew(before, desired) {
			// An administrator manages accounts but does not bypass the chain:
			// a role in it must come from another administrator.
			fe.Add("roles", "you cannot grant yourself a role; ask another administrator")
		}
		u.Roles, ch.Request, ch.Cancel = splitRoles(desired, before, pending, !s.SingleAdmin)
	}
	var hash string
	if in.Password != nil {
		if err := s.Policy.Check("password", u.Username, u.DisplayName, *in.Password); err != nil {
			fe = append(fe, err.(*Error).Fields...)
		} else if hash, err = s.Hasher.Hash(*in.Password); err != nil {
			return nil, err
		}
	}
	if err := fe.Err("invalid user"); err != nil {
		return nil, err
	}
	u.UpdatedAt = now
	s.reset(ch, p, pending, hash, now)
	ch.EndSessions = ch.EndSessions || u.Disabled
	ch.stamp(p.User.ID, now, hash != "")
	if err := s.Users.UpdateUser(ctx, ch); err != nil {
		return nil, err
	}
	return s.withPending(ctx, id)
}

// stamp records who made the change and when on its grants, and writes its
// audit entries.
func (c *AccountChange) stamp(actorID int64, now time.Time, passwordGiven bool) {
	u := c.User
	for i := range c.Request {
		c.Request[i].UserID, c.Request[i].RequestedBy, c.Request[i].RequestedAt = u.ID, actorID, now
	}
	for i := range c.Cancel {
		c.Cancel[i].Status, c.Cancel[i].DecidedBy, c.Cancel[i].DecidedAt = GrantCancelled, actorID, now
	}
	detail := map[string]any{"display_name": u.DisplayName, "department": u.Department, "disabled": u.Disabled,
		"roles": bindingStrings(u.Roles), "pending_grants": grantStrings(c.Request), "password_reset": c.PasswordHash != "",
		"password_reset_pending": passwordGiven && c.PasswordHash == ""}
	c.Audit = []AuditEntry{NewAuditEntry(now, actorID, AuditUserUpdated, userSubject(u.ID), detail)}
	if c.PasswordHash != "" {
		c.Audit = append(c.Audit, NewAuditEntry(now, actorID, AuditPasswordChanged, userSubject(u.ID),
			map[string]any{"reset": true, "one_time": true}))
	}
}

// updateProfile applies the name, department and disabled flag of an update.
func (s *UserService) updateProfile(fe *FieldErrors, p *Principal, u *User, in UserUpdate, depts map[string]bool) {
	if in.DisplayName != nil {
		name := strings.TrimSpace(*in.DisplayName)
		if name == "" || utf8.RuneCountInString(name) > 100 {
			fe.Add("display_name", "must be 1-100 characters")
		}
		u.DisplayName = name
	}
	if in.Department != nil {
		if !depts[*in.Department] {
			fe.Add("department", "unknown department %q", *in.Department)
		}
		u.Department = *in.Department
	}
	if in.Disabled != nil {
		if *in.Disabled && u.ID == p.User.ID {
			fe.Add("disabled", "you cannot disable your own account")
		}
		u.Disabled = *in.Disabled
	}
}

// reset puts a new password (hash, "" for none) into ch: at once and
// one-time, or, for someone else's account that decides in the chain or
// waits to, as a pending grant. Either way it replaces a pending reset.
func (s *UserService) reset(ch *AccountChange, p *Principal, pending []Grant, hash string, now time.Time) {
	if hash == "" {
		return
	}
	decides := slices.ContainsFunc(ch.User.Roles, func(b RoleBinding) bool { return b.Role.NeedsSecondAdmin() }) || len(ch.Request) > 0
	for _, g := range pending {
		switch {
		case g.Kind == GrantPasswordReset:
			ch.Cancel = append(ch.Cancel, g)
		case !slices.ContainsFunc(ch.Cancel, func(c Grant) bool { return c.ID == g.ID }):
			decides = true
		}
	}
	if decides && ch.User.ID != p.User.ID && !s.SingleAdmin {
		ch.Request = append(ch.Request, Grant{Kind: GrantPasswordReset, PasswordHash: hash, Status: GrantPending})
		return
	}
	ch.PasswordHash, ch.EndSessions = hash, true
	ch.User.PasswordChangedAt, ch.User.MustChangePassword = now, true
}

func fieldIndex(list string, i int, field string) string {
	return list + "[" + itoa(i) + "]." + field
}

func itoa(i int) string { return strconv.Itoa(i) }

// grantStrings names what grants ask for: role:department, or password_reset.
func grantStrings(gs []Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = string(g.Kind)
		if g.Kind == GrantRole {
			out[i] = string(g.Binding.Role) + ":" + g.Binding.Department
		}
	}
	return out
}

func bindingStrings(roles []RoleBinding) []string {
	out := make([]string, len(roles))
	for i, b := range roles {
		out[i] = string(b.Role) + ":" + b.Department
	}
	return out
}

// grantsNew reports whether after holds a binding before did not.
func grantsNew(before, after []RoleBinding) bool {
	had := map[RoleBinding]bool{}
	for _, b := range before {
		had[b] = true
	}
	for _, b := range after {
		if !had[b] {
			return true
		}
	}
	return false
}

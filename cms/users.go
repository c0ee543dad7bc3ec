package cms

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// UserService manages accounts and their role bindings. Only callers the
// authorizer allows to manage users (admin) may change anything.
type UserService struct {
	Users      UserStore
	Structure  StructureStore
	Hasher     PasswordHasher
	Policy     *PasswordPolicy
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
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
	Password *string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Create adds an account after checking the caller may manage users.
func (s *UserService) Create(ctx context.Context, p *Principal, in NewUser) (*User, error) {
	if err := s.guard().write(ctx, p, ActUserManage, Resource{}, "users"); err != nil {
		return nil, err
	}
	return s.create(ctx, p.User.ID, in, false)
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
	if _, err := s.create(ctx, 0, in, generated != ""); err != nil {
		return false, "", err
	}
	return true, generated, nil
}

// AddFromCLI creates an account for an operator at the console, who acts with
// the authority of the machine rather than of a signed-in user.
func (s *UserService) AddFromCLI(ctx context.Context, in NewUser) (*User, error) {
	return s.create(ctx, 0, in, false)
}

func (s *UserService) create(ctx context.Context, actorID int64, in NewUser, mustChange bool) (*User, error) {
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
	u := &User{Username: in.Username, DisplayName: in.DisplayName, Department: in.Department, Roles: in.Roles,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if mustChange {
		u.PasswordChangedAt = now.AddDate(-10, 0, 0)
	}
	audit := NewAuditEntry(now, actorID, AuditUserCreated, "username:"+u.Username,
		map[string]any{"department": u.Department, "roles": bindingStrings(u.Roles)})
	if err := s.Users.CreateUser(ctx, u, hash, audit); err != nil {
		return nil, err
	}
	return u, nil
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

// List returns the accounts matching f.
func (s *UserService) List(ctx context.Context, p *Principal, f UserFilter) ([]User, error) {
	if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
		return nil, err
	}
	return s.Users.Users(ctx, f)
}

// Get returns one account. Anyone may read their own.
func (s *UserService) Get(ctx context.Context, p *Principal, id int64) (*User, error) {
	if p == nil || p.User == nil || p.User.ID != id || p.PasswordExpired || p.OTPEnrolmentRequired {
		if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
			return nil, err
		}
	}
	return s.Users.UserByID(ctx, id)
}

// Update changes an account. Disabling an account or resetting its password
// revokes its sessions. Administrators cannot disable themselves or take
// away their own admin role, so the centre is never left without one.
func (s *UserService) Update(ctx context.Context, p *Principal, id int64, in UserUpdate) (*User, error) {
	if err := s.guard().write(ctx, p, ActUserManage, Resource{}, userSubject(id)); err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	depts, err := s.departmentSet(ctx)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
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
		if *in.Disabled && id == p.User.ID {
			fe.Add("disabled", "you cannot disable your own account")
		}
		u.Disabled = *in.Disabled
	}
	if in.Roles != nil {
		before := u.Roles
		u.Roles = s.checkRoles(&fe, *in.Roles, u.Department, depts)
		if id == p.User.ID && p.User.HasRole(RoleAdmin, "") && !u.HasRole(RoleAdmin, "") {
			fe.Add("roles", "you cannot remove your own admin role")
		}
		if id == p.User.ID && grantsNew(before, u.Roles) {
			// An administrator manages accounts but does not bypass the chain:
			// a role in it must come from another administrator.
			fe.Add("roles", "you cannot grant yourself a role; ask another administrator")
		}
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
	u.UpdatedAt = s.Clock.Now()
	detail := map[string]any{"display_name": u.DisplayName, "department": u.Department, "disabled": u.Disabled,
		"roles": bindingStrings(u.Roles), "password_reset": hash != ""}
	if err := s.Users.UpdateUser(ctx, u, NewAuditEntry(u.UpdatedAt, p.User.ID, AuditUserUpdated, userSubject(id), detail)); err != nil {
		return nil, err
	}
	if hash != "" {
		// A reset password counts as expired: its owner must choose a new one.
		audit := NewAuditEntry(u.UpdatedAt, p.User.ID, AuditPasswordChanged, userSubject(id), map[string]any{"reset": true})
		if err := s.Users.SetPassword(ctx, id, hash, u.UpdatedAt.AddDate(-10, 0, 0), audit); err != nil {
			return nil, err
		}
	}
	if hash != "" || u.Disabled {
		if err := s.Users.DeleteUserSessions(ctx, id, 0); err != nil {
			return nil, err
		}
	}
	return s.Users.UserByID(ctx, id)
}

func fieldIndex(list string, i int, field string) string {
	return list + "[" + itoa(i) + "]." + field
}

func itoa(i int) string { return strconv.Itoa(i) }

// GeneratePassword returns a random password of n characters that passes CheckPassword.
func GeneratePassword(n int) (string, error) {
	const (
		lower  = "abcdefghijkmnopqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		other  = "-_.!@#%+="
	)
	sets := []string{lower, upper, digits, other}
	all := strings.Join(sets, "")
	for range 100 {
		b := make([]byte, n)
		for i := range b {
			set := all
			if i < len(sets) {
				set = sets[i]
			}
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
			if err != nil {
				return "", err
			}
			b[i] = set[k.Int64()]
		}
		// Shuffle so the class order of the first characters is not fixed.
		for i := len(b) - 1; i > 0; i-- {
			k, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			if err != nil {
				return "", err
			}
			j := k.Int64()
			b[i], b[j] = b[j], b[i]
		}
		if pw := string(b); CheckPassword("password", "admin", pw) == nil {
			return pw, nil
		}
	}
	return "", errors.New("could not generate a password")
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

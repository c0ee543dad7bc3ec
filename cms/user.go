package cms

import (
	"context"
	"time"
)

// Role is what a user may do, held for a department.
type Role string

// The roles of the editorial chain and around it.
const (
	RoleEditor          Role = "editor"
	RoleDeptHead        Role = "dept_head"
	RoleLeader          Role = "leader"
	RoleDirector        Role = "director"
	RoleSecrecyReviewer Role = "secrecy_reviewer"
	RolePublisher       Role = "publisher"
	RoleAuditor         Role = "auditor"
	RoleAdmin           Role = "admin"
)

// Roles lists every role in the order of the chain.
var Roles = []Role{RoleEditor, RoleDeptHead, RoleLeader, RoleDirector, RoleSecrecyReviewer, RolePublisher, RoleAuditor, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// CentreWide reports whether the role acts for the whole centre. The
// department of a centre-wide binding says where the person sits, not what
// they may act on; editor, dept_head and leader act for their department only.
func (r Role) CentreWide() bool {
	switch r {
	case RoleDirector, RoleSecrecyReviewer, RolePublisher, RoleAuditor, RoleAdmin:
		return true
	}
	return false
}

// RoleBinding grants a role for a department.
type RoleBinding struct {
	Role       Role
	Department string
}

// User is a member of staff who signs in to the management API.
type User struct {
	ID                int64
	Username          string
	DisplayName       string
	Department        string
	Roles             []RoleBinding
	Disabled          bool
	PasswordChangedAt time.Time
	FailedLogins      int
	LockedUntil       time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// HasRole reports whether the user holds role for dept (any department when dept is "").
func (u *User) HasRole(role Role, dept string) bool {
	for _, b := range u.Roles {
		if b.Role == role && (dept == "" || b.Department == dept || role.CentreWide()) {
			return true
		}
	}
	return false
}

// Session is a signed-in user's bearer token or console cookie. Only the
// token's hash is stored.
type Session struct {
	ID        int64
	UserID    int64
	Kind      SessionKind
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// UserFilter narrows a user listing.
type UserFilter struct {
	Department string
	Role       Role
}

// UserStore persists users, their credentials, role bindings and sessions.
type UserStore interface {
	// CreateUser stores u with its role bindings and password hash, setting u.ID.
	CreateUser(ctx context.Context, u *User, passwordHash string, audit AuditEntry) error
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserByUsername returns the user and their password hash.
	UserByUsername(ctx context.Context, username string) (*User, string, error)
	Users(ctx context.Context, f UserFilter) ([]User, error)
	CountUsers(ctx context.Context) (int, error)
	// UpdateUser stores display name, department, disabled and roles of u.
	UpdateUser(ctx context.Context, u *User, audit AuditEntry) error
	// SetPassword replaces the hash, records when it changed and clears failed logins.
	SetPassword(ctx context.Context, userID int64, hash string, changedAt time.Time, audit AuditEntry) error
	// RecordLoginFailure counts a failed login and locks the account until
	// lockUntil once the count reaches threshold. It returns the new count.
	RecordLoginFailure(ctx context.Context, userID int64, threshold int, lockUntil time.Time, audit AuditEntry) (int, error)
	// CreateSession stores a new session and clears failed logins of its user.
	CreateSession(ctx context.Context, s *Session, audit AuditEntry) error
	SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Session, error)
	// TouchSession moves the end of a session to expiresAt (console sessions
	// end after a while without activity).
	TouchSession(ctx context.Context, id int64, expiresAt time.Time) error
	DeleteSession(ctx context.Context, id int64, audit AuditEntry) error
	// DeleteUserSessions revokes every session of a user except keep (0: all).
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
}

// PasswordHasher hashes passwords with a memory-hard function.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches hash.
	Verify(password, hash string) (bool, error)
}

// Clock tells the time; tests substitute their own.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock in UTC.
type SystemClock struct{}

// Now returns the current time in UTC to the microsecond, the precision
// both databases store, so that a value reads back as it was written.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

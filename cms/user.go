package cms

import (
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
	// MustChangePassword is set while the password is one an administrator
	// chose (on creation or reset): its owner must replace it before
	// anything else.
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time
	OTPEnabled         bool // a second factor is enrolled
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// PendingGrants are the grants waiting for a second administrator,
	// filled by the user management services (not by every read).
	PendingGrants []Grant
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

// AccountChange is an update of an account that the store applies in one
// transaction, with its audit entries, or not at all.
type AccountChange struct {
	// User holds the new display name, department, disabled and
	// must-change flags, and the role bindings in effect.
	User *User
	// PasswordHash, when set, replaces the password at once, as changed at
	// User.PasswordChangedAt; failed logins are cleared.
	PasswordHash string
	// Request are new pending grants (each audited as requested by its
	// requester); Cancel are pending grants the change withdraws (audited as
	// cancelled by DecidedBy). A grant no longer pending is a conflict.
	Request []Grant
	Cancel  []Grant
	// EndSessions revokes every session of the account.
	EndSessions bool
	Audit       []AuditEntry
}

// Attempt is a password check reserved against the lockout: the N-th of
// the current count of the user's Epoch, which moves whenever the count
// restarts (a login, a lock, an unlock, a new password).
type Attempt struct {
	UserID      int64
	N           int
	Epoch       int64
	LockedUntil time.Time // when nothing was reserved because the account is locked
}

// SystemClock is the wall clock in UTC.
type SystemClock struct{}

// Now returns the current time in UTC to the microsecond, the precision
// both databases store, so that a value reads back as it was written.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

package cms

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// AuthConfig holds the account rules: session lifetime, password age and lockout.
type AuthConfig struct {
	SessionTTL       time.Duration // how long a login token lives
	PasswordMaxAge   time.Duration // after this a password must be changed (seed rule: three months)
	LockoutThreshold int           // failed logins in a row that lock the account
	LockoutDuration  time.Duration // how long a locked account stays locked
	ConsoleIdle      time.Duration // how long a staff console session lives without activity
}

// DefaultAuthConfig follows the seed rules: 90-day passwords, lockout for 15
// minutes after 5 failed logins.
func DefaultAuthConfig() AuthConfig {
	return AuthConfig{
		SessionTTL:       12 * time.Hour,
		PasswordMaxAge:   90 * 24 * time.Hour,
		LockoutThreshold: 5,
		LockoutDuration:  15 * time.Minute,
		ConsoleIdle:      30 * time.Minute,
	}
}

// AuthService signs users in and out, resolves bearer tokens and changes passwords.
type AuthService struct {
	Users  UserStore
	Hasher PasswordHasher
	Clock  Clock
	Config AuthConfig
	Audit  AuditLog

	dummyOnce sync.Once
	dummyHash string
}

// LoginResult is what a successful login returns: the bearer token, shown
// to the client once and stored only as a hash.
type LoginResult struct {
	Token           string
	ExpiresAt       time.Time
	User            *User
	PasswordExpired bool
}

// tokenPrefix marks bearer tokens so that leaked ones are easy to recognise.
const tokenPrefix = "cms_"

// HashToken returns the stored form of a bearer token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

var errBadCredentials = Errorf(EUNAUTHORIZED, "wrong username or password")

// Login checks a username and password and opens a session. Wrong
// credentials count towards the lockout; a locked account is refused even
// with the right password until the lock expires.
func (s *AuthService) Login(ctx context.Context, username, password string) (*LoginResult, error) {
	return s.login(ctx, SessionAPI, username, password)
}

// login is Login for a session of the given kind.
func (s *AuthService) login(ctx context.Context, kind SessionKind, username, password string) (*LoginResult, error) {
	var fe FieldErrors
	if strings.TrimSpace(username) == "" {
		fe.Add("username", "is required")
	}
	if password == "" {
		fe.Add("password", "is required")
	}
	if err := fe.Err("username and password are required"); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	u, hash, err := s.Users.UserByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check so that timing does not tell
		// which usernames exist.
		s.spendVerifyTime(password)
		if err := s.Audit.Append(ctx, NewAuditEntry(now, 0, AuditLoginFailed, "username:"+truncate(username, 64),
			map[string]any{"reason": "unknown user"})); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if u.LockedUntil.After(now) {
		if err := s.Audit.Append(ctx, NewAuditEntry(now, u.ID, AuditLoginFailed, userSubject(u.ID),
			map[string]any{"reason": "locked"})); err != nil {
			return nil, err
		}
		return nil, &Error{Code: ELOCKED, Message: "too many failed logins; the account is locked for a while", RetryAfter: u.LockedUntil.Sub(now)}
	}
	ok, err := s.Hasher.Verify(password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u.Disabled {
		reason := "wrong password"
		if u.Disabled {
			reason = "disabled"
		}
		_, err := s.Users.RecordLoginFailure(ctx, u.ID, s.Config.LockoutThreshold, now.Add(s.Config.LockoutDuration),
			NewAuditEntry(now, u.ID, AuditLoginFailed, userSubject(u.ID), map[string]any{"reason": reason}))
		if err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	token, sess, err := s.newSession(kind, u.ID, now)
	if err != nil {
		return nil, err
	}
	if err := s.Users.CreateSession(ctx, sess, NewAuditEntry(now, u.ID, AuditLogin, userSubject(u.ID), nil)); err != nil {
		return nil, err
	}
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	return &LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, User: u, PasswordExpired: s.passwordExpired(u, now)}, nil
}

func (s *AuthService) passwordExpired(u *User, now time.Time) bool {
	return s.Config.PasswordMaxAge > 0 && !u.PasswordChangedAt.Add(s.Config.PasswordMaxAge).After(now)
}

// Authenticate resolves a bearer token to its principal. Unknown, revoked
// and expired tokens, and tokens of disabled users, are refused.
func (s *AuthService) Authenticate(ctx context.Context, token string) (*Principal, error) {
	return s.authenticate(ctx, SessionAPI, token)
}

// authenticate resolves a token of a session of the given kind; a token
// of another kind is refused as if unknown.
func (s *AuthService) authenticate(ctx context.Context, kind SessionKind, token string) (*Principal, error) {
	if !strings.HasPrefix(token, kind.prefix()) || len(token) > 128 {
		return nil, Errorf(EUNAUTHORIZED, "invalid or expired token")
	}
	now := s.Clock.Now()
	sess, err := s.Users.SessionByTokenHash(ctx, HashToken(token), now)
	if errors.Is(err, ErrNotFound) || (err == nil && sess.Kind != kind) {
		return nil, Errorf(EUNAUTHORIZED, "invalid or expired token")
	}
	if err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, Errorf(EUNAUTHORIZED, "invalid or expired token")
	}
	return &Principal{User: u, SessionID: sess.ID, PasswordExpired: s.passwordExpired(u, now)}, nil
}

// Logout revokes the caller's token.
func (s *AuthService) Logout(ctx context.Context, p *Principal) error {
	if err := s.Users.DeleteSession(ctx, p.SessionID, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditLogout, userSubject(p.User.ID), nil)); err != nil {
		return err
	}
	return nil
}

// ChangePassword replaces the caller's password after checking the current
// one. Every other session of the caller is revoked.
func (s *AuthService) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	_, hash, err := s.Users.UserByUsername(ctx, p.User.Username)
	if err != nil {
		return err
	}
	ok, err := s.Hasher.Verify(current, hash)
	if err != nil {
		return err
	}
	if !ok {
		// Guessing the current password with a stolen token counts like
		// failed logins: at the threshold the account locks and every
		// session of it ends.
		now := s.Clock.Now()
		n, err := s.Users.RecordLoginFailure(ctx, p.User.ID, s.Config.LockoutThreshold, now.Add(s.Config.LockoutDuration),
			NewAuditEntry(now, p.User.ID, AuditLoginFailed, userSubject(p.User.ID), map[string]any{"reason": "wrong current password"}))
		if err != nil {
			return err
		}
		if n >= s.Config.LockoutThreshold {
			if err := s.Users.DeleteUserSessions(ctx, p.User.ID, 0); err != nil {
				return err
			}
		}
		return Invalid("current password is wrong", FieldError{Field: "current_password", Message: "does not match"})
	}
	if current == next {
		return Invalid("new password must differ", FieldError{Field: "new_password", Message: "must differ from the current password"})
	}
	if err := CheckPassword("new_password", p.User.Username, next); err != nil {
		return err
	}
	newHash, err := s.Hasher.Hash(next)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if err := s.Users.SetPassword(ctx, p.User.ID, newHash, now, NewAuditEntry(now, p.User.ID, AuditPasswordChanged, userSubject(p.User.ID), nil)); err != nil {
		return err
	}
	if err := s.Users.DeleteUserSessions(ctx, p.User.ID, p.SessionID); err != nil {
		return err
	}
	p.PasswordExpired = false
	return nil
}

// spendVerifyTime runs one password check against a throwaway hash.
func (s *AuthService) spendVerifyTime(password string) {
	s.dummyOnce.Do(func() { s.dummyHash, _ = s.Hasher.Hash("not a real password, it only spends time") })
	_, _ = s.Hasher.Verify(password, s.dummyHash)
}

func userSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// truncate cuts s to at most n bytes on a rune boundary, for log subjects
// built from untrusted input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

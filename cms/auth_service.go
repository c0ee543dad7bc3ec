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

// AuthConfig holds the account rules: session lifetime, password age,
// lockout and the login throttles.
type AuthConfig struct {
	SessionTTL       time.Duration // how long a login token lives
	PasswordMaxAge   time.Duration // after this a password must be changed (seed rule: three months)
	LockoutThreshold int           // failed logins in a row that lock the account
	LockoutDuration  time.Duration // how long a locked account stays locked
	// AddressLimit and UserLimit are the login attempts allowed per minute
	// (and in a burst) per client address and per username, checked
	// before any password is hashed; 0 means no limit.
	AddressLimit int
	UserLimit    int
	// Require2FA makes the SecondFactorRoles enrol a second factor before
	// they may do anything else.
	Require2FA  bool
	ConsoleIdle time.Duration // how long a staff console session lives without activity
}

// DefaultAuthConfig follows the seed rules: 90-day passwords, lockout for 15
// minutes after 5 failed logins.
func DefaultAuthConfig() AuthConfig {
	return AuthConfig{
		SessionTTL:       12 * time.Hour,
		PasswordMaxAge:   90 * 24 * time.Hour,
		LockoutThreshold: 5,
		LockoutDuration:  15 * time.Minute,
		AddressLimit:     60,
		UserLimit:        10,
		ConsoleIdle:      30 * time.Minute,
	}
}

// AuthService signs users in and out, resolves bearer tokens and changes passwords.
type AuthService struct {
	Users  UserStore
	Hasher PasswordHasher // bounded (BoundedHasher), so that logins cannot exhaust memory
	Policy *PasswordPolicy
	OTP    OTP
	Clock  Clock
	Config AuthConfig
	Audit  AuditLog
	// AddressThrottle and UserThrottle limit login attempts per client
	// address and per username before any hashing; nil means no limit.
	AddressThrottle Throttle
	UserThrottle    Throttle
	// SubjectKey keys the hash that stands for an unknown username in the
	// audit log (see MaskedName).
	SubjectKey []byte
	// Metrics counts refused logins and lockouts (nil: none).
	Metrics Metrics

	dummyMu   sync.Mutex
	dummyHash string
}

// LoginRequest is what a client sends to sign in, and the address it
// comes from.
type LoginRequest struct {
	Username string
	Password string
	OTP      string // the one-time code or a recovery code, for accounts with a second factor
	Client   string // the client's address, for the throttle
	// Kind is the session to open: an API bearer token unless the staff
	// console asks for a console session (ConsoleLogin).
	Kind SessionKind
}

// LoginResult is what a successful login returns: the bearer token, shown
// to the client once and stored only as a hash.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	User      *User
	// PasswordExpired says the password must be changed before anything
	// else; MustChangePassword that it is because an administrator chose it.
	PasswordExpired    bool
	MustChangePassword bool
	// OTPEnrolmentRequired: the user may only enrol a second factor until they do.
	OTPEnrolmentRequired bool
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

// Login checks a username and password and opens a session. Attempts
// beyond the throttles are refused before anything is looked up or hashed.
// Wrong credentials count towards the lockout; a locked account is refused
// even with the right password until the lock expires.
func (s *AuthService) Login(ctx context.Context, in LoginRequest) (*LoginResult, error) {
	username, password := in.Username, in.Password
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
	if err := s.throttle(in.Client, username); err != nil {
		metricsOf(s.Metrics).LoginFailed(LoginThrottled)
		return nil, err
	}
	now := s.Clock.Now()
	u, hash, err := s.Users.UserByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time (and take the same turn at hashing) as a
		// real check, so that neither timing nor a busy answer tells which
		// usernames exist.
		if err := s.spendVerifyTime(password); err != nil {
			return nil, err
		}
		if err := s.Audit.Append(ctx, NewAuditEntry(now, 0, AuditLoginFailed, "username:"+MaskedName(s.SubjectKey, username),
			map[string]any{"reason": "unknown user"})); err != nil {
			return nil, err
		}
		metricsOf(s.Metrics).LoginFailed(LoginUnknownUser)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if u.LockedUntil.After(now) {
		return nil, s.refuseLocked(ctx, u.ID, u.LockedUntil, now)
	}
	a, err := s.reserve(ctx, u.ID, now)
	if err != nil {
		return nil, err
	}
	ok, err := s.Hasher.Verify(password, hash)
	if err != nil {
		s.release(ctx, a)
		return nil, err
	}
	if !ok || u.Disabled {
		reason, failure := "wrong password", LoginWrongPassword
		if u.Disabled {
			reason, failure = "disabled", LoginDisabled
		}
		if _, err := s.fail(ctx, a, reason, failure, now); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	factor, err := s.verifySecondFactor(ctx, a, u, in.OTP, now)
	if err != nil {
		return nil, err
	}
	return s.openSession(ctx, in.Kind.orAPI(), a, u, factor, now)
}

// verifySecondFactor asks an account with a second factor for its code. A
// missing code gives the reservation back (the password was right, and a
// client asks in two steps); a wrong or replayed one counts as a failed
// login.
func (s *AuthService) verifySecondFactor(ctx context.Context, a Attempt, u *User, code string, now time.Time) (string, error) {
	if !u.OTPEnabled {
		return "", nil
	}
	if strings.TrimSpace(code) == "" {
		audit := NewAuditEntry(now, u.ID, AuditLoginFailed, userSubject(u.ID), map[string]any{"reason": "one-time code missing"})
		if err := s.Users.ReleaseAttempt(context.WithoutCancel(ctx), a, &audit); err != nil {
			return "", err
		}
		return "", errOTPRequired
	}
	factor, err := s.secondFactor(ctx, u, code, now)
	if err != nil {
		s.release(ctx, a)
		return "", err
	}
	if factor == "" {
		if _, err := s.fail(ctx, a, "wrong one-time code", LoginWrongCode, now); err != nil {
			return "", err
		}
		return "", errOTPInvalid
	}
	return factor, nil
}

// openSession completes a login: a new token, its session, and the
// reservation settled as a success.
func (s *AuthService) openSession(ctx context.Context, kind SessionKind, a Attempt, u *User, factor string, now time.Time) (*LoginResult, error) {
	token, sess, err := s.newSession(kind, u.ID, now)
	if err != nil {
		s.release(ctx, a)
		return nil, err
	}
	var detail map[string]any
	if factor != "" {
		detail = map[string]any{"second_factor": factor}
	}
	if err := s.Users.CreateSession(context.WithoutCancel(ctx), sess, NewAuditEntry(now, u.ID, AuditLogin, userSubject(u.ID), detail)); err != nil {
		return nil, err
	}
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	return &LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, User: u, PasswordExpired: s.passwordExpired(u, now),
		MustChangePassword: u.MustChangePassword, OTPEnrolmentRequired: s.mustEnrol(u)}, nil
}

// passwordExpired reports whether u must change the password before
// anything else: it is too old, or an administrator chose it.
func (s *AuthService) passwordExpired(u *User, now time.Time) bool {
	return u.MustChangePassword || s.Config.PasswordMaxAge > 0 && !u.PasswordChangedAt.Add(s.Config.PasswordMaxAge).After(now)
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
	if u.Disabled || u.LockedUntil.After(now) {
		return nil, Errorf(EUNAUTHORIZED, "invalid or expired token")
	}
	return &Principal{User: u, SessionID: sess.ID, PasswordExpired: s.passwordExpired(u, now),
		OTPEnrolmentRequired: s.mustEnrol(u)}, nil
}

// Logout revokes the caller's token.
func (s *AuthService) Logout(ctx context.Context, p *Principal) error {
	if err := s.Users.DeleteSession(ctx, p.SessionID, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditLogout, userSubject(p.User.ID), nil)); err != nil {
		return err
	}
	return nil
}

// PurgeSessions deletes every expired session. Expired tokens are refused
// anyway; this keeps the table from growing with them.
func (s *AuthService) PurgeSessions(ctx context.Context) (int, error) {
	return s.Users.PurgeSessions(ctx, s.Clock.Now())
}

// ChangePassword replaces the caller's password after checking the current
// one. Every other session of the caller is revoked.
func (s *AuthService) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	_, hash, err := s.Users.UserByUsername(ctx, p.User.Username)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	a, err := s.reserve(ctx, p.User.ID, now)
	if err != nil {
		return err
	}
	ok, err := s.Hasher.Verify(current, hash)
	if err != nil {
		s.release(ctx, a)
		return err
	}
	if !ok {
		// Guessing the current password with a stolen token counts like
		// failed logins: at the threshold the account locks and every
		// session of it ends.
		if _, err := s.fail(ctx, a, "wrong current password", LoginWrongCurrentPwd, now); err != nil {
			return err
		}
		return Invalid("current password is wrong", FieldError{Field: "current_password", Message: "does not match"})
	}
	// The right current password settles the check; the count restarts
	// when the new password is stored.
	s.release(ctx, a)
	if current == next {
		return Invalid("new password must differ", FieldError{Field: "new_password", Message: "must differ from the current password"})
	}
	if err := s.Policy.Check("new_password", p.User.Username, p.User.DisplayName, next); err != nil {
		return err
	}
	if err := s.checkHistory(ctx, p.User.ID, hash, next); err != nil {
		return err
	}
	newHash, err := s.Hasher.Hash(next)
	if err != nil {
		return err
	}
	now = s.Clock.Now()
	detail := map[string]any{}
	if p.User.MustChangePassword {
		detail["replaced_one_time"] = true
	}
	if err := s.Users.SetPassword(ctx, p.User.ID, newHash, now, NewAuditEntry(now, p.User.ID, AuditPasswordChanged, userSubject(p.User.ID), detail)); err != nil {
		return err
	}
	if err := s.Users.DeleteUserSessions(ctx, p.User.ID, p.SessionID); err != nil {
		return err
	}
	p.PasswordExpired, p.User.MustChangePassword = false, false
	return nil
}

// checkHistory refuses next when it is one of the account's last
// PasswordHistoryLength passwords. The current one (hash) was compared
// already; each older one costs a full check.
func (s *AuthService) checkHistory(ctx context.Context, userID int64, current, next string) error {
	hashes, err := s.Users.PasswordHistory(ctx, userID, PasswordHistoryLength)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		if h == current {
			continue
		}
		used, err := s.Hasher.Verify(next, h)
		if err != nil {
			return err
		}
		if used {
			return Invalid("password used recently", FieldError{Field: "new_password",
				Message: "must differ from your last " + itoa(PasswordHistoryLength) + " passwords"})
		}
	}
	return nil
}

// spendVerifyTime runs one password check against a throwaway hash.
func (s *AuthService) spendVerifyTime(password string) error {
	s.dummyMu.Lock()
	if s.dummyHash == "" {
		h, err := s.Hasher.Hash("not a real password, it only spends time")
		if err != nil {
			s.dummyMu.Unlock()
			return err
		}
		s.dummyHash = h
	}
	hash := s.dummyHash
	s.dummyMu.Unlock()
	_, err := s.Hasher.Verify(password, hash)
	return err
}

func userSubject(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// truncate cuts s to at most n bytes on a rune boundary, for keys
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

package cms

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// A second factor (RFC 6238 time-based one-time passwords) for the people
// who can publish or administer. Enrolment is two steps: StartOTP draws a
// secret and shows it once (otpauth URL and QR code); ConfirmOTP makes it
// the account's after a first valid code and returns recovery codes, shown
// once and stored hashed. Only another administrator can take it away.

// OTPKey is a new secret: sealed for storage, and in the forms an
// authenticator app takes it.
type OTPKey struct {
	Sealed string
	Secret string // base32, to type in by hand
	URL    string // otpauth://totp/…
	QRCode []byte // PNG of URL
}

// OTPEnrolment is what StartOTP shows the person enrolling.
type OTPEnrolment struct {
	Secret string
	URL    string
	QRCode []byte
}

// Second-factor errors.
var (
	errOTPRequired = Errorf(EOTPREQUIRED, "this account needs a one-time code from its authenticator app (otp)")
	errOTPInvalid  = Errorf(EOTPINVALID, "the one-time code is wrong or was used already")
)

// SecondFactorRoles may publish, sign off or administer: with
// AuthConfig.Require2FA they must enrol a second factor.
var SecondFactorRoles = []Role{RoleAdmin, RoleDirector, RoleSecrecyReviewer, RolePublisher}

// needsSecondFactor reports whether u holds a role that must have a second
// factor when it is required.
func (u *User) needsSecondFactor() bool {
	for _, r := range SecondFactorRoles {
		if u.HasRole(r, "") {
			return true
		}
	}
	return false
}

// mustEnrol reports whether u may do nothing but enrol a second factor.
func (s *AuthService) mustEnrol(u *User) bool {
	return s.Config.Require2FA && !u.OTPEnabled && u.needsSecondFactor()
}

// StartOTP begins the caller's enrolment: a new secret, shown only in this
// answer. Starting again replaces an enrolment not yet confirmed.
func (s *AuthService) StartOTP(ctx context.Context, p *Principal) (*OTPEnrolment, error) {
	if p.User.OTPEnabled {
		return nil, Errorf(ECONFLICT, "a second factor is enrolled already; another administrator can reset it")
	}
	k, err := s.OTP.NewKey(p.User.Username)
	if err != nil {
		return nil, err
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditOTPEnrolmentStarted, userSubject(p.User.ID), nil)
	if err := s.Users.StartOTP(ctx, p.User.ID, k.Sealed, audit); err != nil {
		return nil, err
	}
	return &OTPEnrolment{Secret: k.Secret, URL: k.URL, QRCode: k.QRCode}, nil
}

// RecoveryCodeCount is how many recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// ConfirmOTP completes the caller's enrolment with a first valid code and
// returns the recovery codes, which are shown only now.
func (s *AuthService) ConfirmOTP(ctx context.Context, p *Principal, code string) ([]string, error) {
	if p.User.OTPEnabled {
		return nil, Errorf(ECONFLICT, "a second factor is enrolled already")
	}
	_, pending, err := s.Users.OTPSecrets(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	if pending == "" {
		return nil, Errorf(ECONFLICT, "no enrolment under way; start one with POST /api/v1/me/otp")
	}
	now := s.Clock.Now()
	step, ok, err := s.OTP.Match(pending, code, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Invalid("wrong code", FieldError{Field: "code", Message: "is not the current code of the new secret"})
	}
	codes, hashes, err := newRecoveryCodes(RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	audit := NewAuditEntry(now, p.User.ID, AuditOTPEnabled, userSubject(p.User.ID), map[string]any{"recovery_codes": len(codes)})
	if err := s.Users.EnableOTP(ctx, p.User.ID, pending, step, hashes, now, audit); err != nil {
		return nil, err
	}
	p.User.OTPEnabled, p.OTPEnrolmentRequired = true, false
	return codes, nil
}

// secondFactor checks the code a login sent for an enrolled account: a
// current TOTP code not used before, or an unused recovery code. It names
// which for the audit log, or returns "" when the code is wrong.
func (s *AuthService) secondFactor(ctx context.Context, u *User, code string, now time.Time) (string, error) {
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		secret, _, err := s.Users.OTPSecrets(ctx, u.ID)
		if err != nil {
			return "", err
		}
		step, ok, err := s.OTP.Match(secret, code, now)
		if err != nil || !ok {
			return "", err
		}
		if ok, err = s.Users.UseOTPStep(ctx, u.ID, step); err != nil || !ok {
			return "", err // a code is good once: a replay within its window fails
		}
		return "totp", nil
	}
	h, ok := recoveryCodeHash(code)
	if !ok {
		return "", nil
	}
	audit := NewAuditEntry(now, u.ID, AuditRecoveryCodeUsed, userSubject(u.ID), nil)
	if ok, err := s.Users.UseRecoveryCode(ctx, u.ID, h, now, audit); err != nil || !ok {
		return "", err
	}
	return "recovery_code", nil
}

// newRecoveryCodes draws n codes of 80 random bits, written as four groups
// of four base32 letters, and their stored hashes. At 80 bits a plain
// SHA-256 is enough: they cannot be guessed, unlike passwords.
func newRecoveryCodes(n int) (codes, hashes []string, err error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range n {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		s := strings.ToLower(enc.EncodeToString(b))
		codes = append(codes, s[0:4]+"-"+s[4:8]+"-"+s[8:12]+"-"+s[12:16])
		h, _ := recoveryCodeHash(s)
		hashes = append(hashes, h)
	}
	return codes, hashes, nil
}

// recoveryCodeHash normalises a recovery code as typed (case, dashes and
// spaces do not matter) and returns its stored hash.
func recoveryCodeHash(code string) (string, bool) {
	code = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(code) != 16 {
		return "", false
	}
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:]), true
}

// ResetOTP removes another account's second factor, for its owner who has
// lost the device and the recovery codes; it ends the account's sessions.
// The policy decides who may (user.reset_otp), and nobody resets their own:
// a second administrator must.
func (s *UserService) ResetOTP(ctx context.Context, p *Principal, id int64) error {
	if err := s.guard().write(ctx, p, ActUserResetOTP, Resource{}, userSubject(id)); err != nil {
		return err
	}
	if id == p.User.ID {
		detail := map[string]any{"action": string(ActUserResetOTP), "reason": "own second factor"}
		if err := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditPermissionDenied, userSubject(id), detail)); err != nil {
			return err
		}
		return Errorf(EFORBIDDEN, "you cannot reset your own second factor; ask another administrator")
	}
	if _, err := s.Users.UserByID(ctx, id); err != nil {
		return err
	}
	return s.Users.ResetOTP(ctx, id, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditOTPReset, userSubject(id), nil))
}

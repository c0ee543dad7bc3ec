package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tlhpf/cms/app"
)

type otpEnrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	QRCode     string `json:"qr_code"`
}

// code is the current TOTP code of secret on the server's clock.
func (e *env) code(t testing.TB, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol enrols the holder of token and returns the secret and recovery codes.
func (e *env) enrol(t testing.TB, token string) (string, []string) {
	t.Helper()
	var en otpEnrolment
	e.must(t, http.StatusOK, "POST", "/api/v1/me/otp", token, nil).decode(t, &en)
	var out struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/me/otp/confirm", token, map[string]string{"code": e.code(t, en.Secret)}).decode(t, &out)
	return en.Secret, out.RecoveryCodes
}

func (e *env) loginOTP(t testing.TB, want int, username, password, otp string) *response {
	t.Helper()
	body := map[string]string{"username": username, "password": password}
	if otp != "" {
		body["otp"] = otp
	}
	return e.must(t, want, "POST", "/api/v1/auth/login", "", body)
}

// TestTOTPEnrolmentAndLogin: enrolment shows the secret as an otpauth URL
// and a QR code once, needs a first valid code, and gives single-use
// recovery codes; from then on login needs a code, which is good once.
func TestTOTPEnrolmentAndLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "pub", "information", role{"publisher", "information"})

	var en otpEnrolment
	e.must(t, http.StatusOK, "POST", "/api/v1/me/otp", tok, nil).decode(t, &en)
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(en.QRCode, "data:image/png;base64,"))
	if !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") || !strings.Contains(en.OTPAuthURL, "secret="+en.Secret) ||
		!strings.HasPrefix(en.QRCode, "data:image/png;base64,") || err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Fatalf("enrolment %+v", en)
	}
	// Not enrolled until confirmed: a login needs no code yet.
	e.loginOTP(t, http.StatusOK, "pub", testPassword, "")
	if p := e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/me/otp/confirm", tok, map[string]string{"code": "000000"}).problem(t); !p.hasField("code") {
		t.Errorf("wrong first code: %+v", p)
	}
	var rc struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/me/otp/confirm", tok, map[string]string{"code": e.code(t, en.Secret)}).decode(t, &rc)
	if len(rc.RecoveryCodes) != 10 || len(rc.RecoveryCodes[0]) != 19 {
		t.Fatalf("recovery codes %q", rc.RecoveryCodes)
	}
	e.must(t, http.StatusConflict, "POST", "/api/v1/me/otp", tok, nil)
	e.must(t, http.StatusConflict, "POST", "/api/v1/me/otp/confirm", tok, map[string]string{"code": e.code(t, en.Secret)})

	// The secret is never shown again, nor stored in clear.
	me := e.must(t, http.StatusOK, "GET", "/api/v1/me", tok, nil)
	var flags struct {
		OTPEnabled bool `json:"otp_enabled"`
	}
	me.decode(t, &flags)
	if !flags.OTPEnabled || strings.Contains(string(me.Body), en.Secret) {
		t.Errorf("me: %s", me.Body)
	}
	var stored string
	if err := e.db.Bun().NewRaw("SELECT otp_secret FROM users WHERE username = 'pub'").Scan(t.Context(), &stored); err != nil || stored == "" ||
		strings.Contains(stored, en.Secret) {
		t.Errorf("stored secret %q (%v)", stored, err)
	}
	for _, c := range rc.RecoveryCodes {
		var n int
		_ = e.db.Bun().NewRaw("SELECT COUNT(*) FROM otp_recovery_codes WHERE code_hash = ?", strings.ReplaceAll(c, "-", "")).Scan(t.Context(), &n)
		if n != 0 {
			t.Errorf("recovery code %q stored in clear", c)
		}
	}

	// Login needs the code: missing, wrong, right, replayed.
	if p := e.loginOTP(t, http.StatusUnauthorized, "pub", testPassword, "").problem(t); p.Code != "otp_required" {
		t.Errorf("missing code: %q", p.Code)
	}
	if p := e.loginOTP(t, http.StatusUnauthorized, "pub", "Wrong-Passw0rd", "").problem(t); p.Code != "unauthorized" {
		t.Errorf("wrong password without code: %q (must not tell that the account has a second factor)", p.Code)
	}
	e.clock.Advance(30 * time.Second) // past the step used to confirm
	code := e.code(t, en.Secret)
	if p := e.loginOTP(t, http.StatusUnauthorized, "pub", testPassword, "123456").problem(t); p.Code != "otp_invalid" {
		t.Errorf("wrong code: %q", p.Code)
	}
	e.loginOTP(t, http.StatusOK, "pub", testPassword, code)
	if p := e.loginOTP(t, http.StatusUnauthorized, "pub", testPassword, code).problem(t); p.Code != "otp_invalid" {
		t.Errorf("replayed code: %q", p.Code)
	}
	e.clock.Advance(30 * time.Second)
	e.loginOTP(t, http.StatusOK, "pub", testPassword, e.code(t, en.Secret))

	// A recovery code works once, however it is typed.
	e.loginOTP(t, http.StatusOK, "pub", testPassword, strings.ToUpper(strings.ReplaceAll(rc.RecoveryCodes[3], "-", " ")))
	e.loginOTP(t, http.StatusUnauthorized, "pub", testPassword, rc.RecoveryCodes[3])
}

// TestWrongCodesCountTowardsTheLockout: with the right password, wrong
// one-time codes lock the account like wrong passwords.
func TestWrongCodesCountTowardsTheLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "dir", "office", role{"director", "office"})
	secret, _ := e.enrol(t, tok)
	for range 5 {
		e.loginOTP(t, http.StatusUnauthorized, "dir", testPassword, "000000")
	}
	e.loginOTP(t, http.StatusTooManyRequests, "dir", testPassword, e.code(t, secret))
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
}

// TestSecondFactorRequired: with CMS_REQUIRE_2FA the roles that publish,
// sign off, clear or administer can only enrol until they have a second
// factor; other roles are not asked.
func TestSecondFactorRequired(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.Require2FA = true })
	// The administrator created before the rule applied is asked too.
	if p := e.must(t, http.StatusForbidden, "GET", "/api/v1/users", e.admin, nil).problem(t); p.Code != "otp_enrolment_required" {
		t.Errorf("admin without a second factor: %q", p.Code)
	}
	e.enrol(t, e.admin)
	e.enrol(t, e.admin2) // who confirms the chain roles given below
	_, editor := e.user(t, "ed", "collection", role{"editor", "collection"})
	e.must(t, http.StatusOK, "GET", "/api/v1/items", editor, nil)

	e.user(t, "sec", "office", role{"secrecy_reviewer", "office"})
	var res struct {
		Token                string `json:"token"`
		OTPEnrolmentRequired bool   `json:"otp_enrolment_required"`
	}
	e.loginOTP(t, http.StatusOK, "sec", testPassword, "").decode(t, &res)
	if !res.OTPEnrolmentRequired {
		t.Error("login does not say that a second factor must be enrolled")
	}
	for _, path := range []string{"/api/v1/items", "/api/v1/queue", "/api/v1/users/1"} {
		if p := e.must(t, http.StatusForbidden, "GET", path, res.Token, nil).problem(t); p.Code != "otp_enrolment_required" {
			t.Errorf("%s: %q", path, p.Code)
		}
	}
	var me struct {
		OTPEnrolmentRequired bool `json:"otp_enrolment_required"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/me", res.Token, nil).decode(t, &me)
	if !me.OTPEnrolmentRequired {
		t.Error("me does not say that a second factor must be enrolled")
	}
	e.enrol(t, res.Token)
	e.must(t, http.StatusOK, "GET", "/api/v1/queue", res.Token, nil)
}

// TestAdministratorResetsSecondFactor: another administrator (and nobody
// else, not the owner) removes a lost second factor; the account's
// sessions end and it logs in with its password alone until it enrols again.
func TestAdministratorResetsSecondFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, tok := e.user(t, "lost", "information", role{"publisher", "information"})
	e.enrol(t, tok)
	_, head := e.user(t, "head", "office", role{"dept_head", "office"})
	path := "/api/v1/users/" + strconv.FormatInt(id, 10) + "/otp"
	e.must(t, http.StatusForbidden, "DELETE", path, head, nil)
	e.must(t, http.StatusForbidden, "DELETE", path, tok, nil)
	e.must(t, http.StatusNotFound, "DELETE", "/api/v1/users/9999/otp", e.admin, nil)

	e.enrol(t, e.admin)
	if p := e.must(t, http.StatusForbidden, "DELETE", "/api/v1/users/1/otp", e.admin, nil).problem(t); !strings.Contains(p.Detail, "another administrator") {
		t.Errorf("own reset: %q", p.Detail)
	}
	e.must(t, http.StatusNoContent, "DELETE", path, e.admin, nil)
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
	var u struct {
		OTPEnabled bool `json:"otp_enabled"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, nil).decode(t, &u)
	if u.OTPEnabled {
		t.Error("still enrolled after the reset")
	}
	e.loginOTP(t, http.StatusOK, "lost", testPassword, "")
}

// TestOTPCodeIsGoodOnceAcrossServers: the same code sent at once to two
// server processes signs in once.
func TestOTPCodeIsGoodOnceAcrossServers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	servers := []*env{e, e.replica(t)}
	id, tok := e.user(t, "twice", "information", role{"publisher", "information"})
	secret, codes := e.enrol(t, tok)
	e.clock.Advance(30 * time.Second)
	for _, otp := range []string{e.code(t, secret), codes[0]} {
		// The refused replays count as failed logins; start each round afresh.
		e.must(t, http.StatusOK, "POST", "/api/v1/users/"+strconv.FormatInt(id, 10)+"/unlock", e.admin, nil)
		statuses := make(chan int, 4)
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				statuses <- servers[i%2].call(t, "POST", "/api/v1/auth/login", "",
					map[string]string{"username": "twice", "password": testPassword, "otp": otp}).Status
			})
		}
		wg.Wait()
		close(statuses)
		ok := 0
		for s := range statuses {
			if s == http.StatusOK {
				ok++
			} else if s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
				t.Errorf("status %d", s)
			}
		}
		if ok != 1 {
			t.Errorf("%q signed in %d times, want once", otp, ok)
		}
	}
}

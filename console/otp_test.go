package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

var (
	otpSecret     = regexp.MustCompile(`<code class="secret-key">([A-Z2-7]+)</code>`)
	recoveryCodes = regexp.MustCompile(`<li><code>([^<]+)</code></li>`)
)

// enrol walks the enrolment page: 开始绑定 shows the QR code (the only page
// whose policy allows a data: image) and the key; the first code confirms
// it and the recovery codes are shown once. It returns the secret.
func enrol(t *testing.T, e *env, b *browser) string {
	t.Helper()
	b.get("/console/otp").must(t, http.StatusOK).has(t, "开始绑定")
	p := b.post("/console/otp", nil).must(t, http.StatusOK).has(t, `src="data:image/png;base64,`, "二维码和密钥只显示这一次")
	if csp := p.Header.Get("Content-Security-Policy"); csp != "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'" {
		t.Errorf("the QR code page's policy: %q", csp)
	}
	secret := otpSecret.FindStringSubmatch(p.Body)[1]
	b.post("/console/otp/confirm", url.Values{"code": {"000000"}}).must(t, http.StatusUnprocessableEntity).has(t, "验证码不正确")
	code, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p = b.post("/console/otp/confirm", url.Values{"code": {code}}).must(t, http.StatusOK).has(t, "已启用双因素认证", "恢复码只显示这一次")
	if n := len(recoveryCodes.FindAllStringSubmatch(p.Body, -1)); n != cms.RecoveryCodeCount {
		t.Errorf("%d recovery codes shown, want %d", n, cms.RecoveryCodeCount)
	}
	return secret
}

// TestOTPEnrolment: a member of staff enrols a second factor from the
// console; from then on the login asks for a code; another administrator
// resets it. Other pages keep the strict policy.
func TestOTPEnrolment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	if csp := pub.get("/console/").Header.Get("Content-Security-Policy"); strings.Contains(csp, "data:") {
		t.Errorf("工作台 allows data: images: %q", csp)
	}
	pub.get("/console/password").has(t, `href="/console/otp"`, "未启用")
	pub.post("/console/otp", url.Values{"csrf": {"forged"}}).must(t, http.StatusForbidden)
	secret := enrol(t, e, pub)
	pub.get("/console/otp").has(t, "已启用双因素认证").lacks(t, "开始绑定")
	pub.post("/console/otp", nil).must(t, http.StatusConflict)

	b := e.browser(t)
	b.get("/console/login")
	b.post("/console/login", url.Values{"username": {c.publisher.Username}, "password": {staffPassword}}).
		must(t, http.StatusUnauthorized).has(t, "请填写动态验证码")
	e.clock.Advance(30 * time.Second) // the enrolment used this step's code
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	if p := b.post("/console/login", url.Values{"username": {c.publisher.Username}, "password": {staffPassword}, "otp": {code}}); p.Status != http.StatusSeeOther {
		t.Fatalf("login with a code: %d", p.Status)
	}

	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get("/console/users/"+itoa(c.publisher.ID)).has(t, "重置双因素")
	admin.post("/console/users/"+itoa(c.publisher.ID)+"/otp-reset", nil).must(t, http.StatusSeeOther)
	admin.get("/console/users/"+itoa(c.publisher.ID)).has(t, "已重置双因素认证", "未启用")
}

// TestOTPRequired: with CMS_REQUIRE_2FA the people who can publish are sent
// to the enrolment before anything else, and enter once enrolled.
func TestOTPRequired(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.Require2FA = true })
	c := e.chain(t)
	pub := e.browser(t)
	pub.login(c.publisher.Username, staffPassword)
	for _, path := range []string{"/console/", "/console/release", "/console/items"} {
		if p := pub.get(path); p.Location() != "/console/otp" {
			t.Errorf("%s before enrolling: %d → %q", path, p.Status, p.Location())
		}
	}
	pub.get("/console/otp").must(t, http.StatusOK).has(t, "须启用双因素认证后才能继续使用")
	enrol(t, e, pub)
	pub.get("/console/release").must(t, http.StatusOK)
	// An editor needs none.
	ed := e.browser(t)
	ed.login(c.editor.Username, staffPassword)
	ed.get("/console/").must(t, http.StatusOK)
}

package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// setCookies returns the cookies a response set, by name.
func setCookies(p *page) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// TestLoginLogout: the root leads to the console, the console to the login
// form; wrong credentials are refused in Chinese; a login sets an HttpOnly,
// SameSite=Strict cookie for the console only and opens 工作台; logout ends
// the session for good.
func TestLoginLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.staff(t, "zhang.wei", "张伟", "collection", bind(cms.RoleEditor, "collection"))
	b := e.browser(t)
	if p := b.get("/"); p.Status != http.StatusFound || p.Location() != "/console/" {
		t.Fatalf("root: %d → %q", p.Status, p.Location())
	}
	if p := b.get("/console/"); p.Status != http.StatusSeeOther || p.Location() != "/console/login" {
		t.Fatalf("console without a session: %d → %q", p.Status, p.Location())
	}
	if p := b.get("/console/password?from=mail"); p.Location() != "/console/login?next="+url.QueryEscape("/console/password?from=mail") {
		t.Fatalf("a deep link leads to the login with next: %q", p.Location())
	}
	b.get("/console/login").must(t, http.StatusOK).has(t, `lang="zh-CN"`, "登录", `name="username"`, `name="password"`)
	b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {"wrong"}}).
		must(t, http.StatusUnauthorized).has(t, "用户名或密码错误", `value="zhang.wei"`)
	b.post("/console/login", url.Values{"username": {"nobody"}, "password": {"wrong"}}).must(t, http.StatusUnauthorized)
	b.post("/console/login", url.Values{"username": {""}, "password": {""}}).has(t, "请输入用户名和密码")

	p := b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {staffPassword},
		"next": {"/console/password"}}).must(t, http.StatusSeeOther)
	if p.Location() != "/console/password" {
		t.Errorf("after login: %q, want the page asked for", p.Location())
	}
	ck := setCookies(p)["cms_console"]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console/" || ck.Secure ||
		!strings.HasPrefix(ck.Value, "cmsc_") {
		t.Fatalf("session cookie: %+v", ck)
	}
	b.get("/console/").must(t, http.StatusOK).has(t, "工作台", "张伟", "退出")

	b.post("/console/logout", nil).must(t, http.StatusSeeOther)
	if c := b.cookie("cms_console"); c != nil {
		t.Errorf("the cookie outlived the logout: %+v", c)
	}
	b.get("/console/login").has(t, "您已安全退出")
	// The old token is dead even if replayed.
	old := e.browser(t)
	old.client.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), []*http.Cookie{{Name: "cms_console", Value: ck.Value, Path: "/console/"}})
	if p := old.get("/console/"); p.Status != http.StatusSeeOther {
		t.Errorf("a logged-out session still works: %d", p.Status)
	}
	// Open redirects are not followed.
	b2 := e.browser(t)
	b2.get("/console/login")
	if p := b2.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {staffPassword},
		"next": {"//evil.example/console/"}}); p.Location() != "/console/" {
		t.Errorf("next to another site: %q", p.Location())
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSecureCookie: the cookie is Secure when configured, and over TLS.
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.CookieSecure = true })
	b := e.browser(t)
	b.get("/console/login")
	if ck := setCookies(b.post("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}}))["cms_console"]; ck == nil || !ck.Secure {
		t.Errorf("CMS_COOKIE_SECURE=true: %+v", ck)
	}

	e2 := newEnv(t)
	tls := httptest.NewTLSServer(e2.app.Handler())
	t.Cleanup(tls.Close)
	res, err := tls.Client().Get(tls.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if ck := res.Cookies(); len(ck) == 0 || !ck[0].Secure {
		t.Errorf("over TLS: %+v", ck)
	}
}

// TestLockoutAndExpiredPassword: the auth service's refusals are told in
// Chinese, with the time to wait; an expired password must be changed
// before anything else.
func TestLockoutAndExpiredPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.staff(t, "zhang.wei", "张伟", "collection", bind(cms.RoleEditor, "collection"))
	b := e.browser(t)
	b.get("/console/login")
	for range 5 {
		b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {"wrong"}})
	}
	b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {staffPassword}}).
		must(t, http.StatusTooManyRequests).has(t, "账户已暂时锁定", "请于 15 分钟后再试")

	e.clock.Advance(91 * 24 * time.Hour) // the lock is over, the password too old
	p := b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {staffPassword}})
	if p.Location() != "/console/password" {
		t.Fatalf("expired password: %d → %q", p.Status, p.Location())
	}
	for _, path := range []string{"/console/"} {
		if p := b.get(path); p.Location() != "/console/password" {
			t.Errorf("%s with an expired password: %d → %q", path, p.Status, p.Location())
		}
	}
	b.get("/console/password").must(t, http.StatusOK).has(t, "须先修改密码")
	b.post("/console/password", url.Values{"current_password": {staffPassword}, "new_password": {"short"},
		"confirm_password": {"short"}}).must(t, http.StatusUnprocessableEntity).has(t, "至少 10 个字符")
	b.post("/console/password", url.Values{"current_password": {"Wr0ng-Passw0rd!"}, "new_password": {"N3w-Passw0rd!x"},
		"confirm_password": {"N3w-Passw0rd!x"}}).must(t, http.StatusUnprocessableEntity).has(t, "当前密码不正确")
	b.post("/console/password", url.Values{"current_password": {staffPassword}, "new_password": {"N3w-Passw0rd!x"},
		"confirm_password": {"N3w-Passw0rd!y"}}).has(t, "两次输入的新密码不一致")
	p = b.post("/console/password", url.Values{"current_password": {staffPassword}, "new_password": {"N3w-Passw0rd!x"},
		"confirm_password": {"N3w-Passw0rd!x"}})
	if p.Location() != "/console/" {
		t.Fatalf("password change: %d → %q\n%s", p.Status, p.Location(), p.Body)
	}
	b.get("/console/").must(t, http.StatusOK).has(t, "密码已修改")
}

// TestIdleTimeout: a session used now and then stays; one left alone for
// CMS_CONSOLE_IDLE ends, and the login page says why.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth = cms.DefaultAuthConfig(); c.Auth.ConsoleIdle = 20 * time.Minute })
	b := e.browser(t)
	b.login("admin", adminPassword)
	for range 3 {
		e.clock.Advance(15 * time.Minute)
		b.get("/console/").must(t, http.StatusOK)
	}
	e.clock.Advance(21 * time.Minute)
	p := b.get("/console/")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/login") {
		t.Fatalf("after 21 idle minutes: %d → %q", p.Status, p.Location())
	}
	b.get("/console/login").has(t, "长时间未操作，已自动退出")
}

// TestCSRF: a post without the form's token, or with another session's,
// is refused with 403 and changes nothing; so is a login form posted from
// elsewhere.
func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, other := e.browser(t), e.browser(t)
	a.login("admin", adminPassword)
	a.get("/console/")
	other.login("admin", adminPassword)
	other.get("/console/")
	forged := "x" + a.csrf[1:]
	if forged == a.csrf { // a token may begin with x
		forged = "y" + a.csrf[1:]
	}
	for name, token := range map[string]string{"none": "", "another session's": other.csrf, "forged": forged} {
		p := a.post("/console/logout", url.Values{"csrf": {token}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "表单已过期") {
			t.Errorf("%s token: %d", name, p.Status)
		}
	}
	a.get("/console/").must(t, http.StatusOK) // still signed in
	fresh := e.browser(t)
	fresh.post("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "csrf": {"guess"}}).
		must(t, http.StatusForbidden)
}

// TestSessionKindsDoNotMix: a console cookie is no bearer token, and a
// bearer token is no console cookie.
func TestSessionKindsDoNotMix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	cookie := setCookies(b.login("admin", adminPassword))["cms_console"].Value
	me := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := me(cookie); s != http.StatusUnauthorized {
		t.Errorf("console cookie as a bearer token: %d", s)
	}
	res, err := e.svc.Auth.Login(context.Background(), cms.LoginRequest{Username: "admin", Password: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	if s := me(res.Token); s != http.StatusOK {
		t.Fatalf("the API token itself: %d", s)
	}
	if s := me("cms_" + strings.TrimPrefix(cookie, "cmsc_")); s != http.StatusUnauthorized {
		t.Errorf("console token with the API prefix: %d", s)
	}
	api := e.browser(t)
	api.client.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), []*http.Cookie{{Name: "cms_console", Value: res.Token, Path: "/console/"}})
	if p := api.get("/console/"); p.Status != http.StatusSeeOther {
		t.Errorf("bearer token as a console cookie: %d", p.Status)
	}
}

// TestSessionFixation: a login never keeps the session id the browser
// brought; a session signed in before is ended.
func TestSessionFixation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	planted := "cmsc_planted-by-someone-else"
	b.client.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), []*http.Cookie{{Name: "cms_console", Value: planted, Path: "/console/"}})
	first := setCookies(b.login("admin", adminPassword))["cms_console"].Value
	if first == planted {
		t.Fatal("the planted session id was kept")
	}
	// Signing in again from a login form while signed in ends the first session.
	form := strings.Repeat("f", 43)
	b.client.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), []*http.Cookie{{Name: "cms_console_login", Value: form, Path: "/console/"}})
	p := b.post("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "csrf": {form}}).must(t, http.StatusSeeOther)
	second := setCookies(p)["cms_console"].Value
	if second == first {
		t.Fatal("a second login kept the session id")
	}
	if _, err := e.svc.Auth.ConsoleSession(context.Background(), first); cms.ErrorCode(err) != cms.EUNAUTHORIZED {
		t.Errorf("the session before the new login still works: %v", err)
	}
}

// TestSecurityHeaders: every console response carries the CSP and its
// companions; hashed assets are cached for good, unknown ones are 404.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.browser(t)
	p := b.get("/console/login")
	want := "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
	for _, path := range []string{"/console/login", "/console/nowhere"} {
		h := b.get(path).Header
		if h.Get("Content-Security-Policy") != want || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s headers: %v", path, h)
		}
	}
	if strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "onclick") {
		t.Error("inline style or script in a page")
	}
	for _, m := range assetRefs.FindAllStringSubmatch(p.Body, -1) {
		a := b.get(m[1]).must(t, http.StatusOK)
		if a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || a.Header.Get("ETag") == "" {
			t.Errorf("%s: %v", m[1], a.Header)
		}
	}
	b.get("/console/static/console.css").must(t, http.StatusNotFound)
	b.get("/console/nowhere").must(t, http.StatusNotFound).has(t, "找不到页面")
}

// TestConsoleOff: with CMS_CONSOLE=false the binary serves the APIs only.
func TestConsoleOff(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.ConsoleOff = true })
	b := e.browser(t)
	for _, path := range []string{"/", "/console/", "/console/login"} {
		if p := b.get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
}

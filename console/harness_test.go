package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// adminPassword is the bootstrap administrator's password in tests, and
// staffPassword every other account's.
const (
	adminPassword = "Adm1n-Test-Passw0rd"
	staffPassword = "Str0ng-Passw0rd!"
)

// fakeClock is a settable clock shared by the server and the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is the whole system (app.New, as the binary builds it) behind a real
// HTTP server on a fresh database.
type env struct {
	t     testing.TB
	srv   *httptest.Server
	app   *app.App
	svc   *cms.Services
	clock *fakeClock
	admin *cms.Principal
}

// cheapArgon2 keeps tests fast; production costs are set by configuration.
var cheapArgon2 = rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the configuration changed by opt.
func newEnvWith(t testing.TB, opt func(*app.Config)) *env {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t)
	clock := &fakeClock{t: time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)}
	cfg := app.Defaults()
	cfg.Clock, cfg.Argon2 = clock, cheapArgon2
	cfg.DataDir = t.TempDir() // the key file and the audit anchors, one pair per test
	cfg.HTTP = api.Options{Version: "test"}
	if opt != nil {
		opt(&cfg)
	}
	blobs, err := storage.NewFolderStore(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, db, blobs, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Services.Users.Bootstrap(ctx, adminPassword, "information"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Services.Content.Wait) // pages being stored, before the database closes
	e := &env{t: t, app: a, svc: a.Services, clock: clock}
	e.admin = e.principal(t, "admin", adminPassword)
	e.srv = httptest.NewServer(a.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// principal signs a user in through the auth service (an API session) and
// returns who the services act for.
func (e *env) principal(t testing.TB, username, password string) *cms.Principal {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.Auth.Login(ctx, cms.LoginRequest{Username: username, Password: password})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	p, err := e.svc.Auth.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// staff creates an account as an administrator does, through the
// services, ready to sign in with staffPassword. It is the one place to
// adapt when new accounts must change their password at first login or
// have their chain roles confirmed by a second administrator.
func (e *env) staff(t testing.TB, username, displayName, dept string, roles ...cms.RoleBinding) *cms.User {
	t.Helper()
	// As the operator adds them at the machine (cms user add): the roles
	// take effect at once and the password is the person's own. Accounts an
	// administrator creates need a second administrator's confirmation and
	// a first-login password change, which the API tests walk through.
	u, err := e.svc.Users.AddFromCLI(context.Background(), cms.NewUser{Username: username, DisplayName: displayName,
		Password: staffPassword, Department: dept, Roles: roles})
	if err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return u
}

func bind(role cms.Role, dept string) cms.RoleBinding {
	return cms.RoleBinding{Role: role, Department: dept}
}

// chain are the people of one editorial chain for 归集科 (collection).
type chain struct {
	editor, head, leader, director, secrecy, publisher, otherEditor *cms.User
}

func (e *env) chain(t testing.TB) chain {
	t.Helper()
	return chain{
		editor:      e.staff(t, "zhang.wei", "张伟", "collection", bind(cms.RoleEditor, "collection")),
		head:        e.staff(t, "li.na", "李娜", "collection", bind(cms.RoleDeptHead, "collection")),
		leader:      e.staff(t, "wang.qiang", "王强", "office", bind(cms.RoleLeader, "collection"), bind(cms.RoleLeader, "finance")),
		director:    e.staff(t, "zhao.min", "赵敏", "office", bind(cms.RoleDirector, "office")),
		secrecy:     e.staff(t, "chen.jing", "陈静", "office", bind(cms.RoleSecrecyReviewer, "office")),
		publisher:   e.staff(t, "liu.yang", "刘洋", "information", bind(cms.RolePublisher, "information")),
		otherEditor: e.staff(t, "sun.li", "孙丽", "finance", bind(cms.RoleEditor, "finance")),
	}
}

// browser is one person's browser: its own cookie jar, redirects not
// followed so that tests see them.
type browser struct {
	t      testing.TB
	e      *env
	client *http.Client
	csrf   string // the CSRF token of the last page that had a form
}

func (e *env) browser(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, e: e, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response with its body read.
type page struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points, as a path.
func (p *page) Location() string {
	u, _ := url.Parse(p.Header.Get("Location"))
	if u == nil {
		return ""
	}
	return u.RequestURI()
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := &page{Status: res.StatusCode, Header: res.Header, Body: string(body)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form with the CSRF token of the last page read, unless
// the form sets its own.
func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login signs in through the login form and fails unless it leads on.
func (b *browser) login(username, password string) *page {
	b.t.Helper()
	b.get("/console/login")
	p := b.post("/console/login", url.Values{"username": {username}, "password": {password}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d %s", username, p.Status, p.Body)
	}
	return p
}

// must fails the test unless the page has the status.
func (p *page) must(t testing.TB, status int) *page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.Status, status, p.Body)
	}
	return p
}

// has fails the test unless the page holds every text.
func (p *page) has(t testing.TB, texts ...string) *page {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q:\n%s", s, p.Body)
		}
	}
	return p
}

// lacks fails the test if the page holds any of the texts.
func (p *page) lacks(t testing.TB, texts ...string) *page {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Fatalf("page holds %q:\n%s", s, p.Body)
		}
	}
	return p
}

// cookie returns the named cookie the browser holds for the console.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL + "/console/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// assetRefs finds the hashed stylesheet and script a page links.
var assetRefs = regexp.MustCompile(`(?:href|src)="(/console/static/[^"]+)"`)

// as returns a principal of u for calling the services in a test.
func (e *env) as(t testing.TB, u *cms.User) *cms.Principal {
	t.Helper()
	return e.principal(t, u.Username, staffPassword)
}

// guideFields are the typed fields of a complete 办事指南.
func guideFields() map[string]any {
	return map[string]any{
		"conditions": []any{"新设立的单位"},
		"materials":  []any{map[string]any{"name": "营业执照", "form": "copy", "copies": 1}},
		"steps":      []any{map[string]any{"title": "提交材料"}},
		"time_limit": "即时办结",
		"place":      "市政务服务中心",
	}
}

// guide drafts a complete guide in 缴存类 as the editor, through the services.
func (e *env) guide(t testing.TB, editor *cms.User, title string) (*cms.Item, *cms.Revision) {
	t.Helper()
	body := "单位为职工办理**缴存登记**。"
	it, rev, err := e.svc.Items.Create(context.Background(), e.as(t, editor), cms.NewItem{Column: "guides-deposit",
		Content: cms.Content{Title: &title, Body: &body, Fields: guideFields()}})
	if err != nil {
		t.Fatal(err)
	}
	return it, rev
}

// fire moves a revision through the services as u.
func (e *env) fire(t testing.TB, u *cms.User, revID int64, ev cms.Event, comment string) {
	t.Helper()
	if _, _, err := e.svc.Workflow.Fire(context.Background(), e.as(t, u), revID, ev, comment, 0); err != nil {
		t.Fatalf("%s %s on %d: %v", u.Username, ev, revID, err)
	}
}

// upload posts a file with the attachments form as a browser does: the
// CSRF token first (unless csrfFirst is false), then the file.
func (b *browser) upload(path, name string, content []byte, csrfFirst bool) *page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrfFirst {
		mw.WriteField("csrf", b.csrf)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(content)
	if !csrfFirst {
		mw.WriteField("csrf", b.csrf)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

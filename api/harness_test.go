package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	openapi "github.com/tlhpf/cms"
	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// testClient neither asks for nor undoes compression, so tests see the
// server's own encoding and validators.
var testClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// adminPassword is the bootstrap administrator's password in tests, and
// admin2Password the password of the second administrator, whom the
// operator adds at the console.
const (
	adminPassword  = "Adm1n-Test-Passw0rd"
	admin2Password = "Adm1n2-Test-Passw0rd"
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

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a running server over real HTTP on a fresh database, with a
// client that checks every request and response against openapi.yaml.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	app    *app.App
	server *api.Server
	clock  *fakeClock
	db     *storage.DB
	admin  string // the administrator's token
	// admin2 is the token of the second administrator, who confirms the
	// roles in the chain that admin grants.
	admin2 string
	svc    *cms.Services
	// blobRoot is the folder blob store's directory.
	blobRoot string
	// dbURL and cfg let replica start another server process on the same database.
	dbURL string
	cfg   app.Config
	// dataDir holds the key file and the audit anchors.
	dataDir string
	// approver decides maintenance windows (a director made on first use).
	approver string
}

// cheapArgon2 keeps tests fast; production costs are set by configuration.
var cheapArgon2 = rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the app's configuration changed by opt.
func newEnvWith(t testing.TB, opt func(*app.Config)) *env {
	t.Helper()
	return newEnvBlobs(t, opt, nil)
}

// newEnvBlobs is newEnvWith with the blob store wrapped by wrap (nil:
// the folder store as it is), for tests that inject its faults.
func newEnvBlobs(t testing.TB, opt func(*app.Config), wrap func(cms.BlobStore) cms.BlobStore) *env {
	t.Helper()
	ctx := context.Background()
	dbURL := storagetest.URL(t)
	db := storagetest.OpenURL(t, dbURL)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	cfg := app.Defaults()
	cfg.Clock, cfg.Argon2, cfg.UploadMax = clock, cheapArgon2, 64<<20
	cfg.DataDir = t.TempDir()               // the key file and the audit anchors
	cfg.HTTP = api.Options{Version: "test"} // no rate limit: tests call in bursts
	cfg.Auth.AddressLimit, cfg.Auth.UserLimit = 0, 0
	cfg.HashWait = 30 * time.Second // a slow machine must not make a test's login busy
	if opt != nil {
		opt(&cfg)
	}
	blobRoot := filepath.Join(t.TempDir(), "blobs")
	e := startEnv(t, db, blobRoot, cfg, wrap)
	e.clock, e.dbURL = clock, dbURL
	if _, _, err := e.svc.Users.Bootstrap(ctx, adminPassword, "information"); err != nil {
		t.Fatal(err)
	}
	// The first additional administrator comes from the server's console.
	if _, err := e.svc.Users.AddFromCLI(ctx, cms.NewUser{Username: "admin2", Password: admin2Password, Department: "information",
		Roles: []cms.RoleBinding{{Role: cms.RoleAdmin, Department: "information"}}}); err != nil {
		t.Fatal(err)
	}
	e.admin = e.login("admin", adminPassword)
	e.admin2 = e.login("admin2", admin2Password)
	return e
}

// startEnv builds the app over db and serves it over HTTP.
func startEnv(t testing.TB, db *storage.DB, blobRoot string, cfg app.Config, wrap ...func(cms.BlobStore) cms.BlobStore) *env {
	t.Helper()
	folder, err := storage.NewFolderStore(blobRoot)
	if err != nil {
		t.Fatal(err)
	}
	var blobs cms.BlobStore = folder
	if len(wrap) > 0 && wrap[0] != nil {
		blobs = wrap[0](folder)
	}
	a, err := app.New(context.Background(), db, blobs, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Services.Content.Wait) // pages being stored, before the database closes
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, app: a, server: a.API, db: db, svc: a.Services, blobRoot: blobRoot, cfg: cfg,
		dataDir: cfg.DataDir}
}

// replica starts a second server on e's database with its own connections,
// caches and limits, as another server process behind the same load
// balancer would be. It shares e's clock and administrators' tokens.
func (e *env) replica(t testing.TB) *env {
	t.Helper()
	r := startEnv(t, storagetest.OpenURL(t, e.dbURL), e.blobRoot, e.cfg)
	r.clock, r.dbURL, r.admin, r.admin2 = e.clock, e.dbURL, e.admin, e.admin2
	return r
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func openAPIRouter(t testing.TB) routers.Router {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openapi.YAML)
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		// Validate nulls as a strict OpenAPI 3.0 validator would.
		strictNulls(doc)
		doc.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		t.Fatalf("openapi.yaml: %v", specErr)
	}
	return specRouter
}

// response is what the server answered.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem details body.
func (r *response) problem(t testing.TB) problemBody {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p problemBody
	r.decode(t, &p)
	if p.Status != r.Status || p.Code == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem %s for status %d", r.Body, r.Status)
	}
	return p
}

type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p problemBody) hasField(name string) bool {
	for _, e := range p.Errors {
		if e.Field == name {
			return true
		}
	}
	return false
}

// request describes one call. Raw requests (deliberately malformed) skip
// request validation; every response is validated whatever the request.
type request struct {
	method, path, token string
	body                any    // marshalled as JSON unless rawBody is set
	rawBody             []byte // sent as is
	contentType         string // defaults to application/json when there is a body
	header              map[string]string
	raw                 bool
}

func (e *env) send(t testing.TB, rq request) *response {
	t.Helper()
	var body []byte
	switch {
	case rq.rawBody != nil:
		body = rq.rawBody
	case rq.body != nil:
		var err error
		if body, err = json.Marshal(rq.body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(rq.method, e.srv.URL+rq.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	router := openAPIRouter(t)
	route, params, routeErr := router.FindRoute(req)
	input := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if routeErr == nil && !rq.raw {
		if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
			t.Fatalf("%s %s: request does not conform to openapi.yaml: %v", rq.method, rq.path, err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &response{Status: res.StatusCode, Header: res.Header, Body: resBody}
	if routeErr == nil {
		rv := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: res.StatusCode,
			Header: res.Header, Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
				ExcludeResponseBody: strings.HasSuffix(req.URL.Path, ".yaml")}}
		rv.SetBodyBytes(resBody)
		if err := openapi3filter.ValidateResponse(context.Background(), rv); err != nil {
			t.Fatalf("%s %s: response %d does not conform to openapi.yaml: %v\nbody: %s", rq.method, rq.path, res.StatusCode, err, resBody)
		}
	} else if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("%s %s: not in openapi.yaml but answered %d", rq.method, rq.path, res.StatusCode)
	}
	return out
}

// call sends a conforming JSON request.
func (e *env) call(t testing.TB, method, path, token string, body any) *response {
	t.Helper()
	return e.send(t, request{method: method, path: path, token: token, body: body})
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(t testing.TB, want int, method, path, token string, body any) *response {
	t.Helper()
	r := e.call(t, method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func (e *env) login(username, password string) string {
	e.t.Helper()
	r := e.must(e.t, http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	var out struct {
		Token string `json:"token"`
	}
	r.decode(e.t, &out)
	return out.Token
}

// testPassword is a password that passes the strength rules, and
// initialPassword the one-time password the administrator gives new users.
const (
	testPassword    = "Str0ng-Passw0rd!"
	initialPassword = "Initi4l-Passw0rd"
)

type role struct{ Role, Department string }

// user creates an account the way the centre does: the administrator
// creates it with a one-time password and the roles, the second
// administrator confirms those that need it, and the user signs in and
// chooses testPassword. It returns the user's id and token.
func (e *env) user(t testing.TB, username, dept string, roles ...role) (int64, string) {
	t.Helper()
	rs := make([]map[string]string, len(roles))
	for i, r := range roles {
		rs[i] = map[string]string{"role": r.Role, "department": r.Department}
	}
	r := e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{
		"username": username, "display_name": username, "password": initialPassword, "department": dept, "roles": rs})
	var u struct {
		ID int64 `json:"id"`
	}
	r.decode(t, &u)
	for _, g := range e.pendingGrants(t, e.admin2, u.ID) {
		e.must(t, http.StatusOK, "POST", grantPath(g.ID, "confirm"), e.admin2, nil)
	}
	token := e.login(username, initialPassword)
	e.must(t, http.StatusNoContent, "PUT", "/api/v1/me/password", token,
		map[string]string{"current_password": initialPassword, "new_password": testPassword})
	return u.ID, token
}

// userID returns the id of the account called username.
func (e *env) userID(t testing.TB, username string) int64 {
	t.Helper()
	var list struct {
		Users []struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"users"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/users", e.admin, nil).decode(t, &list)
	for _, u := range list.Users {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no user %s", username)
	return 0
}

func itemPath(id int64) string     { return "/api/v1/items/" + strconv.FormatInt(id, 10) }
func revisionPath(id int64) string { return "/api/v1/revisions/" + strconv.FormatInt(id, 10) }

type createdItem struct {
	ID         int64  `json:"id"`
	Column     string `json:"column"`
	Department string `json:"department"`
	State      string `json:"state"`
	Revision   struct {
		ID      int64          `json:"id"`
		Version int            `json:"version"`
		State   string         `json:"state"`
		Title   string         `json:"title"`
		Fields  map[string]any `json:"fields"`
	} `json:"revision"`
}

// specOperations lists "METHOD /path" for every operation of openapi.yaml.
func specOperations(t testing.TB) []string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

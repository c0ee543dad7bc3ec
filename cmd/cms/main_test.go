package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// testEnv returns a getenv over a fresh database with cheap password hashing.
func testEnv(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	vars := map[string]string{
		"CMS_DATA_DIR":          t.TempDir(),
		"CMS_DATABASE_URL":      storagetest.URL(t),
		"CMS_ARGON2_MEMORY_KIB": "1024",
		"CMS_ARGON2_THREADS":    "1",
		"CMS_LOG_LEVEL":         "warn",
	}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func runCmd(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestVersionAndUsage(t *testing.T) {
	out, _, err := runCmd(t, func(string) string { return "" }, "", "version")
	if err != nil || !strings.HasPrefix(out, "cms ") {
		t.Errorf("version: %q %v", out, err)
	}
	if _, _, err := runCmd(t, func(string) string { return "" }, "", "frobnicate"); err == nil {
		t.Error("unknown command accepted")
	}
	if _, _, err := runCmd(t, func(string) string { return "" }, ""); err == nil {
		t.Error("no command accepted")
	}
}

func TestConfigIsValidated(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"bad duration":   {"CMS_SESSION_TTL": "forever"},
		"bad log level":  {"CMS_LOG_LEVEL": "loud"},
		"bad threshold":  {"CMS_LOCKOUT_THRESHOLD": "0"},
		"both secrets":   {"CMS_ADMIN_PASSWORD": "x", "CMS_ADMIN_PASSWORD_FILE": "/etc/hostname"},
		"missing secret": {"CMS_ADMIN_PASSWORD_FILE": "/nonexistent/secret"},
	} {
		if _, err := loadConfig(func(k string) string { return vars[k] }); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := loadConfig(func(string) string { return "" })
	if err != nil || c.Addr != "127.0.0.1:8080" || !strings.HasSuffix(c.DatabaseURL, "data/cms.db") {
		t.Errorf("defaults: %+v %v", c, err)
	}
}

func TestMigrateSeedAndUserAdd(t *testing.T) {
	getenv := testEnv(t, nil)
	out, _, err := runCmd(t, getenv, "", "seed")
	if err != nil || !strings.Contains(out, "7 departments, 2 channels, 60 menu entries, 25 columns") {
		t.Fatalf("seed: %q %v", out, err)
	}
	if out, _, err = runCmd(t, getenv, "", "seed"); err != nil || !strings.Contains(out, "25 columns") {
		t.Fatalf("second seed: %q %v", out, err)
	}
	out, _, err = runCmd(t, getenv, "", "migrate", "-status")
	if err != nil || !strings.Contains(out, "applied  20261123000001") || strings.Contains(out, "pending") {
		t.Fatalf("migrate -status: %q %v", out, err)
	}
	out, _, err = runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", "liu", "-department", "finance", "-role", "editor:finance")
	if err != nil || !strings.Contains(out, "added user liu") {
		t.Fatalf("user add: %q %v", out, err)
	}
	_, errOut, err := runCmd(t, getenv, "weak\n", "user", "add", "-username", "chen", "-department", "finance")
	if err == nil || !strings.Contains(errOut, "password:") {
		t.Errorf("weak password accepted: %q %v", errOut, err)
	}
	if _, _, err := runCmd(t, getenv, "", "user", "add", "-username", "chen", "-department", "finance"); err == nil {
		t.Error("user add without a password accepted")
	}
	if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", "liu", "-department", "finance"); err == nil {
		t.Error("duplicate user accepted")
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeBootstrapsAdminAndShutsDown starts `cms serve` without an admin
// password: it prints a generated one once, which works but must be
// changed; cancelling the context (what SIGTERM does) stops it cleanly.
func TestServeBootstrapsAdminAndShutsDown(t *testing.T) {
	addr := freeAddr(t)
	getenv := testEnv(t, map[string]string{"CMS_ADDR": addr, "CMS_LOG_LEVEL": "debug"})
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &bytes.Buffer{}, &stderr) }()

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, after, ok := strings.Cut(stderr.String(), "password: ")
	if !ok {
		t.Fatalf("no generated password printed:\n%s", stderr.String())
	}
	password := strings.Fields(after)[0]
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": password})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token           string `json:"token"`
		PasswordExpired bool   `json:"password_expired"`
	}
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !login.PasswordExpired {
		t.Fatalf("login with the generated password: %d %+v", res.StatusCode, login)
	}
	if strings.Count(stderr.String(), password) != 1 {
		t.Error("the generated password appears more than once in the output")
	}
	if strings.Contains(stderr.String(), login.Token) {
		t.Error("a token reached the log")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, u := range []string{"wu", "zheng"} {
		if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", u, "-department", "office", "-role", "editor:office"); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := runCmd(t, getenv, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "intact: 2 entries") {
		t.Fatalf("verify: %q %v", out, err)
	}
	db, err := storage.Open(context.Background(), getenv("CMS_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lift := "DROP TRIGGER audit_log_no_update"
	if db.Dialect == storage.Postgres {
		lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
	}
	if _, err := db.Bun().ExecContext(context.Background(), lift); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Bun().ExecContext(context.Background(), "UPDATE audit_log SET subject = 'user:999' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd(t, getenv, "", "audit", "verify")
	if err == nil || !strings.Contains(out, "BROKEN at entry 1") {
		t.Fatalf("tampered log: %q %v", out, err)
	}
}

// TestAuditVerifyDetectsRewrittenChain is the review's audit scenario: an
// insider with write access to the database lifts the append-only
// triggers, edits an entry, recomputes every hash after it and the stored
// head. The chain is consistent again, but the entries' MACs need the key
// held outside the database, so `cms audit verify` still names the entry.
func TestAuditVerifyDetectsRewrittenChain(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, u := range []string{"wu", "zheng", "wang"} {
		if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", u, "-department", "office", "-role", "editor:office"); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := runCmd(t, getenv, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "intact: 3 entries") {
		t.Fatalf("verify: %q %v", out, err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, getenv("CMS_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lift := []string{"DROP TRIGGER audit_log_no_update"}
	if db.Dialect == storage.Postgres {
		lift = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"}
	}
	for _, q := range lift {
		if _, err := db.Bun().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Bun().ExecContext(ctx, "UPDATE audit_log SET subject = 'user:999' WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	entries, err := db.AuditEntries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	prev := cms.AuditGenesis
	for _, e := range entries {
		h := e.ChainHash(prev)
		if _, err := db.Bun().ExecContext(ctx, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", prev, h, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	if _, err := db.Bun().ExecContext(ctx, "UPDATE audit_head SET hash = ?", prev); err != nil {
		t.Fatal(err)
	}
	if n, p, err := cms.VerifyAudit(ctx, db); err != nil || p != nil || n != 3 {
		t.Fatalf("the rewritten chain is not consistent: %d %+v %v", n, p, err)
	}
	out, _, err = runCmd(t, getenv, "", "audit", "verify")
	if err == nil || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "entry 2") {
		t.Fatalf("rewritten log: %q %v", out, err)
	}
}

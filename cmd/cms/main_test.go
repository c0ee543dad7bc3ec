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

	"github.com/tlhpf/cms/app"
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
		"bad duration":    {"CMS_SESSION_TTL": "forever"},
		"bad log level":   {"CMS_LOG_LEVEL": "loud"},
		"bad threshold":   {"CMS_LOCKOUT_THRESHOLD": "0"},
		"bad hash wait":   {"CMS_HASH_WAIT": "0s"},
		"bad limit":       {"CMS_LOGIN_ADDRESS_LIMIT": "-1"},
		"bad 2fa":         {"CMS_REQUIRE_2FA": "yes please"},
		"both secrets":    {"CMS_ADMIN_PASSWORD": "x", "CMS_ADMIN_PASSWORD_FILE": "/etc/hostname"},
		"missing secret":  {"CMS_ADMIN_PASSWORD_FILE": "/nonexistent/secret"},
		"bad switch":      {"CMS_SINGLE_ADMIN": "yes"},
		"bad console":     {"CMS_CONSOLE": "maybe"},
		"bad idle":        {"CMS_CONSOLE_IDLE": "-5m"},
		"cache bytes":     {"CMS_CACHE_BYTES": "lots"},
		"tiny cache":      {"CMS_CACHE_BYTES": "1K"},
		"negative cache":  {"CMS_CACHE_BYTES": "-1"},
		"lease too short": {"CMS_WEBHOOK_LEASE": "5s", "CMS_WEBHOOK_TIMEOUT": "10s"},
		"bad retry base":  {"CMS_WEBHOOK_RETRY_BASE": "soon"},
		"bad digest time": {"CMS_DIGEST_AT": "25:00"},
		"bad smtp url":    {"CMS_SMTP_URL": "mail.example.gov.cn"},
		"bad robots":      {"CMS_WECOM_ROBOTS": "office"},
		"bad private":     {"CMS_WEBHOOK_ALLOW_PRIVATE": "sure"},
		"bad concurrency": {"CMS_WEBHOOK_CONCURRENCY": "0"},
		"public debug":    {"CMS_DEBUG_ADDR": "0.0.0.0:6060"},
		"debug no port":   {"CMS_DEBUG_ADDR": "127.0.0.1"},
		"public metrics":  {"CMS_METRICS_ADDR": "0.0.0.0:9464"},
		"short token":     {"CMS_METRICS_TOKEN": "secret"},
		"token, spaced":   {"CMS_METRICS_TOKEN": "a token with spaces in it"},
	} {
		if _, err := loadConfig(func(k string) string { return vars[k] }); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := loadConfig(func(string) string { return "" })
	if err != nil || c.Addr != "127.0.0.1:8080" || !strings.HasSuffix(c.DatabaseURL, "data/cms.db") || c.SingleAdmin ||
		c.HTTP.CacheBytes != 64<<20 || c.HTTP.CacheEntries != 4096 || c.ConsoleOff || c.CookieSecure || c.Auth.ConsoleIdle != 30*time.Minute {
		t.Errorf("defaults: %+v %v", c, err)
	}
	if c.Auth.AddressLimit != 60 || c.Auth.UserLimit != 10 || c.HashSlots != 0 || c.HashWait != time.Second {
		t.Errorf("login limits by default: %+v, slots %d, wait %v", c.Auth, c.HashSlots, c.HashWait)
	}
	if e := c.Events; e.RetryBase != 5*time.Second || e.Timeout != 10*time.Second || e.Lease != time.Minute || e.AllowPrivate ||
		e.DigestAt != 8*time.Hour+30*time.Minute || e.SMTPURL != "" || e.Concurrency != 32 {
		t.Errorf("event settings by default: %+v", e)
	}
	if c.Auth.Require2FA || len(c.TOTPKey) != 0 {
		t.Errorf("2FA by default: %v, key %q", c.Auth.Require2FA, c.TOTPKey)
	}
	vars := map[string]string{"CMS_LOGIN_ADDRESS_LIMIT": "0", "CMS_LOGIN_USER_LIMIT": "3", "CMS_HASH_CONCURRENCY": "4", "CMS_HASH_WAIT": "250ms",
		"CMS_REQUIRE_2FA": "true", "CMS_TOTP_KEY": "k3y"}
	c, err = loadConfig(func(k string) string { return vars[k] })
	if err != nil || c.Auth.AddressLimit != 0 || c.Auth.UserLimit != 3 || c.HashSlots != 4 || c.HashWait != 250*time.Millisecond ||
		!c.Auth.Require2FA || string(c.TOTPKey) != "k3y" {
		t.Errorf("login limits and 2FA: %+v, slots %d, wait %v, key %q, %v", c.Auth, c.HashSlots, c.HashWait, c.TOTPKey, err)
	}
	if c, err := loadConfig(func(k string) string { return map[string]string{"CMS_SINGLE_ADMIN": "true"}[k] }); err != nil || !c.SingleAdmin {
		t.Errorf("CMS_SINGLE_ADMIN=true: %v %v", c.SingleAdmin, err)
	}
	c, err = loadConfig(func(k string) string {
		return map[string]string{"CMS_CONSOLE": "false", "CMS_COOKIE_SECURE": "true", "CMS_CONSOLE_IDLE": "10m"}[k]
	})
	if err != nil || !c.ConsoleOff || !c.CookieSecure || c.Auth.ConsoleIdle != 10*time.Minute {
		t.Errorf("console settings: off %v, secure %v, idle %v, %v", c.ConsoleOff, c.CookieSecure, c.Auth.ConsoleIdle, err)
	}
	for v, want := range map[string]int64{"0": -1, "65536": 65536, "128MiB": 128 << 20, "1G": 1 << 30, "512KiB": 512 << 10} {
		c, err := loadConfig(func(k string) string { return map[string]string{"CMS_CACHE_BYTES": v}[k] })
		if err != nil || c.HTTP.CacheBytes != want {
			t.Errorf("CMS_CACHE_BYTES=%s: %d %v, want %d", v, c.HTTP.CacheBytes, err, want)
		}
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
	// The operator at the machine needs no second administrator: the
	// roles take effect at once and the password is the one typed.
	if _, _, err := runCmd(t, getenv, "Second-Adm1n-Passw0rd\n", "user", "add", "-username", "admin2", "-department", "information",
		"-role", "admin", "-role", "publisher"); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), getenv("CMS_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, _, err := db.UserByUsername(context.Background(), "admin2")
	if err != nil || len(u.Roles) != 2 || u.MustChangePassword {
		t.Errorf("admin added at the console: %+v %v", u, err)
	}
}

// TestUserUnlock: the operator lifts a lockout from the command line.
func TestUserUnlock(t *testing.T) {
	getenv := testEnv(t, nil)
	if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", "liu", "-department", "finance"); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 5 {
		if _, err := a.Services.Auth.Login(ctx, cms.LoginRequest{Username: "liu", Password: "Wrong-Passw0rd"}); cms.ErrorCode(err) != cms.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, err := a.Services.Auth.Login(ctx, cms.LoginRequest{Username: "liu", Password: "Editor-Passw0rd"}); cms.ErrorCode(err) != cms.ELOCKED {
		t.Fatalf("locked account: %v", err)
	}
	out, _, err := runCmd(t, getenv, "", "user", "unlock", "liu")
	if err != nil || !strings.Contains(out, "unlocked user liu") {
		t.Fatalf("user unlock: %q %v", out, err)
	}
	if _, err := a.Services.Auth.Login(ctx, cms.LoginRequest{Username: "liu", Password: "Editor-Passw0rd"}); err != nil {
		t.Errorf("login after unlock: %v", err)
	}
	if _, _, err := runCmd(t, getenv, "", "user", "unlock", "nobody"); err == nil {
		t.Error("unlocking an unknown user succeeded")
	}
	if _, _, err := runCmd(t, getenv, "", "user", "unlock"); err == nil {
		t.Error("user unlock without a name succeeded")
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

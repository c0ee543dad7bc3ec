package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests below run the cms binary as real processes: built once, then
// started, killed with SIGKILL and started again, alone or two at a time
// over one database.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// cmsBinary builds the cms binary once per test run.
func cmsBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cms-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "cms")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// process is a running `cms serve`.
type process struct {
	cmd    *exec.Cmd
	base   string
	log    *syncBuffer
	exited chan struct{} // closed once the process has ended
}

// startProcess runs `cms serve` with env (CMS_ADDR among it) until it is
// killed or the test ends.
func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	p := &process{base: "http://" + env["CMS_ADDR"], log: &syncBuffer{}}
	p.cmd = exec.Command(cmsBinary(t), "serve")
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	p.exited = exited
	go func() { p.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
		}
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("cms serve exited:\n%s", p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cms serve did not become ready:\n%s", p.log.String())
		}
	}
}

// kill ends the process at once, as a crash or kill -9 would.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

func (p *process) call(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

func (p *process) login(t *testing.T, user, password string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	if s := p.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": password}, &out); s != 200 {
		t.Fatalf("login %s: %d", user, s)
	}
	return out.Token
}

// sink is a webhook receiver that counts the deliveries it accepted by
// message id, and refuses everything while down.
type sink struct {
	srv      *httptest.Server
	mu       sync.Mutex
	accepted map[string]int
	notices  map[string]bool
	down     atomic.Bool
	refused  atomic.Int64
	delay    time.Duration
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{accepted: map[string]int{}, notices: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if s.down.Load() {
			s.refused.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		time.Sleep(s.delay)
		var p struct {
			Data struct {
				Notice string `json:"notice"`
			} `json:"data"`
		}
		json.Unmarshal(body, &p)
		s.mu.Lock()
		s.accepted[r.Header.Get("webhook-id")]++
		s.notices[p.Data.Notice] = true
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// counts returns how many distinct messages were accepted and how many
// were accepted more than once.
func (s *sink) counts() (distinct, duplicated int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.accepted {
		if n > 1 {
			duplicated++
		}
	}
	return len(s.accepted), duplicated
}

func (s *sink) waitFor(t *testing.T, n int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		if d, _ := s.counts(); d >= n {
			return
		}
		if time.Now().After(deadline) {
			d, _ := s.counts()
			t.Fatalf("%d of %d events delivered within %s", d, n, within)
		}
	}
}

// eventsServerEnv is the environment of a server whose deliveries retry
// quickly, reach loopback receivers, and are taken over three seconds
// after their holder died.
func eventsServerEnv(t *testing.T) map[string]string {
	t.Helper()
	getenv := testEnv(t, nil)
	env := map[string]string{"CMS_WEBHOOK_ALLOW_PRIVATE": "true",
		"CMS_WEBHOOK_RETRY_BASE": "50ms", "CMS_WEBHOOK_TIMEOUT": "1s", "CMS_WEBHOOK_LEASE": "3s", "CMS_OUTBOX_POLL": "100ms",
		"CMS_CONTENT_RATE": "0", "CMS_LOGIN_ADDRESS_LIMIT": "0", "CMS_LOGIN_USER_LIMIT": "0"}
	for _, k := range []string{"CMS_DATA_DIR", "CMS_DATABASE_URL", "CMS_ARGON2_MEMORY_KIB", "CMS_ARGON2_THREADS", "CMS_LOG_LEVEL"} {
		env[k] = getenv(k)
	}
	getenv = func(k string) string { return env[k] }
	for _, u := range [][2]string{{"admin", "admin:information"}, {"pub", "publisher:information"}, {"director", "director:office"}} {
		if _, _, err := runCmd(t, getenv, "Tq7-Fenghuang-Qiao\n", "user", "add", "-username", u[0], "-department", "information", "-role", u[1]); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// announce commits n maintenance notices, each a maintenance.changed
// event, through p: token requests each window and the director approves
// it (第十五条).
func announce(t *testing.T, p *process, token string, from, n int) {
	t.Helper()
	dir := p.login(t, "director", "Tq7-Fenghuang-Qiao")
	starts := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	for i := from; i < from+n; i++ {
		body := map[string]any{"channel": "app", "kind": "upgrade", "reason": "系统维护", "notice": fmt.Sprintf("第%d次系统维护", i), "starts_at": starts}
		var w struct {
			ID int64 `json:"id"`
		}
		if s := p.call(t, "POST", "/api/v1/maintenance-windows", token, body, &w); s != 201 {
			t.Fatalf("maintenance request %d: %d", i, s)
		}
		if s := p.call(t, "POST", fmt.Sprintf("/api/v1/maintenance-windows/%d/decision", w.ID), dir, map[string]any{"approve": true}, nil); s != 200 {
			t.Fatalf("maintenance approval %d: %d", i, s)
		}
	}
}

// TestKilledServerDeliversAfterRestart: events committed while the
// receiver was down survive a SIGKILL of the server, deliveries under way
// included, and are delivered after the restart: exactly the events
// committed, each once.
func TestKilledServerDeliversAfterRestart(t *testing.T) {
	env := eventsServerEnv(t)
	env["CMS_ADDR"] = freeAddr(t)
	s := newSink(t)
	s.down.Store(true)
	p := startProcess(t, env)
	admin := p.login(t, "admin", "Tq7-Fenghuang-Qiao")
	if st := p.call(t, "POST", "/api/v1/webhooks", admin, map[string]any{"url": s.srv.URL, "events": []string{"maintenance.changed"}}, nil); st != 201 {
		t.Fatalf("register: %d", st)
	}
	pub := p.login(t, "pub", "Tq7-Fenghuang-Qiao")
	announce(t, p, pub, 0, 30)
	for deadline := time.Now().Add(10 * time.Second); s.refused.Load() < 10; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no attempt reached the receiver")
		}
	}
	p.kill(t)
	s.down.Store(false)
	if d, _ := s.counts(); d != 0 {
		t.Fatalf("%d delivered while the receiver was down", d)
	}
	p = startProcess(t, env)
	s.waitFor(t, 30, 60*time.Second)
	time.Sleep(500 * time.Millisecond)
	d, dup := s.counts()
	if d != 30 || dup != 0 {
		t.Errorf("%d distinct events delivered (%d more than once), want exactly the 30 committed", d, dup)
	}
	for i := range 30 {
		if !s.notices[fmt.Sprintf("第%d次系统维护", i)] {
			t.Errorf("notice %d was not delivered", i)
		}
	}
}

// TestTwoServersDeliverOnce: two `cms serve` on one database share the
// work: every event is delivered to the endpoint exactly once, whichever
// server committed it and whichever claimed it.
func TestTwoServersDeliverOnce(t *testing.T) {
	env := eventsServerEnv(t)
	s := newSink(t)
	s.delay = 20 * time.Millisecond // long enough for both servers to be claiming at once
	envA, envB := map[string]string{}, map[string]string{}
	for k, v := range env {
		envA[k], envB[k] = v, v
	}
	envA["CMS_ADDR"], envB["CMS_ADDR"] = freeAddr(t), freeAddr(t)
	a := startProcess(t, envA)
	b := startProcess(t, envB)
	admin := a.login(t, "admin", "Tq7-Fenghuang-Qiao")
	if st := a.call(t, "POST", "/api/v1/webhooks", admin, map[string]any{"url": s.srv.URL, "events": []string{"*"}}, nil); st != 201 {
		t.Fatalf("register: %d", st)
	}
	var wg sync.WaitGroup
	for i, p := range []*process{a, b} {
		tok := p.login(t, "pub", "Tq7-Fenghuang-Qiao")
		wg.Go(func() { announce(t, p, tok, i*100, 100) })
	}
	wg.Wait()
	s.waitFor(t, 200, 60*time.Second)
	time.Sleep(time.Second)
	d, dup := s.counts()
	t.Logf("%d events delivered, %d of them more than once", d, dup)
	if d != 200 || dup != 0 {
		t.Errorf("%d distinct events delivered, %d more than once; want 200, each once", d, dup)
	}
}

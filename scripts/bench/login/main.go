// Command login measures how a real `cms serve` holds up against a flood of
// hostile logins (make bench-login).
//
// It builds the cms binary, starts it on a fresh SQLite database (or the
// database at -database-url) with the production password hashing
// (argon2id, 64 MiB), creates a legitimate user and a few victims, then:
//
//  1. idle: probes the public content API at a fixed rate and records its
//     latency;
//  2. attack: -clients hostile clients, each from its own loopback address
//     (127.1.x.y, so the per-address limit meets a distributed attack, not
//     one client), keep logins in flight for -attack, each starting one at
//     most every -pace (without waiting for Retry-After): wrong passwords
//     for the victims and for made-up usernames. The probe keeps running,
//     the legitimate user tries to log in every few seconds, and the
//     server's resident memory is sampled;
//  3. after: the legitimate user logs in again.
//
// The hostile clients run in a child process at nice 19 (see attack.go),
// so that on one machine the attacker's own CPU use is not counted as the
// server's slowness. With -control they send GET /healthz at the same rate
// instead, which shows what the request rate alone costs on this machine.
//
// It prints the figures and the goals (peak RSS under 400 MiB, legitimate
// logins succeed afterwards, content p99 during the attack within 3× the
// idle p99) and exits 0 either way: it is a measurement, not a test.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	adminPassword = "Bench-Adm1n-Passw0rd"
	legitPassword = "Legit-Us3r-Passw0rd"
)

type options struct {
	clients     int
	attack      time.Duration
	idle        time.Duration
	probeRate   int
	pace        time.Duration
	control     bool
	bin         string
	databaseURL string
	keep        bool
}

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 1000, "concurrent hostile clients, each from its own address")
	flag.DurationVar(&o.attack, "attack", 30*time.Second, "how long the attack lasts")
	flag.DurationVar(&o.idle, "idle", 15*time.Second, "how long the idle content API is probed")
	flag.IntVar(&o.probeRate, "probe-rate", 100, "content API requests per second of the probe")
	flag.DurationVar(&o.pace, "pace", time.Second, "each hostile client starts at most one login per pace (0: back to back)")
	flag.BoolVar(&o.control, "control", false, "send GET /healthz instead of logins at the same rate, to see what the request rate alone costs")
	flag.StringVar(&o.bin, "bin", "", "cms binary to run (default: build ./cmd/cms)")
	flag.StringVar(&o.databaseURL, "database-url", "", "database for the server (default: SQLite in a temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (database, server log)")
	attacker := flag.String("attacker", "", "internal: run only the hostile clients against this base URL")
	victims := flag.String("victims", "", "internal: the victims' usernames, comma-separated")
	flag.Parse()
	if *attacker != "" {
		if err := runAttacker(o, *attacker, *victims); err != nil {
			fmt.Fprintln(os.Stderr, "bench-login attacker:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-login:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[bench-login %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(o options) error {
	tmp, err := os.MkdirTemp("", "cms-bench-login.")
	if err != nil {
		return err
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "cms")
		logf("building cms")
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/cms")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	srv, err := startServer(o, tmp)
	if err != nil {
		return err
	}
	defer srv.stop()
	b := &bench{o: o, base: "http://" + srv.addr, pid: srv.cmd.Process.Pid}
	if err := b.setup(); err != nil {
		return fmt.Errorf("setup: %w (server log in %s)", err, srv.logPath)
	}
	return b.measure()
}

// server is the cms process under test.
type server struct {
	cmd     *exec.Cmd
	addr    string
	logPath string
}

func startServer(o options, dir string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "serve")
	// Production settings: default argon2id costs, limits and log level.
	cmd.Env = append(os.Environ(), "CMS_ADDR="+addr, "CMS_DATA_DIR="+filepath.Join(dir, "data"),
		"CMS_ADMIN_PASSWORD="+adminPassword, "CMS_DATABASE_URL="+o.databaseURL)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, addr: addr, logPath: logPath}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("the server did not become ready (log in %s)", logPath)
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// clientFrom returns an HTTP client whose connections come from the local
// address ip, so that the server sees a distinct client.
func clientFrom(ip string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext,
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
}

type bench struct {
	o       options
	base    string
	pid     int
	victims []string
}

func (b *bench) post(c *http.Client, path, token string, body any) (int, []byte, error) {
	buf, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, b.base+path, bytes.NewReader(buf))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

func (b *bench) login(c *http.Client, username, password string) (int, string, error) {
	status, body, err := b.post(c, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	var out struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(body, &out)
	return status, out.Token, err
}

// setup creates the legitimate user and the victims.
func (b *bench) setup() error {
	c := clientFrom("127.0.0.1", 2)
	status, admin, err := b.login(c, "admin", adminPassword)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("admin login: %d %v", status, err)
	}
	users := []string{"legit.user"}
	for i := range 5 {
		b.victims = append(b.victims, "victim"+strconv.Itoa(i))
	}
	for _, u := range append(users, b.victims...) {
		status, body, err := b.post(c, "/api/v1/users", admin, map[string]any{"username": u, "display_name": u,
			"password": legitPassword, "department": "office", "roles": []map[string]string{{"role": "editor", "department": "office"}}})
		if err != nil || status != http.StatusCreated {
			return fmt.Errorf("create %s: %d %s %v", u, status, body, err)
		}
	}
	return nil
}

// probe requests the content API at a fixed rate until ctx ends, each
// request in its own goroutine so that a slow answer does not delay the
// next (no coordinated omission), and returns every latency.
func (b *bench) probe(ctx context.Context) (lat []time.Duration, failed int) {
	clients := make([]*http.Client, 4)
	for i := range clients {
		clients[i] = clientFrom("127.0.0."+strconv.Itoa(2+i), 16)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	t := time.NewTicker(time.Second / time.Duration(b.o.probeRate))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return lat, failed
		case <-t.C:
		}
		c := clients[i%len(clients)]
		wg.Go(func() {
			start := time.Now()
			res, err := c.Get(b.base + "/content/v1/channels/wechat/menu")
			ok := err == nil
			if ok {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				ok = res.StatusCode == http.StatusOK
			}
			d := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				lat = append(lat, d)
			} else {
				failed++
			}
		})
	}
}

// rss returns the server's resident and peak resident memory in bytes.
func (b *bench) rss() (cur, peak int64) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(b.pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = v << 10
		case "VmHWM:":
			peak = v << 10
		}
	}
	return cur, peak
}

// loadAverage is the machine's one-minute load average, which says how
// much else competed for the cores.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// legitLogins logs the legitimate user in n times, every interval, and
// counts the answers.
func (b *bench) legitLogins(ctx context.Context, n int, interval time.Duration) map[int]int {
	c := clientFrom("127.0.0.10", 1)
	out := map[int]int{}
	for i := 0; i < n || n < 0; i++ {
		status, _, err := b.login(c, "legit.user", legitPassword)
		if err != nil {
			status = -1
		}
		out[status]++
		select {
		case <-ctx.Done():
			return out
		case <-time.After(interval):
		}
	}
	return out
}

func (b *bench) measure() error {
	const mib = 1 << 20
	rssStart, _ := b.rss()
	logf("server pid %d ready, RSS %d MiB; probing the idle content API for %v", b.pid, rssStart>>20, b.o.idle)
	idleCtx, cancel := context.WithTimeout(context.Background(), b.o.idle)
	idleLat, idleFailed := b.probe(idleCtx)
	cancel()

	logf("attack: %d hostile clients for %v", b.o.clients, b.o.attack)
	ctx, cancel := context.WithTimeout(context.Background(), b.o.attack)
	defer cancel()
	wait, err := b.startAttack()
	if err != nil {
		return err
	}
	var attackLat []time.Duration
	var attackFailed int
	var during map[int]int
	var maxRSS atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(2 * time.Second) // let the attack build up before measuring
		pctx, pcancel := context.WithTimeout(ctx, b.o.attack-3*time.Second)
		defer pcancel()
		attackLat, attackFailed = b.probe(pctx)
	})
	wg.Go(func() { during = b.legitLogins(ctx, -1, 6*time.Second) })
	wg.Go(func() {
		for ctx.Err() == nil {
			if cur, _ := b.rss(); cur > maxRSS.Load() {
				maxRSS.Store(cur)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	wg.Wait()
	stats, err := wait()
	if err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // the requests waiting for a hash slot drain
	logf("attack over; the legitimate user logs in again")
	after := b.legitLogins(context.Background(), 3, 2*time.Second)
	_, peak := b.rss()
	rssEnd, _ := b.rss()

	total := 0
	for _, n := range stats.Statuses {
		total += n
	}
	idleP99, attackP99 := percentile(idleLat, 0.99), percentile(attackLat, 0.99)
	ratio := float64(attackP99) / float64(max(idleP99, time.Microsecond))
	what := "one login"
	if b.o.control {
		what = "control: one GET /healthz instead of a login"
	}
	fmt.Printf("\nbench-login: %d hostile clients (one address each, %s per %v each) for %v against cms serve (argon2id m=64 MiB); load average %s\n",
		b.o.clients, what, b.o.pace, b.o.attack, loadAverage())
	fmt.Printf("  hostile logins answered: %d (%.0f/s): %v, transport errors %d\n", total, float64(total)/b.o.attack.Seconds(), stats.Statuses, stats.Errors)
	fmt.Printf("  server RSS: %d MiB at start, %d MiB highest sampled during the attack, %d MiB peak (VmHWM), %d MiB at the end\n",
		rssStart/mib, maxRSS.Load()/mib, peak/mib, rssEnd/mib)
	fmt.Printf("  content API (GET /content/v1/channels/wechat/menu at %d/s):\n", b.o.probeRate)
	fmt.Printf("    idle:   p50 %v  p99 %v  (%d requests, %d failed)\n", percentile(idleLat, 0.5).Round(10*time.Microsecond), idleP99.Round(10*time.Microsecond), len(idleLat), idleFailed)
	fmt.Printf("    attack: p50 %v  p99 %v  (%d requests, %d failed)\n", percentile(attackLat, 0.5).Round(10*time.Microsecond), attackP99.Round(10*time.Microsecond), len(attackLat), attackFailed)
	fmt.Printf("  legitimate logins during the attack (every 6 s): %v; afterwards: %v\n", during, after)
	fmt.Println("goals:")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("  peak RSS %d MiB < 400 MiB: %s\n", peak/mib, verdict(peak < 400*mib))
	fmt.Printf("  legitimate logins succeed afterwards (%d of 3): %s\n", after[http.StatusOK], verdict(after[http.StatusOK] == 3))
	fmt.Printf("  content p99 during the attack %.1f× idle (%v vs %v) ≤ 3×: %s\n", ratio, attackP99.Round(10*time.Microsecond),
		idleP99.Round(10*time.Microsecond), verdict(ratio <= 3 && attackFailed == 0))
	return nil
}

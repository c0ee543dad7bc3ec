package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fault tests below cause each fault for real against a running
// `cms serve` (a stopped PostgreSQL, a full file system, a stopped MinIO,
// a SIGKILL of the server) while writers keep writing, then check that
// every write the server acknowledged is there, that the faults were
// answered for what they are (never 500) and how long recovery took.
// Each prints what it saw.

const faultPassword = "Tq7-Fenghuang-Qiao"

// faultEnv is the environment of a server for the fault tests: cheap
// hashing, no rate limits, an editor and an auditor.
func faultEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	getenv := testEnv(t, extra)
	env := map[string]string{"CMS_CONTENT_RATE": "0", "CMS_LOGIN_ADDRESS_LIMIT": "0", "CMS_LOGIN_USER_LIMIT": "0",
		"CMS_DB_TIMEOUT": "2s", "CMS_ADDR": freeAddr(t)}
	for _, k := range []string{"CMS_DATA_DIR", "CMS_DATABASE_URL", "CMS_ARGON2_MEMORY_KIB", "CMS_ARGON2_THREADS", "CMS_LOG_LEVEL"} {
		env[k] = getenv(k)
	}
	for k, v := range extra {
		env[k] = v
	}
	getenv = func(k string) string { return env[k] }
	for _, u := range [][2]string{{"editor", "editor:collection"}, {"auditor", "auditor:office"}} {
		if _, _, err := runCmd(t, getenv, faultPassword+"\n", "user", "add", "-username", u[0], "-department", "collection", "-role", u[1]); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// outcome is one request a writer made.
type outcome struct {
	start, end time.Time
	status     int // 0: no answer (connection refused or reset)
	code       string
}

// tally counts what the writers saw.
type tally struct {
	mu       sync.Mutex
	outcomes []outcome
	acked    map[int64]string // item id → title, for every 201
}

func newTally() *tally { return &tally{acked: map[int64]string{}} }

func (ty *tally) add(o outcome) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	ty.outcomes = append(ty.outcomes, o)
}

// byStatus renders the answers by status (and problem code), e.g.
// "201:412 503 database_unavailable:37 no answer:4".
func (ty *tally) byStatus() (string, map[int]int) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	counts, named := map[string]int{}, map[int]int{}
	for _, o := range ty.outcomes {
		k := fmt.Sprint(o.status)
		if o.status == 0 {
			k = "no answer"
		}
		if o.code != "" {
			k += " " + o.code
		}
		counts[k]++
		named[o.status]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, counts[k])
	}
	return strings.Join(parts, " "), named
}

// slowest is the longest any answered request took.
func (ty *tally) slowest() time.Duration {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	var d time.Duration
	for _, o := range ty.outcomes {
		if o.status != 0 {
			d = max(d, o.end.Sub(o.start))
		}
	}
	return d
}

// recovered is when the first request started after since succeeded.
func (ty *tally) recovered(since time.Time, ok func(int) bool) (time.Time, bool) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	var first time.Time
	for _, o := range ty.outcomes {
		if !o.start.Before(since) && ok(o.status) && (first.IsZero() || o.end.Before(first)) {
			first = o.end
		}
	}
	return first, !first.IsZero()
}

// send makes one request and records its outcome; it returns the status
// and the body.
func (ty *tally) send(client *http.Client, method, url, token, contentType string, body []byte) (int, []byte) {
	o := outcome{start: time.Now()}
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var out []byte
	res, err := client.Do(req)
	if err == nil {
		var buf bytes.Buffer
		_, err = buf.ReadFrom(res.Body)
		res.Body.Close()
		if err == nil {
			o.status, out = res.StatusCode, buf.Bytes()
			if res.StatusCode >= 400 {
				var p struct {
					Code string `json:"code"`
				}
				json.Unmarshal(out, &p)
				o.code = p.Code
			}
		}
	}
	o.end = time.Now()
	ty.add(o)
	return o.status, out
}

// writers runs n writers creating items through base until ctx ends.
// Each logs in again whenever it has no token.
func writers(ctx context.Context, n int, base string, ty *tally) *sync.WaitGroup {
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range n {
		wg.Go(func() {
			token := ""
			for i := 0; ctx.Err() == nil; i++ {
				if token == "" {
					token = login(client, base, "editor")
					if token == "" {
						time.Sleep(100 * time.Millisecond)
						continue
					}
				}
				title := fmt.Sprintf("故障演练 %d-%d", w, i)
				b, _ := json.Marshal(map[string]any{"column": "news", "title": title, "body": "写入确认后不得丢失。"})
				status, out := ty.send(client, "POST", base+"/api/v1/items", token, "application/json", b)
				switch status {
				case http.StatusCreated:
					var it struct {
						ID int64 `json:"id"`
					}
					json.Unmarshal(out, &it)
					ty.mu.Lock()
					ty.acked[it.ID] = title
					ty.mu.Unlock()
				case 0, http.StatusServiceUnavailable, http.StatusInsufficientStorage:
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	return &wg
}

// login returns a token, or "" when the server does not give one.
func login(client *http.Client, base, user string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": faultPassword})
	res, err := client.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	return out.Token
}

// lost returns the acknowledged items the server no longer has (or has
// with another title).
func (ty *tally) lost(t *testing.T, base string) []int64 {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	token := login(client, base, "editor")
	if token == "" {
		t.Fatal("cannot log in to check the acknowledged writes")
	}
	ty.mu.Lock()
	defer ty.mu.Unlock()
	var lost []int64
	for id, title := range ty.acked {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/items/%d", base, id), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var it struct {
			Title string `json:"title"`
		}
		json.NewDecoder(res.Body).Decode(&it)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || it.Title != title {
			lost = append(lost, id)
		}
	}
	return lost
}

// auditVerifies runs `cms audit verify` on the server's database.
func auditVerifies(t *testing.T, env map[string]string) string {
	t.Helper()
	out, _, err := runCmd(t, func(k string) string { return env[k] }, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// script runs one of the repository's scripts with env and returns its
// output.
func script(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command("../../scripts/"+name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// required fails the test when the variable is set (CI), and skips it
// otherwise, saying why.
func required(t *testing.T, variable, why string) {
	t.Helper()
	if os.Getenv(variable) == "1" {
		t.Fatalf("%s=1 but %s", variable, why)
	}
	t.Skip(why)
}

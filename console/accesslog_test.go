package console_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/console"
)

// observed records what the console reports to the metrics.
type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) Request(route, method string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, method+" "+route+" "+http.StatusText(status))
}

// TestAccessLog: every console request gets a request id (the client's
// own when it is sound), logged on one structured line with its route
// pattern, status and latency, and counted by route pattern: a path no
// page takes is counted under the catch-all's pattern, never its own.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var buf bytes.Buffer
	obs := &observed{}
	c, err := console.New(e.svc, console.Options{Observer: obs}, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Handler()
	for _, tc := range []struct{ path, id, wantID string }{
		{"/console/login", "", ""},
		{"/console/login", "lb-7f3a-0001", "lb-7f3a-0001"},
		{"/console/login", "has space", ""},
		{"/console/no-such-page/42", "", ""},
	} {
		buf.Reset()
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		if tc.id != "" {
			req.Header.Set("X-Request-Id", tc.id)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		id := w.Header().Get("X-Request-Id")
		if id == "" || tc.wantID != "" && id != tc.wantID || tc.id == "has space" && id == tc.id {
			t.Errorf("%s with id %q: answered id %q", tc.path, tc.id, id)
		}
		var line struct {
			Msg       string `json:"msg"`
			Route     string `json:"route"`
			Status    int    `json:"status"`
			Latency   int64  `json:"latency"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", buf.String(), err)
		}
		if line.Msg != "console request" || line.RequestID != id || line.Status != w.Code || line.Latency <= 0 {
			t.Errorf("%s: log line %+v, answered %d %q", tc.path, line, w.Code, id)
		}
		if wantRoute := map[string]string{"/console/login": "GET /console/login", "/console/no-such-page/42": "/console/"}[tc.path]; line.Route != wantRoute {
			t.Errorf("%s: route %q, want %q", tc.path, line.Route, wantRoute)
		}
	}
	want := []string{"GET GET /console/login OK", "GET GET /console/login OK", "GET GET /console/login OK", "GET /console/ Not Found"}
	if len(obs.calls) != len(want) {
		t.Fatalf("observed %q", obs.calls)
	}
	for i := range want {
		if obs.calls[i] != want[i] {
			t.Errorf("observed %q, want %q", obs.calls[i], want[i])
		}
	}
}

package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

const metricsToken = "metrics-token-for-tests-0123456789"

// metricsEnv is a server whose /metrics answers to metricsToken.
func metricsEnv(t testing.TB, opt func(*app.Config)) *env {
	t.Helper()
	return newEnvWith(t, func(cfg *app.Config) {
		cfg.HTTP.MetricsToken = metricsToken
		if opt != nil {
			opt(cfg)
		}
	})
}

// scrape is one parsed answer of /metrics.
type scrape map[string]*dto.MetricFamily

// scrape reads /metrics with the token and parses it with the Prometheus
// text parser; the answer is validated against openapi.yaml on the way.
func (e *env) scrape(t testing.TB) scrape {
	t.Helper()
	r := e.send(t, request{method: "GET", path: "/metrics", token: metricsToken})
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, r.Body)
	}
	return fams
}

// value returns the value of the series of name whose labels include
// labels (name=value pairs), summed over the matching series; a
// histogram gives its count. ok is false when no series matches.
func (s scrape) value(name string, labels ...string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	var sum float64
	var found bool
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum, found
}

// of is value, 0 when no series matches.
func (s scrape) of(name string, labels ...string) float64 {
	v, _ := s.value(name, labels...)
	return v
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		ok := false
		for _, l := range m.Label {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// labelValues returns every value a label takes in the family name.
func (s scrape) labelValues(name, label string) []string {
	var out []string
	if f := s[name]; f != nil {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == label {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

// TestMetricsToken: without a token configured /metrics does not exist on
// the main listener; with one it answers only to that token.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	plain := newEnv(t)
	plain.must(t, http.StatusNotFound, "GET", "/metrics", "", nil)
	plain.must(t, http.StatusNotFound, "GET", "/metrics", plain.admin, nil)

	e := metricsEnv(t, nil)
	for name, token := range map[string]string{"none": "", "wrong": metricsToken + "x", "short": metricsToken[:10],
		"an API token": e.admin} {
		r := e.call(t, "GET", "/metrics", token, nil)
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), `realm="metrics"`) {
			t.Errorf("%s token: %d %v", name, r.Status, r.Header)
		}
	}
	s := e.scrape(t)
	if v, ok := s.value("cms_build_info", "version", "test"); !ok || v != 1 {
		t.Errorf("cms_build_info{version=test} = %v, %v", v, ok)
	}
	if s.of("cms_db_max_open_connections") <= 0 {
		t.Error("no connection pool metrics")
	}
	if s.of("cms_backlog_up") != 1 {
		t.Error("the backlog was not counted")
	}
	if s.of("cms_cache_max_bytes") <= 0 {
		t.Error("no cache metrics")
	}
}

// TestMetricsCount: a scripted set of requests, logins and transitions
// moves the counters by what it did, and no label takes a value a client
// made up.
func TestMetricsCount(t *testing.T) {
	t.Parallel()
	e := metricsEnv(t, nil)
	c := newChain(t, e)
	const menu = "/content/v1/channels/wechat/menu"
	const menuRoute = "/content/v1/channels/:channel/menu"
	before := e.scrape(t)

	// Requests: a miss through echo, two hits before it, a 304 and a path
	// no route takes.
	e.svc.Bus.Publish(cms.Notice{})
	e.must(t, http.StatusOK, "GET", menu, "", nil)
	first := e.must(t, http.StatusOK, "GET", menu, "", nil)
	e.must(t, http.StatusOK, "GET", menu+"?utm_source=x", "", nil)
	if r := e.plainGet(t, menu, map[string]string{"If-None-Match": first.Header.Get("ETag")}); r.Status != http.StatusNotModified {
		t.Fatalf("304 expected, got %d", r.Status)
	}
	for _, p := range []string{"/made-up/12345", "/content/v1/nothing-here"} {
		e.plainGet(t, p, nil)
	}
	req, _ := http.NewRequest("BREW", e.srv.URL+menu, nil)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}

	// Logins: an unknown user, a wrong password, then enough to lock.
	for range 2 {
		e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "Wrong-Password-1"})
	}
	for range cms.DefaultAuthConfig().LockoutThreshold {
		e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "editor2", "password": "Wrong-Password-1"})
	}
	e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "editor2", "password": "Wrong-Password-1"})

	// Transitions: one revision submitted and approved, another submitted
	// and left to wait past the department's time limit (48h).
	_, rev1 := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, rev1, "submit", "")
	e.fire(t, http.StatusOK, c.head, rev1, "approve", "")
	_, rev2 := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, rev2, "submit", "")
	e.must(t, http.StatusCreated, "POST", "/api/v1/patrols", c.publisher, nil)
	e.clock.Advance(49 * time.Hour)

	after := e.scrape(t)
	delta := func(name string, labels ...string) float64 {
		return after.of(name, labels...) - before.of(name, labels...)
	}
	checks := []struct {
		what string
		got  float64
		want float64
	}{
		{"menu 2xx", delta("cms_http_requests_total", "route", menuRoute, "method", "GET", "status", "2xx"), 3},
		{"menu 3xx", delta("cms_http_requests_total", "route", menuRoute, "method", "GET", "status", "3xx"), 1},
		{"menu latency observations", delta("cms_http_request_duration_seconds", "route", menuRoute, "method", "GET"), 4},
		{"unmatched 4xx", delta("cms_http_requests_total", "route", "unmatched", "status", "4xx"), 2},
		{"made-up method", delta("cms_http_requests_total", "route", menuRoute, "method", "OTHER", "status", "4xx"), 1},
		{"cache misses", delta("cms_cache_misses_total"), 1},
		{"cache hits", delta("cms_cache_hits_total"), 3},
		{"unknown user", delta("cms_login_failures_total", "reason", "unknown_user"), 2},
		{"wrong password", delta("cms_login_failures_total", "reason", "wrong_password"), 5},
		{"refused while locked", delta("cms_login_failures_total", "reason", "locked"), 1},
		{"lockouts", delta("cms_login_lockouts_total"), 1},
		{"submits", delta("cms_workflow_transitions_total", "event", "submit"), 2},
		{"approvals", delta("cms_workflow_transitions_total", "event", "approve"), 1},
		{"patrol runs", delta("cms_patrol_runs_total", "trigger", "request", "result", "ok"), 1},
		{"waiting in dept_review", after.of("cms_workflow_queue_depth", "stage", "dept_review"), 1},
		{"waiting for sign-off", after.of("cms_workflow_queue_depth", "stage", "leadership_signoff"), 1},
		{"overdue in dept_review", after.of("cms_workflow_overdue", "stage", "dept_review"), 1},
		{"overdue in sign-off (72h)", after.of("cms_workflow_overdue", "stage", "leadership_signoff"), 0},
		{"patrol requests counted", delta("cms_http_requests_total", "route", "/api/v1/patrols", "method", "POST", "status", "2xx"), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: moved by %v, want %v", c.what, c.got, c.want)
		}
	}
	if after.of("cms_outbox_undispatched_events") < 3 {
		t.Errorf("undispatched events %v: the transitions' events are not counted", after.of("cms_outbox_undispatched_events"))
	}
	for _, r := range after.labelValues("cms_http_requests_total", "route") {
		if strings.Contains(r, "made-up") || strings.Contains(r, "nothing-here") || strings.Contains(r, "utm") {
			t.Errorf("a route label holds what the client sent: %q", r)
		}
	}
}

// TestMetricsDeliveries: webhook attempts are counted by result with
// their latency, and the backlog drains to zero once they are done.
func TestMetricsDeliveries(t *testing.T) {
	t.Parallel()
	e := quietEventsEnv(t, func(cfg *app.Config) { cfg.HTTP.MetricsToken = metricsToken })
	ok := newReceiver(t, nil)
	failing := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	e.hook(t, ok.srv.URL, "maintenance.changed")
	e.hook(t, failing.srv.URL, "maintenance.changed")
	if err := e.db.Append(context.Background(), cms.NewAuditEntry(time.Now(), 0, cms.AuditMaintenanceChanged, "channel:app",
		map[string]any{"notice": "系统维护", "starts_at": "", "ends_at": ""})); err != nil {
		t.Fatal(err)
	}
	if s := e.scrape(t); s.of("cms_outbox_undispatched_events") < 1 {
		t.Errorf("the event waiting for the dispatcher is not counted: %v", s.of("cms_outbox_undispatched_events"))
	}
	e.runEvents(t)
	ok.waitFor(t, 10*time.Second, "the delivery", func(r []received) bool { return len(r) == 1 })
	failing.waitFor(t, 10*time.Second, "two attempts", func(r []received) bool { return len(r) >= 2 })
	// An attempt is counted when its answer is in, after the receiver
	// saw the request; the delivered one leaves the backlog when its
	// outcome is stored, which may come after it was counted.
	s := e.scrape(t)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); s = e.scrape(t) {
		if s.of("cms_delivery_attempts_total", "result", "ok") == 1 && s.of("cms_delivery_attempts_total", "result", "failed") >= 2 &&
			s.of("cms_delivery_duration_seconds", "channel", "webhook") >= 3 && s.of("cms_webhook_backlog") <= 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := s.of("cms_delivery_attempts_total", "channel", "webhook", "result", "ok"); v != 1 {
		t.Errorf("successful attempts %v, want 1", v)
	}
	if v := s.of("cms_delivery_attempts_total", "channel", "webhook", "result", "failed"); v < 2 {
		t.Errorf("failed attempts %v, want at least 2", v)
	}
	if n := s.of("cms_delivery_duration_seconds", "channel", "webhook"); n < 3 {
		t.Errorf("latency observations %v, want at least 3", n)
	}
	if s.of("cms_webhook_backlog") > 1 || s.of("cms_webhook_backlog_oldest_seconds") < 0 {
		t.Errorf("backlog %v (oldest %vs), want at most the failing delivery", s.of("cms_webhook_backlog"), s.of("cms_webhook_backlog_oldest_seconds"))
	}
	if v := s.of("cms_outbox_undispatched_events"); v != 0 {
		t.Errorf("undispatched events %v after the dispatcher ran", v)
	}
}

// TestReadyNamesTheFailedCheck: /readyz checks the database and the blob
// store and says which one failed, with 503.
func TestReadyNamesTheFailedCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	type ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	check := func(want int, wantStatus string, wantChecks map[string]string) {
		t.Helper()
		var got ready
		e.must(t, want, "GET", "/readyz", "", nil).decode(t, &got)
		if got.Status != wantStatus || len(got.Checks) != len(wantChecks) {
			t.Fatalf("readyz %+v, want %s %v", got, wantStatus, wantChecks)
		}
		for k, v := range wantChecks {
			if got.Checks[k] != v {
				t.Errorf("check %s: %q, want %q", k, got.Checks[k], v)
			}
		}
	}
	check(http.StatusOK, "ready", map[string]string{"database": "ok", "blobs": "ok"})
	// The blob folder is gone and a file stands in its place.
	if err := os.RemoveAll(e.blobRoot); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.blobRoot, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	check(http.StatusServiceUnavailable, "unavailable", map[string]string{"database": "ok", "blobs": "failed"})
	e.db.Close()
	check(http.StatusServiceUnavailable, "unavailable", map[string]string{"database": "failed", "blobs": "failed"})
}

package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	openapi "github.com/tlhpf/cms"
	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// eventsEnv is a server on the system clock (webhook timestamps must be
// current for receivers to accept them) whose events workers run, with
// the retry schedule scaled down to milliseconds and private targets
// allowed (the receivers listen on loopback).
func eventsEnv(t testing.TB, opt func(*app.Config)) *env {
	t.Helper()
	e := quietEventsEnv(t, opt)
	e.runEvents(t)
	return e
}

// quietEventsEnv is eventsEnv with its workers not yet running.
func quietEventsEnv(t testing.TB, opt func(*app.Config)) *env {
	t.Helper()
	return newEnvWith(t, func(cfg *app.Config) {
		cfg.Clock = cms.SystemClock{}
		cfg.Events.AllowPrivate = true
		cfg.Events.RetryBase = 20 * time.Millisecond
		cfg.Events.Poll = 50 * time.Millisecond
		cfg.Events.Timeout = 2 * time.Second
		cfg.Events.Lease = 5 * time.Second
		if opt != nil {
			opt(cfg)
		}
	})
}

// runEvents runs the events workers until the returned function is
// called, or the test ends.
func (e *env) runEvents(t testing.TB) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.app.RunEvents(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
	At     time.Time
}

// receiver is an endpoint that records what it receives and answers as
// its handler says (200 when there is none).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter, r *http.Request) // n: 1 for the first request
	notify chan struct{}
}

func newReceiver(t testing.TB, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer, notify: make(chan struct{}, 1)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: body, At: time.Now()})
		n := len(rc.got)
		rc.mu.Unlock()
		select {
		case rc.notify <- struct{}{}:
		default:
		}
		if rc.answer != nil {
			rc.answer(n, w, r)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// waitFor waits until cond holds of what was received, or fails.
func (rc *receiver) waitFor(t *testing.T, within time.Duration, what string, cond func([]received) bool) []received {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := rc.requests()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (%d requests received)", what, within, len(got))
		}
		select {
		case <-rc.notify:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// payloadOf decodes a webhook body.
type payload struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func payloadOf(t *testing.T, b []byte) payload {
	t.Helper()
	var p payload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("webhook body %s: %v", b, err)
	}
	return p
}

// ofType keeps the requests whose payload has type typ.
func ofType(t *testing.T, got []received, typ string) []received {
	var out []received
	for _, r := range got {
		if payloadOf(t, r.Body).Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// hook registers an endpoint and returns its id and secret.
func (e *env) hook(t testing.TB, url string, events ...string) (int64, string) {
	t.Helper()
	var w struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/webhooks", e.admin, map[string]any{"url": url, "events": events,
		"description": "WeChat backend"}).decode(t, &w)
	return w.ID, w.Secret
}

func webhookPath(id int64) string { return "/api/v1/webhooks/" + strconv.FormatInt(id, 10) }

// deliveryLog is what GET …/deliveries answers.
type deliveryLog struct {
	Deliveries []struct {
		ID        int64  `json:"id"`
		EventID   int64  `json:"event_id"`
		Type      string `json:"type"`
		MessageID string `json:"message_id"`
		State     string `json:"state"`
		Attempts  int    `json:"attempts"`
		Log       []struct {
			Attempt   int     `json:"attempt"`
			Status    *int    `json:"status"`
			LatencyMS float64 `json:"latency_ms"`
			Error     *string `json:"error"`
			Response  string  `json:"response"`
		} `json:"log"`
	} `json:"deliveries"`
	NextCursor *string `json:"next_cursor"`
}

func (e *env) deliveries(t *testing.T, id int64) deliveryLog {
	t.Helper()
	var out deliveryLog
	e.must(t, http.StatusOK, "GET", webhookPath(id)+"/deliveries?limit=100", e.admin, nil).decode(t, &out)
	return out
}

var (
	payloadSpecOnce sync.Once
	payloadSpec     *openapi3.T
)

// checkPayload validates a webhook body against the schema openapi.yaml
// gives its type.
func checkPayload(t *testing.T, body []byte) {
	t.Helper()
	payloadSpecOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
		if err != nil {
			t.Fatal(err)
		}
		strictNulls(doc)
		payloadSpec = doc
	})
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	schema := payloadSpec.Components.Schemas["WebhookPayload"].Value
	if err := schema.VisitJSON(v); err != nil {
		t.Errorf("webhook body does not conform to WebhookPayload: %v\n%s", err, body)
	}
}

type inboxNote struct {
	ID      int64   `json:"id"`
	Kind    string  `json:"kind"`
	Subject string  `json:"subject"`
	Title   string  `json:"title"`
	Body    string  `json:"body"`
	Link    string  `json:"link"`
	ReadAt  *string `json:"read_at"`
}

// inbox returns the caller's notifications, newest first.
func (e *env) inbox(t *testing.T, token string) []inboxNote {
	t.Helper()
	var out struct {
		Notifications []inboxNote `json:"notifications"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/notifications?limit=100", token, nil).decode(t, &out)
	return out.Notifications
}

// waitInbox waits until the caller's inbox satisfies cond.
func (e *env) waitInbox(t *testing.T, token, what string, cond func([]inboxNote) bool) []inboxNote {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		notes := e.inbox(t, token)
		if cond(notes) {
			return notes
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not in the inbox within 10s: %+v", what, notes)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

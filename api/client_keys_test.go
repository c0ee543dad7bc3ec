package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage"
)

type clientKeyBody struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Hint      string  `json:"hint"`
	Rate      int     `json:"rate"`
	Burst     int     `json:"burst"`
	RevokedAt *string `json:"revoked_at"`
}

// statuses sends n content API GETs, with a client key when key is set,
// and counts their statuses.
func (e *env) statuses(t *testing.T, n int, key string) map[int]int {
	t.Helper()
	out := map[int]int{}
	for range n {
		rq := request{method: "GET", path: "/content/v1/channels/wechat/menu"}
		if key != "" {
			rq.header = map[string]string{"X-Client-Key": key}
		}
		out[e.send(t, rq).Status]++
	}
	return out
}

// TestClientKeys: administrators issue keys for the clients that reach
// the content API for all their readers from one address; a client that
// presents one is limited by its key's rate instead of the limit per
// address, which still holds for everyone else and for keys that are
// unknown or revoked. Only the key's hash is stored; only administrators
// issue and revoke, auditors list; every change is audited.
func TestClientKeys(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.HTTP.RateLimit, c.HTTP.RateBurst = 1, 3 })
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	_, editor := e.user(t, "ed", "collection", role{"editor", "collection"})

	var issued struct {
		ClientKey clientKeyBody `json:"client_key"`
		Key       string        `json:"key"`
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/client-keys", e.admin, map[string]any{"name": "WeChat backend"}).decode(t, &issued)
	k := issued.ClientKey
	if !strings.HasPrefix(issued.Key, "ck_") || len(issued.Key) < 40 || !strings.HasPrefix(issued.Key, k.Hint) ||
		k.Name != "WeChat backend" || k.Rate != 1000 || k.Burst != 2000 || k.RevokedAt != nil {
		t.Fatalf("issued %+v", issued)
	}
	var stored int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM client_keys WHERE hash = ? OR hint = ?", issued.Key, issued.Key).
		Scan(context.Background(), &stored); err != nil || stored != 0 {
		t.Errorf("the key itself is stored: %d %v", stored, err)
	}
	var app struct {
		ClientKey clientKeyBody `json:"client_key"`
		Key       string        `json:"key"`
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/client-keys", e.admin, map[string]any{"name": "App", "rate": 2, "burst": 2}).decode(t, &app)

	// Anonymous clients keep the limit per address; the WeChat backend's
	// key has its own, and so has the App's, apart from each other.
	if got := e.statuses(t, 8, ""); got[http.StatusTooManyRequests] == 0 {
		t.Errorf("anonymous: %v", got)
	}
	if got := e.statuses(t, 30, issued.Key); got[http.StatusOK] != 30 {
		t.Errorf("with the WeChat backend's key: %v", got)
	}
	if got := e.statuses(t, 6, app.Key); got[http.StatusOK] < 2 || got[http.StatusTooManyRequests] == 0 {
		t.Errorf("with the App's key (2/s): %v", got)
	}
	if got := e.statuses(t, 4, "ck_unknownunknownunknownunknownunknownunknown1"); got[http.StatusOK] != 0 {
		t.Errorf("an unknown key was not limited as its address: %v", got)
	}
	if got := e.server.ClientStats(); got.Keys[k.ID].Admitted != 30 || got.Keys[k.ID].Name != "WeChat backend" || got.Anonymous.Refused == 0 {
		t.Errorf("counts %+v", got)
	}

	// A second server process learns of a revocation through the change log.
	other, stop := e.watchingReplica(t)
	defer stop()
	if got := other.statuses(t, 10, issued.Key); got[http.StatusOK] != 10 {
		t.Errorf("the other process, with the key: %v", got)
	}
	var list struct {
		ClientKeys []clientKeyBody `json:"client_keys"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/client-keys", auditor, nil).decode(t, &list)
	if len(list.ClientKeys) != 2 || list.ClientKeys[0].Name != "App" {
		t.Errorf("list %+v", list)
	}
	e.must(t, http.StatusForbidden, "POST", "/api/v1/client-keys", auditor, map[string]any{"name": "x"})
	e.must(t, http.StatusForbidden, "DELETE", "/api/v1/client-keys/1", auditor, nil)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/client-keys", editor, nil)
	e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/client-keys", e.admin, map[string]any{"name": " "})
	e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/client-keys", e.admin, map[string]any{"name": "x", "rate": 10, "burst": 5})
	e.must(t, http.StatusNotFound, "DELETE", "/api/v1/client-keys/999", e.admin, nil)

	var revoked clientKeyBody
	e.must(t, http.StatusOK, "DELETE", "/api/v1/client-keys/"+strconv.FormatInt(k.ID, 10), e.admin, nil).decode(t, &revoked)
	if revoked.RevokedAt == nil {
		t.Errorf("revoked %+v", revoked)
	}
	e.must(t, http.StatusOK, "DELETE", "/api/v1/client-keys/"+strconv.FormatInt(k.ID, 10), e.admin, nil)
	time.Sleep(time.Second) // both buckets of the address refill a little
	for _, srv := range []*env{e, other} {
		deadline := time.Now().Add(10 * time.Second)
		for srv.statuses(t, 5, issued.Key)[http.StatusTooManyRequests] == 0 {
			if time.Now().After(deadline) {
				t.Fatal("a revoked key still gets its own rate")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if n := e.auditCount(t, "client_key_issued"); n != 2 {
		t.Errorf("%d client_key_issued entries, want 2", n)
	}
	if n := e.auditCount(t, "client_key_revoked"); n != 1 {
		t.Errorf("%d client_key_revoked entries, want 1", n)
	}
}

// watchingReplica starts a second app over e's database that follows the
// change log (every 100 ms on SQLite; notifications on PostgreSQL), with
// the same limits.
func (e *env) watchingReplica(t *testing.T) (*env, func()) {
	t.Helper()
	cfg := e.cfg
	cfg.WatchInterval = 100 * time.Millisecond
	if e.db.Dialect == storage.Postgres {
		cfg.WatchInterval = time.Hour // PostgreSQL must notify
	}
	blobs, err := storage.NewFolderStore(e.blobRoot)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), e.db, blobs, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	go a.WatchChanges(ctx)
	r := &env{t: t, srv: srv, app: a, server: a.API, db: e.db, svc: a.Services, blobRoot: e.blobRoot, cfg: cfg, dataDir: e.dataDir}
	return r, func() { cancel(); srv.Close() }
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage/storagetest"
)

// TestPostgresStoppedUnderWriters stops PostgreSQL hard (an immediate
// shutdown, as a crash) under four writers, starts it again three seconds
// later, and checks that every acknowledged write is there, that nothing
// was answered 500, that requests during the outage were 503
// database_unavailable within the database timeout, that the public menu
// kept being served from the cache, and how long the server took to
// recover by itself. It runs its own throwaway cluster (scripts/postgres.sh
// with PGROOT and PGPORT), never the shared one.
func TestPostgresStoppedUnderWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: several seconds of outage")
	}
	if storagetest.Dialect() == "postgres" {
		t.Skip("runs once, in the SQLite pass: it starts a PostgreSQL cluster of its own")
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres"); len(m) == 0 {
		required(t, "CMS_TEST_REQUIRE_POSTGRES", "no PostgreSQL server installed (/usr/lib/postgresql/*/bin)")
	}
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	// Under /tmp itself: the postgres user the cluster runs as must reach it.
	root := "/tmp/cms-pg-faults-" + port
	pgEnv := []string{"PGROOT=" + root, "PGPORT=" + port, "PG_DURABLE=1"}
	url := strings.TrimSpace(strings.TrimPrefix(script(t, pgEnv, "postgres.sh", "start"), "PG_URL="))
	t.Cleanup(func() { script(t, pgEnv, "postgres.sh", "stop"); os.RemoveAll(root) })

	env := faultEnv(t, map[string]string{"CMS_DATABASE_URL": url})
	p := startProcess(t, env)
	ctx, stop := context.WithCancel(context.Background())
	ty, readers := newTally(), newTally()
	wg := writers(ctx, 4, p.base, ty)
	// A client of the content API reads the menu the cache holds.
	rc := &http.Client{Timeout: 30 * time.Second}
	wg.Go(func() {
		for ctx.Err() == nil {
			readers.send(rc, "GET", p.base+"/content/v1/channels/app/menu", "", "", nil)
			time.Sleep(20 * time.Millisecond)
		}
	})

	time.Sleep(2 * time.Second)
	down := time.Now()
	script(t, pgEnv, "postgres.sh", "halt")
	time.Sleep(1500 * time.Millisecond)
	res, err := http.Get(p.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var problem struct {
		Code, Detail string
	}
	json.Unmarshal(ready, &problem)
	if res.StatusCode != http.StatusServiceUnavailable || problem.Code != "database_unavailable" || !strings.Contains(problem.Detail, "postgres") {
		t.Errorf("/readyz with PostgreSQL down: %d %s", res.StatusCode, ready)
	}
	time.Sleep(1500 * time.Millisecond)
	up := time.Now()
	script(t, pgEnv, "postgres.sh", "resume")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, ok := ty.recovered(up, func(s int) bool { return s == http.StatusCreated }); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no write succeeded within 60s of PostgreSQL starting again")
		}
	}
	time.Sleep(time.Second)
	stop()
	wg.Wait()

	lost := ty.lost(t, p.base)
	back, _ := ty.recovered(up, func(s int) bool { return s == http.StatusCreated })
	seen, counts := ty.byStatus()
	menu, menuCounts := readers.byStatus()
	t.Logf("PostgreSQL stopped for %s under 4 writers: acknowledged %d, lost %d; answers: %s; slowest answer %s; "+
		"writes again %.1fs after PostgreSQL started; public menu during the run: %s; %s",
		up.Sub(down).Round(100*time.Millisecond), len(ty.acked), len(lost), seen, ty.slowest().Round(10*time.Millisecond),
		back.Sub(up).Seconds(), menu, auditVerifies(t, env))
	if len(lost) > 0 {
		t.Errorf("acknowledged writes lost: %v", lost)
	}
	if counts[http.StatusInternalServerError] > 0 || menuCounts[http.StatusInternalServerError] > 0 {
		t.Errorf("500s during the outage: writers %s, readers %s", seen, menu)
	}
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no 503 during the outage: %s", seen)
	}
	for s := range counts {
		if s != http.StatusCreated && s != http.StatusServiceUnavailable {
			t.Errorf("unexpected status %d: %s", s, seen)
		}
	}
	if menuCounts[http.StatusOK] != len(readers.outcomes) {
		t.Errorf("the cached menu was not served throughout: %s", menu)
	}
	// CMS_DB_TIMEOUT=2s; the margin is for a loaded machine.
	if d := ty.slowest(); d > 8*time.Second {
		t.Errorf("a request took %s with CMS_DB_TIMEOUT=2s", d)
	}
}

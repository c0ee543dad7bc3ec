package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestDatabaseGoneAnswers503: with the database gone, the management
// API answers 503 database_unavailable with Retry-After (not 500
// internal), /readyz names the database, and the content API serves
// what its cache holds: current answers as they are, an answer past its
// time stale, with Age and a Warning; what it does not hold is 503.
func TestDatabaseGoneAnswers503(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "published")
	otherID, otherRev := e.completeGuide(t, c.editor)
	e.toState(t, c, otherRev, "published")
	// A maintenance window two days ahead, approved (第十五条): the cached
	// menu holds until its notice is due.
	starts := e.clock.Now().Add(48 * time.Hour)
	e.announce(t, c.publisher, "app", "系统升级，暂停服务", starts.Format(time.RFC3339))
	e.must(t, http.StatusOK, "GET", publicItemPath(itemID), "", nil)
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/app/menu", "", nil)

	if err := e.db.Close(); err != nil { // as a database that went away
		t.Fatal(err)
	}
	unavailable := func(what string, r *response) {
		t.Helper()
		if r.Status != http.StatusServiceUnavailable || r.problem(t).Code != cms.EDBDOWN || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s with the database gone: %d %v %s", what, r.Status, r.Header, r.Body)
		}
	}
	unavailable("GET /api/v1/me", e.call(t, "GET", "/api/v1/me", c.editor, nil))
	unavailable("login", e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "editor", "password": "x"}))
	unavailable("an item the cache does not hold", e.call(t, "GET", publicItemPath(otherID), "", nil))
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	r := e.call(t, "GET", "/readyz", "", nil)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("/readyz with the database gone: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r.decode(t, &ready); ready.Status != "unavailable" || ready.Checks["database"] != "failed" {
		t.Errorf("/readyz does not name the database: %s", r.Body)
	}

	r = e.call(t, "GET", publicItemPath(itemID), "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Warning") != "" {
		t.Errorf("a cached item with the database gone: %d %v", r.Status, r.Header)
	}
	e.clock.Advance(49 * time.Hour) // the cached menu's time is up
	time.Sleep(1100 * time.Millisecond)
	r = e.call(t, "GET", "/content/v1/channels/app/menu", "", nil)
	age, _ := strconv.Atoi(r.Header.Get("Age"))
	if r.Status != http.StatusOK || age < 1 || !strings.HasPrefix(r.Header.Get("Warning"), "111 ") {
		t.Errorf("a menu past its time with the database gone: %d Age=%q Warning=%q", r.Status, r.Header.Get("Age"), r.Header.Get("Warning"))
	}
}

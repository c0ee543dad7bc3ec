package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// auditSince returns the audit entries about subject appended after seq.
func (e *env) auditSince(t testing.TB, seq int64, subject string) []cms.AuditEntry {
	t.Helper()
	all, err := e.db.AuditEntries(t.Context(), seq, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []cms.AuditEntry
	for _, a := range all {
		if a.Subject == subject {
			out = append(out, a)
		}
	}
	return out
}

func (e *env) auditHead(t testing.TB) int64 {
	t.Helper()
	seq, _, err := e.db.AuditHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// checks counts what the audit entries say about password checks: how many
// passwords (or codes) were verified, and how often the account was locked.
func checks(t testing.TB, entries []cms.AuditEntry) (verified, locks int) {
	t.Helper()
	for _, a := range entries {
		var d map[string]any
		if err := json.Unmarshal([]byte(a.Detail), &d); err != nil {
			t.Fatal(err)
		}
		switch {
		case a.Action == cms.AuditLogin:
			verified++
		case a.Action == cms.AuditLoginFailed && d["reason"] != "locked" && d["reason"] != "attempts in progress":
			verified++
		}
		if _, ok := d["locked_until"]; ok {
			locks++
		}
	}
	return verified, locks
}

// burst sends n logins for username at once, alternating between the
// servers, with the right password at position right (-1: none).
func burst(t *testing.T, servers []*env, username string, n, right int) []int {
	t.Helper()
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			pw := "Wrong-Passw0rd-" + strconv.Itoa(i)
			if i == right {
				pw = testPassword
			}
			statuses[i] = servers[i%len(servers)].call(t, "POST", "/api/v1/auth/login", "",
				map[string]string{"username": username, "password": pw}).Status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK && s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
			t.Errorf("attempt %d: status %d", i, s)
		}
	}
	return statuses
}

// TestLockoutCannotBeRaced: forty wrong logins at once, spread over two
// server processes on one database, get no more passwords checked than the
// threshold allows and lock the account once; then the right password is
// refused too.
func TestLockoutCannotBeRaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	servers := []*env{e, e.replica(t)}
	id, _ := e.user(t, "race", "office", role{"editor", "office"})
	subject := "user:" + strconv.FormatInt(id, 10)

	start := e.auditHead(t)
	burst(t, servers, "race", 40, -1)
	verified, locks := checks(t, e.auditSince(t, start, subject))
	if verified != 5 {
		t.Errorf("%d passwords were checked during the burst, want 5", verified)
	}
	if locks != 1 {
		t.Errorf("the account was locked %d times during the burst, want once", locks)
	}
	e.must(t, http.StatusTooManyRequests, "POST", "/api/v1/auth/login", "", map[string]string{"username": "race", "password": testPassword})

	// With the right password among thirty-nine wrong ones, the right one
	// may be checked (and restart the count, as a successful login does) or
	// be refused; either way each count sees at most five checks.
	e.clock.Advance(16 * time.Minute)
	start = e.auditHead(t)
	statuses := burst(t, servers, "race", 40, 20)
	verified, locks = checks(t, e.auditSince(t, start, subject))
	limit, lockLimit := 5, 1
	if statuses[20] == http.StatusOK {
		limit, lockLimit = 10, 2
	}
	if verified > limit || locks > lockLimit {
		t.Errorf("right password answered %d; %d passwords checked and %d locks, want at most %d and %d",
			statuses[20], verified, locks, limit, lockLimit)
	}
}

// TestChangePasswordGuessesCannotBeRaced: twenty wrong current passwords at
// once with a stolen token check no more than five and end the token.
func TestChangePasswordGuessesCannotBeRaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.replica(t)
	id, tok := e.user(t, "stolen", "office", role{"editor", "office"})
	subject := "user:" + strconv.FormatInt(id, 10)
	start := e.auditHead(t)

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			srv := e
			if i%2 == 1 {
				srv = other
			}
			r := srv.call(t, "PUT", "/api/v1/me/password", tok,
				map[string]string{"current_password": "Guess-Passw0rd-" + strconv.Itoa(i), "new_password": "N3w-Passw0rd-2026"})
			if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusUnauthorized && r.Status != http.StatusTooManyRequests {
				t.Errorf("guess %d: status %d %s", i, r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	verified, locks := checks(t, e.auditSince(t, start, subject))
	if verified > 5 {
		t.Errorf("%d current passwords were checked, want at most 5", verified)
	}
	if locks != 1 {
		t.Errorf("the account was locked %d times, want once", locks)
	}
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
	other.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
}

// TestLoginLockoutEndsSessions: locking an account by failed logins ends
// the sessions it already had, so a stolen token stops working too.
func TestLoginLockoutEndsSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "victim", "office", role{"editor", "office"})
	for range 5 {
		e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "victim", "password": "Wrong-Passw0rd"})
	}
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
	e.clock.Advance(16 * time.Minute)
	e.login("victim", testPassword)
}

// TestAdminUnlocks: an administrator lifts a lockout before it expires; the
// policy keeps everyone else from doing so, and the audit log records who.
func TestAdminUnlocks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.user(t, "locked", "office", role{"editor", "office"})
	_, head := e.user(t, "head", "office", role{"dept_head", "office"})
	for range 5 {
		e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "locked", "password": "Wrong-Passw0rd"})
	}
	good := map[string]string{"username": "locked", "password": testPassword}
	e.must(t, http.StatusTooManyRequests, "POST", "/api/v1/auth/login", "", good)

	path := "/api/v1/users/" + strconv.FormatInt(id, 10) + "/unlock"
	if p := e.must(t, http.StatusForbidden, "POST", path, head, nil).problem(t); p.Code != "forbidden" {
		t.Errorf("unlock by a department head: %q", p.Code)
	}
	e.must(t, http.StatusNotFound, "POST", "/api/v1/users/9999/unlock", e.admin, nil)
	start := e.auditHead(t)
	var u struct {
		LockedUntil *time.Time `json:"locked_until"`
	}
	e.must(t, http.StatusOK, "POST", path, e.admin, nil).decode(t, &u)
	if u.LockedUntil != nil {
		t.Errorf("locked_until after unlock: %v", u.LockedUntil)
	}
	entries := e.auditSince(t, start, "user:"+strconv.FormatInt(id, 10))
	if len(entries) != 1 || entries[0].Action != cms.AuditAccountUnlocked || entries[0].ActorID != 1 {
		t.Errorf("audit of the unlock: %+v", entries)
	}
	e.login("locked", testPassword)
}

package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// scopeFixture is what TestPublicationDropsOnlyItsAnswers publishes: an
// item that changes, one beside it in its column and a guide in another
// column, and the answers that readers had cached before the change.
type scopeFixture struct {
	changed, neighbour, guide int64
	// stay are answers a change of changed leaves as they were; refreshed
	// those it may have changed.
	stay, refreshed []string
}

func newScopeFixture(t *testing.T, e *env, c chainUsers) scopeFixture {
	t.Helper()
	f := scopeFixture{
		changed:   e.publishNews(t, c, "公积金缴存通知", "缴存比例为**12%**。"),
		neighbour: e.publishNews(t, c, "公积金提取通知", "提取须知。"),
	}
	var rev int64
	f.guide, rev = e.completeGuide(t, c.editor)
	e.toState(t, c, rev, "published")
	f.stay = []string{publicItemPath(f.neighbour), publicItemPath(f.guide), "/content/v1/columns/guides-deposit/items",
		"/content/v1/channels/wechat/menu", "/content/v1/channels/app/menu"}
	f.refreshed = []string{publicItemPath(f.changed), "/content/v1/columns/news/items?limit=5",
		"/content/v1/search?q=" + url.QueryEscape("公积金")}
	return f
}

// revise walks a new revision of the changed item to publication.
func (f scopeFixture) revise(t *testing.T, e *env, c chainUsers, title string) {
	t.Helper()
	var rev revState
	e.must(t, http.StatusCreated, "POST", itemPath(f.changed)+"/revisions", c.editor, map[string]any{"action": "publish", "title": title}).decode(t, &rev)
	e.toState(t, c, rev.ID, "published")
}

// warm fills srv's cache with every answer of f and checks that each is
// then a hit.
func (f scopeFixture) warm(t *testing.T, srv *env) {
	t.Helper()
	all := append(append([]string{}, f.stay...), f.refreshed...)
	for _, p := range all {
		if r := srv.plainGet(t, p, nil); r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, r.Status, r.Body)
		}
	}
	f.check(t, srv, "warm", "", all, nil)
}

// check asks srv for hits and then misses, and fails unless each is what
// it is said to be; a miss must show title (when given).
func (f scopeFixture) check(t *testing.T, srv *env, when, title string, hits, misses []string) {
	t.Helper()
	for _, p := range hits {
		before := srv.server.CacheStats()
		r := srv.plainGet(t, p, nil)
		if after := srv.server.CacheStats(); r.Status != http.StatusOK || after.Hits-before.Hits != 1 || after.Misses != before.Misses {
			t.Errorf("%s: GET %s: %d, %d hits and %d misses, want its cached answer", when, p, r.Status,
				after.Hits-before.Hits, after.Misses-before.Misses)
		}
	}
	for _, p := range misses {
		before := srv.server.CacheStats()
		r := srv.plainGet(t, p, nil)
		if after := srv.server.CacheStats(); r.Status != http.StatusOK || after.Misses-before.Misses != 1 {
			t.Errorf("%s: GET %s: %d, %d misses, want it built afresh", when, p, r.Status, after.Misses-before.Misses)
		}
		if title != "" && !strings.Contains(string(r.Body), title) {
			t.Errorf("%s: GET %s does not show %q: %.200s", when, p, title, r.Body)
		}
	}
}

// TestPublicationDropsOnlyItsAnswers: publishing a new revision of an item
// drops its detail, its column's listings and every search, which readers
// then see refreshed at once; the answers of other items, of other columns
// and the menus stay cached.
func TestPublicationDropsOnlyItsAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	f := newScopeFixture(t, e, c)
	f.warm(t, e)
	f.revise(t, e, c, "公积金缴存通知（修订）")
	f.check(t, e, "after the publication", "公积金缴存通知（修订）", f.stay, f.refreshed)
	// Taking the item offline drops the same answers; its detail is gone.
	f.warm(t, e)
	var it struct {
		LiveRevisionID int64 `json:"live_revision_id"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(f.changed), c.editor, nil).decode(t, &it)
	e.fire(t, http.StatusOK, c.publisher, it.LiveRevisionID, "suspend", "应急处置")
	e.must(t, http.StatusNotFound, "GET", publicItemPath(f.changed), "", nil)
	f.check(t, e, "after the suspension", "", f.stay, f.refreshed[1:])
	for _, p := range f.refreshed[1:] {
		if r := e.plainGet(t, p, nil); strings.Contains(string(r.Body), "公积金缴存通知") {
			t.Errorf("after the suspension, GET %s still shows the item: %.200s", p, r.Body)
		}
	}
}

// TestPublicationDropsOnlyItsAnswersAcrossProcesses: another server
// process learns of the publication from the database (PostgreSQL's
// notification, or the polled change log) with the item and its column,
// and drops only what it may have changed.
func TestPublicationDropsOnlyItsAnswersAcrossProcesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	f := newScopeFixture(t, e, c)
	other := e.replica(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go other.app.WatchChanges(ctx)
	// Wait until the watcher follows (on PostgreSQL, connecting drops
	// everything: anything may have changed before).
	probe := e.publishNews(t, c, "探测", "正文")
	waitFor(t, "the other process to see the probe", func() bool {
		return other.plainGet(t, publicItemPath(probe), nil).Status == http.StatusOK &&
			strings.Contains(string(other.plainGet(t, "/content/v1/columns/news/items?limit=5", nil).Body), "探测")
	})
	f.warm(t, other)
	f.revise(t, e, c, "公积金缴存通知（修订）")
	waitFor(t, "the other process to see the publication", func() bool {
		return strings.Contains(string(other.plainGet(t, publicItemPath(f.changed), nil).Body), "（修订）")
	})
	// The detail was refreshed above; the rest is checked here.
	f.check(t, other, "after the publication", "公积金缴存通知（修订）", f.stay, f.refreshed[1:])
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

func testEntry(key string, gen int64, size int) *cachedResponse {
	return &cachedResponse{key: key, gen: gen, body: []byte(strings.Repeat("x", size)), etag: `"e"`}
}

// TestCacheBoundsAndFrees: the cache holds no more bytes or entries than
// its bounds, evicts the least recently used first, frees everything when
// content changes, and never stores a response built before the change.
func TestCacheBoundsAndFrees(t *testing.T) {
	now := time.Now()
	c := newContentCache(64<<10, 1000)
	for i := range 100 {
		c.add(testEntry("k"+strconv.Itoa(i), 0, 1000))
		if c.bytes > c.maxBytes {
			t.Fatalf("after %d adds: %d bytes > %d", i+1, c.bytes, c.maxBytes)
		}
	}
	if _, ok := c.get("k0", now); ok {
		t.Error("the oldest entry was kept")
	}
	if _, ok := c.get("k99", now); !ok {
		t.Error("the newest entry was evicted")
	}
	var sum int64
	for _, el := range c.items {
		sum += el.Value.(*cachedResponse).size()
	}
	if sum != c.bytes || len(c.items) != c.order.Len() {
		t.Errorf("accounted %d bytes for entries of %d; %d in the map, %d in the list", c.bytes, sum, len(c.items), c.order.Len())
	}

	c.add(testEntry("huge", 0, 16<<10)) // more than an eighth of the budget
	if _, ok := c.get("huge", now); ok {
		t.Error("an entry of more than an eighth of the budget was stored")
	}

	gen := c.gen.Load()
	c.Invalidate()
	if len(c.items) != 0 || c.order.Len() != 0 || c.bytes != 0 {
		t.Errorf("after a change: %d entries, %d bytes", len(c.items), c.bytes)
	}
	c.add(testEntry("stale", gen, 10)) // built before the change
	if _, ok := c.get("stale", now); ok || len(c.items) != 0 {
		t.Error("a response built before the change was stored")
	}

	c = newContentCache(1<<20, 3)
	for i := range 5 {
		c.add(testEntry("n"+strconv.Itoa(i), 0, 10))
	}
	if len(c.items) != 3 {
		t.Errorf("%d entries, bound 3", len(c.items))
	}

	e := testEntry("timed", c.gen.Load(), 10)
	e.until = now.Add(time.Minute)
	c.add(e)
	if _, ok := c.get("timed", now.Add(2*time.Minute)); ok {
		t.Error("an expired entry was served")
	}
	// It is kept, within the bounds, for an answer while the database is
	// away (served stale), until a change drops it.
	if s, ok := c.stale("timed"); !ok || s != e {
		t.Error("an expired entry was not kept for a stale answer")
	}
	c.Invalidate()
	if _, ok := c.stale("timed"); ok {
		t.Error("an entry of before a change was kept for a stale answer")
	}
}

// BenchmarkCacheLookup measures what a hit costs the cache itself: reading
// the canonical parameters, building the key and finding the entry.
func BenchmarkCacheLookup(b *testing.B) {
	e := echo.New()
	e.GET("/content/v1/search", func(echo.Context) error { return nil })
	c := newContentCache(DefaultCacheBytes, DefaultCacheEntries)
	req := httptest.NewRequest(http.MethodGet, "/content/v1/search?q=%E6%8F%90%E5%8F%96&limit=20&from=singlemessage", nil)
	ctx := e.NewContext(req, httptest.NewRecorder())
	e.Router().Find(http.MethodGet, "/content/v1/search", ctx)
	q, err := readPublicQuery(ctx, "q", "column", "channel", "cursor", "limit")
	if err != nil {
		b.Fatal(err)
	}
	c.add(testEntry(q.key(ctx), 0, 2000))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		ctx.Reset(req, httptest.NewRecorder()) // the query is parsed anew, as for each request
		e.Router().Find(http.MethodGet, "/content/v1/search", ctx)
		q, _ := readPublicQuery(ctx, "q", "column", "channel", "cursor", "limit")
		if _, ok := c.get(q.key(ctx), now); !ok {
			b.Fatal("miss")
		}
	}
}

// TestCacheDropsWhatAChangeNames: a change of an item frees its detail,
// its column's listings and every search at once, and nothing else; an
// answer built while it happened is kept only when the change cannot
// have touched it, and when the cache cannot tell (more changes than it
// remembers, or a change of everything) it is not kept.
func TestCacheDropsWhatAChangeNames(t *testing.T) {
	now := time.Now()
	c := newContentCache(1<<20, 1000)
	entry := func(key, route, param string, gen int64) *cachedResponse {
		e := testEntry(key, gen, 10)
		e.dep = dependency(route, param)
		return e
	}
	add := func(gen int64) {
		c.add(entry("item7", routeItem, "7", gen))
		c.add(entry("item8", routeItem, "8", gen))
		c.add(entry("news", routeList, "news", gen))
		c.add(entry("guides", routeList, "guides-deposit", gen))
		c.add(entry("search", routeSearch, "", gen))
		c.add(entry("menu", routeMenu, "wechat", gen))
	}
	held := func() string {
		var keys []string
		for _, k := range []string{"item7", "item8", "news", "guides", "search", "menu"} {
			if _, ok := c.get(k, now); ok {
				keys = append(keys, k)
			}
		}
		return strings.Join(keys, " ")
	}
	add(0)
	gen := c.gen.Load()
	c.InvalidateItems([]cms.ChangedItem{{ID: 7, Column: "news"}})
	if got, want := held(), "item8 guides menu"; got != want {
		t.Errorf("after a change of item 7 in news: %q held, want %q", got, want)
	}
	if len(c.items) != 3 || c.order.Len() != 3 || len(c.byDep) != 2 {
		t.Errorf("entries not freed: %d in the map, %d in the list, %d dependencies", len(c.items), c.order.Len(), len(c.byDep))
	}
	// Built before the change: what it touched is not kept, the rest is.
	c = newContentCache(1<<20, 1000)
	gen = c.gen.Load()
	c.InvalidateItems([]cms.ChangedItem{{ID: 7, Column: "news"}})
	add(gen)
	if got, want := held(), "item8 guides menu"; got != want {
		t.Errorf("built before a change of item 7: %q kept, want %q", got, want)
	}
	// Too many changes since to tell: nothing built before them is kept.
	c = newContentCache(1<<20, 1000)
	gen = c.gen.Load()
	for i := range maxRecent + 1 {
		c.InvalidateItems([]cms.ChangedItem{{ID: int64(100 + i), Column: "faq"}})
	}
	add(gen)
	if got := held(); got != "" {
		t.Errorf("built before more changes than remembered: %q kept", got)
	}
	// A change of everything: nothing built before it is kept, menus neither.
	c = newContentCache(1<<20, 1000)
	add(0)
	gen = c.gen.Load()
	c.Invalidate()
	c.InvalidateItems([]cms.ChangedItem{{ID: 9, Column: "faq"}})
	add(gen)
	if got := held(); got != "" {
		t.Errorf("built before a change of everything: %q kept", got)
	}
	add(c.gen.Load())
	if got := held(); got != "item7 item8 news guides search menu" {
		t.Errorf("built after the changes: %q kept", got)
	}
}

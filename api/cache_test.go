package api_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage"
)

// TestCacheKeyIsTheCanonicalRequest: one answer, one entry. Parameters a
// route does not read are ignored, ids have one spelling, a repeated
// parameter is refused, and a change of content frees every entry.
func TestCacheKeyIsTheCanonicalRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "缓存标题", "正文")
	stats := e.server.CacheStats
	item := publicItemPath(id)

	base := stats().Entries
	etag := e.must(t, http.StatusOK, "GET", item, "", nil).Header.Get("ETag")
	for i := range 50 {
		r := e.must(t, http.StatusOK, "GET", fmt.Sprintf("%s?q=%d&utm_source=share&cursor=%d", item, i, i), "", nil)
		if r.Header.Get("ETag") != etag {
			t.Fatalf("ETag %s, want %s", r.Header.Get("ETag"), etag)
		}
	}
	if n := stats().Entries - base; n != 1 {
		t.Errorf("%d entries for one item asked for in 51 ways", n)
	}

	// An id has one spelling; the others name nothing.
	for _, p := range []string{"/content/v1/items/0" + strconv.FormatInt(id, 10), "/content/v1/items/+" + strconv.FormatInt(id, 10),
		"/content/v1/items/000" + strconv.FormatInt(id, 10) + "/attachments/1"} {
		if r := e.send(t, request{method: "GET", path: p, raw: true}); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}

	// A repeated parameter is ambiguous: refused, never answered from the
	// entry of another request.
	for _, p := range []string{"/content/v1/search?q=标题&q=zzz", "/content/v1/columns/news/items?limit=1&limit=2",
		"/content/v1/app-update?platform=android&platform=ios&version=1.0"} {
		r := e.send(t, request{method: "GET", path: p, raw: true})
		if r.Status != http.StatusBadRequest || r.problem(t).Code != "bad_request" {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
	var res struct {
		Query string `json:"query"`
	}
	e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape("标题,zzz"), "", nil).decode(t, &res)
	if res.Query != "标题,zzz" {
		t.Errorf("query %q", res.Query)
	}

	// Spellings of the same search share an entry.
	before := stats().Entries
	a := e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape("缓存")+"&limit=20", "", nil)
	b := e.must(t, http.StatusOK, "GET", "/content/v1/search?q="+url.QueryEscape(" 缓存 ")+"&limit=020&from=timeline", "", nil)
	if n := stats().Entries - before; n != 1 || a.Header.Get("ETag") != b.Header.Get("ETag") {
		t.Errorf("%d entries for one search spelled twice; ETags %s and %s", n, a.Header.Get("ETag"), b.Header.Get("ETag"))
	}

	// A publication frees at once every entry it may have changed (the
	// searches); the detail of the item it did not change stays. A change
	// of structure frees everything.
	full := stats()
	e.publishNews(t, c, "又一条", "正文")
	if s := stats(); s.Entries != 1 || s.Bytes <= 0 || s.Bytes >= full.Bytes {
		t.Errorf("after a publication: %+v (before: %+v)", s, full)
	}
	e.svc.Bus.Publish(cmsNotice())
	if s := stats(); s.Entries != 0 || s.Bytes != 0 {
		t.Errorf("after a change of structure: %+v", s)
	}
}

// TestCacheMemoryUnderJunk sends public requests to a server whose cache
// may hold 2 MiB and prints what the cache and the heap grew by (run with
// -v to see the figures). First 10,000 requests with junk: parameters the
// routes do not read, other spellings of an id, repeated parameters; they
// share the entries of the few requests they mean, so the heap grows by
// far less than the budget. Then 2,000 requests that are each new
// (searches, listing pages from forged cursors): the cache evicts to stay
// within its budget, and the heap grows by little more. (Not so on
// PostgreSQL, where pgx keeps a prepared statement for every distinct
// query, up to 512 a connection; there the growth is printed, not checked.)
// It is not parallel, so that the heap is the server's.
func TestCacheMemoryUnderJunk(t *testing.T) {
	const budget = 2 << 20
	e := newEnvWith(t, func(cfg *app.Config) { cfg.HTTP.CacheBytes = budget })
	c := newChain(t, e)
	big := e.publishNews(t, c, "大文件", strings.Repeat("住房公积金提取的条件和所需材料。", 2000)) // ≈ 96 KB of text
	for i := range 20 {
		e.publishNews(t, c, fmt.Sprintf("新闻 %02d", i), strings.Repeat("公积金新闻。", 500))
	}
	id := strconv.FormatInt(big, 10)
	junk := func(i int) string {
		switch i % 5 {
		case 0:
			return fmt.Sprintf("/content/v1/items/%s?q=%d&_=%d", id, i, i)
		case 1:
			return "/content/v1/items/" + strings.Repeat("0", 1+i%50) + id
		case 2:
			return fmt.Sprintf("/content/v1/search?q=%%E5%%85%%AC%%E7%%A7%%AF%%E9%%87%%91&q=%d", i) // 公积金, then again
		case 3:
			return fmt.Sprintf("/content/v1/columns/news/items?limit=10&utm_source=%d&platform=%d", i, i)
		}
		return fmt.Sprintf("/content/v1/channels/wechat/menu?v=%d&from=singlemessage", i)
	}
	cursor := func(i int) string {
		return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("p:%d:%d", e.clock.Now().UnixMicro()+int64(i), 1000+i)))
	}
	fresh := func(i int) string {
		if i%2 == 0 {
			return "/content/v1/search?q=" + url.QueryEscape(fmt.Sprintf("公积金 %d", i))
		}
		return fmt.Sprintf("/content/v1/columns/news/items?limit=%d&cursor=%s", 1+i%100, cursor(i))
	}
	for _, phase := range []struct {
		name     string
		requests int
		path     func(int) string
		limit    int64 // most the heap may grow by
	}{
		{"junk", 10_000, junk, budget},
		// The budget, and twice as much for connections, pools and the
		// database: SQLite (modernc) keeps its page cache, up to 2 MiB per
		// connection, in the Go heap, and fresh listings and searches read
		// pages (sealed rows with their digests) no request read before.
		{"each new", 2_000, fresh, 3 * budget},
	} {
		for i := range 5 { // warm: every kind of request once
			e.get(phase.path(i))
		}
		heap0, rss0 := heapInUse(), rssKiB()
		statuses, maxBytes := e.load(phase.requests, 8, phase.path)
		s := e.server.CacheStats()
		heap1, rss1 := heapInUse(), rssKiB()
		grew := int64(heap1) - int64(heap0)
		t.Logf("%d requests, %s: cache budget %d KiB, %d entries, %d KiB accounted (at most %d KiB seen); "+
			"heap in use %d → %d KiB (%+d KiB); RSS %d → %d KiB (%+d KiB); statuses %v",
			phase.requests, phase.name, budget>>10, s.Entries, s.Bytes>>10, maxBytes>>10, heap0>>10, heap1>>10, grew>>10,
			rss0, rss1, rss1-rss0, statuses)
		if statuses[http.StatusInternalServerError] > 0 || statuses[0] > 0 {
			t.Errorf("%s: statuses %v", phase.name, statuses)
		}
		if maxBytes > budget || s.Bytes > budget {
			t.Errorf("%s: the cache held %d bytes, budget %d", phase.name, maxBytes, budget)
		}
		if phase.name != "junk" && e.db.Dialect == storage.Postgres {
			continue
		}
		if grew > phase.limit {
			t.Errorf("%s: heap in use grew by %d KiB, more than %d KiB", phase.name, grew>>10, phase.limit>>10)
		}
	}
}

// get sends a public GET that takes gzip and returns its status.
func (e *env) get(path string) int {
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := testClient.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// load sends requests GETs from workers at once, and returns how many
// answered each status (0: no answer) and the most the cache held meanwhile.
func (e *env) load(requests, workers int, path func(int) string) (map[int]int, int64) {
	var next, maxBytes atomic.Int64
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)); i <= requests; i = int(next.Add(1)) {
				st := e.get(path(i))
				mu.Lock()
				statuses[st]++
				if b := e.server.CacheStats().Bytes; b > maxBytes.Load() {
					maxBytes.Store(b)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return statuses, maxBytes.Load()
}

// heapInUse is the heap after collecting twice (the second empties the
// pools the first only moved aside).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rssKiB is the process's resident set (Linux), 0 where unknown.
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

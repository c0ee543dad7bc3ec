package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestCacheHitsAnswerAsMisses: an answer served from the cache (without
// echo) carries the same status, headers and body as the miss that filled
// it (through echo's middleware and handler), for every cached route and
// with the request's variants (CORS, gzip, a validator, tracking
// parameters); and what the middleware refuses is refused on a hit too.
func TestCacheHitsAnswerAsMisses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "公积金缴存通知", strings.Repeat("缴存比例为**12%**。", 100))
	paths := []string{publicItemPath(id), "/content/v1/columns/news/items?limit=5", "/content/v1/search?q=" + url.QueryEscape("缴存"),
		"/content/v1/channels/wechat/menu", publicItemPath(id) + "?from=singlemessage&isappinstalled=0"}
	variants := []map[string]string{nil, {"Origin": "https://h5.example.cn"}, {"Accept-Encoding": "gzip"},
		{"X-Request-Id": "abc-123"}, {"X-Client-Key": "ck_unknown"}}
	before := e.server.CacheStats()
	for _, p := range paths {
		for _, h := range variants {
			e.svc.Bus.Publish(cmsNotice()) // the next answer is a miss
			miss := e.plainGet(t, p, h)
			hit := e.plainGet(t, p, h)
			if miss.Status != http.StatusOK || hit.Status != miss.Status || !bytes.Equal(hit.Body, miss.Body) {
				t.Fatalf("GET %s %v: miss %d, hit %d", p, h, miss.Status, hit.Status)
			}
			if d := headerDiff(miss.Header, hit.Header); d != "" {
				t.Errorf("GET %s %v: %s", p, h, d)
			}
			if h["X-Request-Id"] != "" && hit.Header.Get("X-Request-Id") != "abc-123" {
				t.Errorf("the request's id was not kept: %v", hit.Header)
			}
			tag := hit.Header.Get("ETag")
			hh := map[string]string{"If-None-Match": tag}
			for k, v := range h {
				hh[k] = v
			}
			if r := e.plainGet(t, p, hh); r.Status != http.StatusNotModified || len(r.Body) != 0 {
				t.Errorf("GET %s with its tag: %d", p, r.Status)
			}
		}
	}
	after := e.server.CacheStats()
	if misses, hits := after.Misses-before.Misses, after.Hits-before.Hits; misses != int64(len(paths)*len(variants)) || hits < 2*misses {
		t.Errorf("%d misses and %d hits", misses, hits)
	}
	// Refused on a hit as on a miss.
	for _, rq := range []request{
		{method: "GET", path: "/content/v1/columns/news/items?limit=5&limit=5", raw: true},
		{method: "GET", path: "/content/v1/columns/news/items?limit=5&x=%01", raw: true},
		{method: "GET", path: publicItemPath(id), header: map[string]string{"If-None-Match": "\xff"}, raw: true},
		{method: "GET", path: publicItemPath(id), header: map[string]string{"X-Client-Key": "ck_\xff"}, raw: true},
	} {
		if r := e.send(t, rq); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s %v: %d", rq.path, rq.header, r.Status)
		}
	}
}

// plainGet sends a GET as it is, and returns the answer as it is (a
// compressed body too, which the spec's validator cannot read).
func (e *env) plainGet(t *testing.T, path string, header map[string]string) *response {
	t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// headerDiff names the headers two answers differ in, the request id and
// date aside.
func headerDiff(a, b http.Header) string {
	var diff []string
	for _, k := range []string{"Content-Type", "Content-Encoding", "Etag", "Cache-Control", "Vary", "X-Content-Type-Options",
		"X-Frame-Options", "Referrer-Policy", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Content-Length"} {
		if !slices.Equal(a.Values(k), b.Values(k)) {
			diff = append(diff, k+": "+strings.Join(a.Values(k), "|")+" ≠ "+strings.Join(b.Values(k), "|"))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && k != "Date" {
			diff = append(diff, "only on the hit: "+k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok && k != "Date" {
			diff = append(diff, "only on the miss: "+k)
		}
	}
	return strings.Join(diff, "; ")
}

func cmsNotice() cms.Notice { return cms.Notice{} }

// TestCacheKeptThroughReview: a transition that changes nothing public
// (a new revision submitted, approved, signed, cleared) leaves the cached
// answers in place; its publication drops them, and readers see it at once.
func TestCacheKeptThroughReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "公积金缴存通知", "缴存比例为**12%**。")
	other := e.publishNews(t, c, "公积金提取通知", "提取须知。")
	paths := []string{publicItemPath(id), "/content/v1/columns/news/items?limit=5"}
	for _, p := range paths {
		e.plainGet(t, p, nil) // fills the cache
	}
	var rev revState
	e.must(t, http.StatusCreated, "POST", itemPath(other)+"/revisions", c.editor, map[string]any{"action": "publish", "title": "公积金提取通知（修订）"}).decode(t, &rev)
	steps := []struct{ tok, ev string }{{c.editor, "submit"}, {c.head, "approve"}, {c.leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}}
	for _, s := range steps {
		e.fire(t, http.StatusOK, s.tok, rev.ID, s.ev, "")
		before := e.server.CacheStats()
		for _, p := range paths {
			if r := e.plainGet(t, p, nil); r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", p, r.Status)
			}
		}
		if after := e.server.CacheStats(); after.Hits-before.Hits != int64(len(paths)) || after.Misses != before.Misses {
			t.Fatalf("after %s: %d hits, %d misses, want %d hits", s.ev, after.Hits-before.Hits, after.Misses-before.Misses, len(paths))
		}
	}
	e.fire(t, http.StatusOK, c.publisher, rev.ID, "publish", "")
	before := e.server.CacheStats()
	r := e.plainGet(t, "/content/v1/columns/news/items?limit=5", nil)
	if after := e.server.CacheStats(); after.Misses-before.Misses != 1 || !strings.Contains(string(r.Body), "公积金提取通知（修订）") {
		t.Fatalf("after publish: %d misses, listing %s", after.Misses-before.Misses, r.Body)
	}
}

package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tlhpf/cms/storage/storagetest"
)

// TestLeanMissesAnswerAsEcho: a miss of an item's detail or a column's
// listing, answered before echo, carries the status, headers and body
// that echo's middleware and handler give the same request (on a server
// whose cache is off, asked through echo alone), with each request's
// variants; errors are answered by echo, and every request is counted
// once by the limit. A server whose cache is off answers the same way.
func TestLeanMissesAnswerAsEcho(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "公积金缴存通知", strings.Repeat("缴存比例为**12%**。", 100))
	cfg := e.cfg
	cfg.HTTP.CacheEntries = -1 // off: every request a miss
	off := startEnv(t, storagetest.OpenURL(t, e.dbURL), e.blobRoot, cfg)
	ref := &env{srv: httptest.NewServer(off.server.Echo())} // echo alone: its middleware and handlers
	defer ref.srv.Close()
	found := []string{publicItemPath(id), publicItemPath(id) + "?from=singlemessage", "/content/v1/columns/news/items",
		"/content/v1/columns/news/items?limit=5&utm_source=x"}
	refused := []string{publicItemPath(id + 1000), "/content/v1/columns/news/items?cursor=garbage",
		"/content/v1/columns/nope/items", "/content/v1/columns/news/items?limit=0"}
	variants := []map[string]string{nil, {"Origin": "https://h5.example.cn"}, {"Accept-Encoding": "gzip"},
		{"X-Request-Id": "abc-123"}, {"X-Client-Key": "ck_unknown"}}
	for _, p := range append(append([]string{}, found...), refused...) {
		for _, h := range variants {
			e.svc.Bus.Publish(cmsNotice()) // a miss
			before, limited := e.server.CacheStats(), e.server.ClientStats().Anonymous
			lean := e.plainGet(t, p, h)
			after := e.server.CacheStats()
			want := ref.plainGet(t, p, h)
			if lean.Status != want.Status {
				t.Fatalf("GET %s %v: %d, echo answers %d", p, h, lean.Status, want.Status)
			}
			if d := headerDiff(want.Header, lean.Header); d != "" {
				t.Errorf("GET %s %v: %s", p, h, d)
			}
			if n := e.server.ClientStats().Anonymous.Admitted - limited.Admitted; n != 1 {
				t.Errorf("GET %s %v: counted %d times by the limit", p, h, n)
			}
			if lean.Status == http.StatusOK {
				if !bytes.Equal(lean.Body, want.Body) || after.Misses-before.Misses != 1 {
					t.Errorf("GET %s %v: body differs from echo's, or %d misses", p, h, after.Misses-before.Misses)
				}
				continue
			}
			if o := off.plainGet(t, p, h); o.Status != want.Status || headerDiff(want.Header, o.Header) != "" {
				t.Errorf("GET %s %v with the cache off: %d, %s", p, h, o.Status, headerDiff(want.Header, o.Header))
			}
			var a, b struct{ Code, Detail string }
			if json.Unmarshal(lean.Body, &a) != nil || json.Unmarshal(want.Body, &b) != nil || a != b || a.Code == "" {
				t.Errorf("GET %s %v: %s, echo answers %s", p, h, lean.Body, want.Body)
			}
		}
	}
}

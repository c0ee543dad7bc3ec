package api_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// TestStalenessIsBounded: no cached answer of the content API lets a
// downstream cache go on serving it for minutes after it changed (a
// suspension must stop being served within half a minute even where the
// purge webhook does not reach): max-age plus stale-while-revalidate is
// at most 30 s, 60 s for menus.
func TestStalenessIsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "缴存基数调整", "自2026年7月1日起调整。")
	re := regexp.MustCompile(`^public, max-age=(\d+), stale-while-revalidate=(\d+)$`)
	for path, limit := range map[string]int{
		publicItemPath(id):                 30,
		"/content/v1/columns/news/items":   30,
		"/content/v1/search?q=" + "缴存":     30,
		"/content/v1/channels/wechat/menu": 60,
	} {
		r := e.send(t, request{method: "GET", path: path})
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.Status)
		}
		m := re.FindStringSubmatch(r.Header.Get("Cache-Control"))
		if m == nil {
			t.Errorf("%s: Cache-Control %q", path, r.Header.Get("Cache-Control"))
			continue
		}
		maxAge, _ := strconv.Atoi(m[1])
		swr, _ := strconv.Atoi(m[2])
		if maxAge+swr > limit {
			t.Errorf("%s: %q lets a cache serve it for %d s, want at most %d", path, r.Header.Get("Cache-Control"), maxAge+swr, limit)
		}
	}
}

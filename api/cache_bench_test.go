package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// BenchmarkPublicCache measures the public response cache in the handler,
// without the network: a hit (the same menu again, plain and gzip, and
// with a tracking parameter the cache ignores) and a miss (the cache
// dropped before every request, as a publication does).
func BenchmarkPublicCache(b *testing.B) {
	e := newEnv(b)
	h := e.app.Handler()
	get := func(b *testing.B, path string, gz bool) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	const menu = "/content/v1/channels/wechat/menu"
	for _, bc := range []struct {
		name, path string
		gz, miss   bool
	}{
		{"hit", menu, false, false},
		{"hit-gzip", menu, true, false},
		{"hit-tracking-param", menu + "?from=singlemessage&isappinstalled=0", false, false},
		{"miss", menu, false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			get(b, bc.path, bc.gz)
			b.ReportAllocs()
			for b.Loop() {
				if bc.miss {
					e.svc.Bus.Publish(cms.Notice{})
				}
				get(b, bc.path, bc.gz)
			}
		})
	}
}

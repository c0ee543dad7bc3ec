package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// A cache hit of the content API is answered here, before echo: the
// request is checked as the middleware would check it (its text, its
// query's canonical form, its client's rate) and answered with the stored
// bytes and header values made once. So is a miss of an item's detail or
// a column's listing, whose answer is a stored document read in one
// query: it is read, kept and answered the same way. Anything else (other
// misses, a request the middleware would refuse, a route that is not
// cached, a preflight, and any error in reading a document) goes through
// echo, which answers it in full and fills the cache; so the answer is
// the same either way, only cheaper here.

// cachedRoute is a content API route whose answers the cache keeps.
type cachedRoute struct {
	prefix, suffix string   // around the one path parameter, if any
	path           string   // echo's route, which the cache key names
	reads          []string // the query parameters the route reads
	index          int      // in cachedRoutes
}

var cachedRoutes = [...]cachedRoute{
	{prefix: "/content/v1/items/", path: routeItem},
	{prefix: "/content/v1/columns/", suffix: "/items", path: routeList, reads: []string{"cursor", "limit"}},
	{prefix: "/content/v1/search", path: routeSearch, reads: []string{"q", "column", "channel", "cursor", "limit"}},
	{prefix: "/content/v1/channels/", suffix: "/menu", path: routeMenu},
	{prefix: "/content/v1/app-update", path: "/content/v1/app-update", reads: []string{"platform", "version"}},
}

func init() {
	for i := range cachedRoutes {
		cachedRoutes[i].index = i
	}
}

// match returns the route a path takes and its parameter.
func match(path string) (*cachedRoute, string, bool) {
	for i := range cachedRoutes {
		r := &cachedRoutes[i]
		rest, ok := strings.CutPrefix(path, r.prefix)
		if !ok {
			continue
		}
		if !strings.Contains(r.path, ":") {
			return r, "", rest == "" // a route without a parameter
		}
		param, ok := strings.CutSuffix(rest, r.suffix)
		return r, param, ok && param != "" && !strings.Contains(param, "/")
	}
	return nil, "", false
}

// serveHTTP serves a cache hit, or a miss of a stored document, at once
// (with the cache off too: every request is then a miss), and gives echo
// everything else.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !s.serveHit(w, r) {
		s.echo.ServeHTTP(w, r)
	}
}

// serveHit answers r from the cache, or reads the stored document it is
// answered with, and reports whether it did.
func (s *Server) serveHit(w http.ResponseWriter, r *http.Request) bool {
	start := time.Now()
	if r.URL.RawPath != "" || !strings.HasPrefix(r.URL.Path, "/content/v1/") {
		return false
	}
	route, param, ok := match(r.URL.Path)
	if !ok || badText(r.URL.Path, false) || badHeaders(r) {
		return false
	}
	var params url.Values
	if r.URL.RawQuery != "" {
		params = r.URL.Query()
		if badQuery(params) {
			return false
		}
	}
	q, err := canonicalQuery(params, route.reads...)
	if err != nil {
		return false
	}
	var pv [1]string
	var pvs []string
	if param != "" {
		pv[0] = param
		pvs = pv[:]
	}
	now := s.svc.Content.Clock.Now()
	key := q.keyFor(route.path, pvs)
	e, hit := s.cache.get(key, now)
	var build documentBuild
	if !hit {
		if build, ok = s.leanBuild(route, param, q, key); !ok {
			return false
		}
	}
	k, ok := s.admit(r.Context(), r, start.UnixNano())
	if !ok {
		return false // echo answers 429, with every header
	}
	if hit {
		s.cache.hits.Add(1)
	} else {
		var err error
		if e, err = build.run(r.Context()); err != nil {
			// echo answers the error (or a stale answer) as it would have,
			// without counting the request against the limit again.
			s.echo.ServeHTTP(w, admitted(r, k))
			return true
		}
		s.cache.misses.Add(1)
		s.cache.add(e)
	}
	h := w.Header()
	id := s.ids.set(h, r)
	setSecurityHeaders(h)
	if r.Header.Get(echo.HeaderOrigin) != "" {
		// As the CORS middleware answers a simple request from any origin.
		h["Access-Control-Allow-Origin"] = anyOrigin
		h["Access-Control-Expose-Headers"] = exposedHeaders
	}
	status, size := s.writeCached(w, r, e)
	var keyID int64
	if k != nil {
		keyID = k.ID
	}
	s.countAnswer(r, now, route.path, param, q, e, keyID)
	// One reading of the clock serves the metrics and the log.
	o, logged := s.hitObservers[route.index], s.log.Enabled(r.Context(), slog.LevelInfo)
	if o == nil && !logged {
		return true
	}
	took := time.Since(start)
	if o != nil {
		o(status, took)
	}
	if logged {
		s.logHit(r, route.path, id, status, size, took, k)
	}
	return true
}

// Header values of the CORS answer to a simple request, made once.
var (
	anyOrigin      = []string{"*"}
	exposedHeaders = []string{"ETag,Content-Disposition,Content-Range,Content-Length"}
)

// badHeaders reports whether a header the services read holds a control
// character or is not UTF-8 (see refuseControls).
func badHeaders(r *http.Request) bool {
	for _, h := range readHeaders {
		if v := r.Header.Get(h); v != "" && badText(v, false) {
			return true
		}
	}
	return false
}

// badQuery reports whether a query parameter's name or value holds a
// control character or is not UTF-8 (see refuseControls).
func badQuery(params url.Values) bool {
	for name, values := range params {
		if badText(name, false) {
			return true
		}
		for _, v := range values {
			if badText(v, false) {
				return true
			}
		}
	}
	return false
}

// logHit writes the line requestLogger writes for a request echo serves.
func (s *Server) logHit(r *http.Request, route, id string, status, size int, took time.Duration, k *cms.ClientKey) {
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		slog.Int64("bytes", int64(size)), slog.Duration("latency", took), slog.String("request_id", id),
		slog.String("remote_ip", s.echo.IPExtractor(r))}
	if k != nil {
		attrs = append(attrs, slog.Int64("client_key", k.ID))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
)

// contentCache holds pre-rendered public responses: the JSON body, its
// gzip form and strong entity tags. Any change to public content bumps the
// generation, which drops every entry at once; entries are also bounded in
// number so memory stays flat however large the database grows.
type contentCache struct {
	gen     atomic.Int64
	entries *lru.Cache[string, *cachedResponse]
}

type cachedResponse struct {
	gen    int64
	until  time.Time // zero: valid until the next change
	body   []byte
	gz     []byte // nil when the body is too small to be worth compressing
	etag   string
	maxAge string
}

// gzipMin is the body size from which responses are compressed.
const gzipMin = 1024

// gzipWriters reuses compressors: a new one costs more than compressing.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// cacheParams are the query parameters that change a public response; any
// other (tracking tags, cache busters) is ignored, so it can neither split
// nor flush the cache.
var cacheParams = []string{"channel", "column", "cursor", "limit", "platform", "q", "version"}

// cacheKey is the request's path and its meaningful parameters in a fixed order.
func cacheKey(r *http.Request) string {
	q := r.URL.Query()
	var b strings.Builder
	b.WriteString(r.URL.Path)
	for _, k := range cacheParams {
		if v, ok := q[k]; ok {
			b.WriteString("?" + k + "=")
			b.WriteString(strings.Join(v, ","))
		}
	}
	return b.String()
}

func newContentCache(size int) *contentCache {
	if size <= 0 {
		return &contentCache{} // caching off
	}
	c, _ := lru.New[string, *cachedResponse](size)
	return &contentCache{entries: c}
}

// Invalidate drops every cached response.
func (c *contentCache) Invalidate() { c.gen.Add(1) }

func (c *contentCache) get(key string, now time.Time) (*cachedResponse, bool) {
	if c.entries == nil {
		return nil, false
	}
	e, ok := c.entries.Get(key)
	if !ok || e.gen != c.gen.Load() || (!e.until.IsZero() && !now.Before(e.until)) {
		return nil, false
	}
	return e, true
}

// newCachedResponse renders v once: JSON, its gzip form and its entity tag.
func newCachedResponse(gen int64, v any, maxAge string) (*cachedResponse, error) {
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, v); err != nil {
		return nil, err
	}
	body := bytes.Clone(buf.Bytes()) // exact size: the cache's memory is what it holds
	sum := sha256.Sum256(body)
	e := &cachedResponse{gen: gen, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, maxAge: maxAge}
	if len(body) >= gzipMin {
		var gz bytes.Buffer
		w := gzipWriters.Get().(*gzip.Writer)
		w.Reset(&gz)
		_, _ = w.Write(body)
		_ = w.Close()
		gzipWriters.Put(w)
		e.gz = bytes.Clone(gz.Bytes())
	}
	return e, nil
}

// serveCached answers a public GET from the cache, building and storing the
// response on a miss. Errors are never cached.
func (s *Server) serveCached(c echo.Context, maxAge string, build func() (any, error)) error {
	return s.serveCachedUntil(c, maxAge, func() (any, time.Time, error) {
		v, err := build()
		return v, time.Time{}, err
	})
}

// serveCachedUntil is serveCached for responses that also change with
// time: build says until when its response holds (zero: until the next
// change of content).
func (s *Server) serveCachedUntil(c echo.Context, maxAge string, build func() (any, time.Time, error)) error {
	key := cacheKey(c.Request())
	e, ok := s.cache.get(key, s.svc.Content.Clock.Now())
	if !ok {
		gen := s.cache.gen.Load()
		v, until, err := build()
		if err != nil {
			return err
		}
		if e, err = newCachedResponse(gen, v, maxAge); err != nil {
			return err
		}
		e.until = until
		if s.cache.entries != nil {
			s.cache.entries.Add(key, e)
		}
	}
	return writeCached(c, e)
}

// writeCached writes a cached response with validators and caching headers,
// 304 when the client's copy is current, gzip when the client takes it.
func writeCached(c echo.Context, e *cachedResponse) error {
	h := c.Response().Header()
	gz := e.gz != nil && acceptsGzip(c.Request())
	etag := e.etag
	if gz {
		// A strong tag names one representation: the compressed one differs.
		etag = strings.TrimSuffix(e.etag, `"`) + `-gz"`
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", e.maxAge)
	h.Set("Vary", "Accept-Encoding")
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatches(inm, e.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	body := e.body
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = e.gz
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, body)
}

// etagMatches reports whether an If-None-Match list names the entity, in
// either encoding.
func etagMatches(header, etag string) bool {
	base := strings.TrimSuffix(etag, `"`)
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag || t == base+`-gz"` {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

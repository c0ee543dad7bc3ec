package api

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// contentCache holds pre-rendered public responses: the JSON body, its
// gzip form and strong entity tags, least recently used first out. It is
// bounded in bytes (what its entries hold, keys and bookkeeping included)
// and in entries, so memory stays within the budget whatever clients ask
// for. Any change to public content bumps the generation and frees every
// entry at once; a response built from before the change is not stored.
type contentCache struct {
	on         bool // set once: caching is on
	mu         sync.Mutex
	gen        atomic.Int64
	items      map[string]*list.Element // of *cachedResponse
	order      *list.List               // most recently used first
	bytes      int64
	maxBytes   int64
	maxEntries int
}

type cachedResponse struct {
	key    string
	gen    int64
	until  time.Time // zero: valid until the next change
	body   []byte
	gz     []byte // nil when the body is too small to be worth compressing
	etag   string
	maxAge string
}

// entryOverhead is what an entry costs beyond its key and bytes: the
// struct, its list element and its share of the map.
const entryOverhead = 256

// size is what an entry is accounted for against the budget.
func (e *cachedResponse) size() int64 {
	return int64(len(e.key)+len(e.body)+len(e.gz)+len(e.etag)) + entryOverhead
}

// gzipMin is the body size from which responses are compressed.
const gzipMin = 1024

// gzipWriters reuses compressors: a new one costs more than compressing.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// newContentCache returns a cache of at most maxBytes and maxEntries; a
// bound of zero or less turns caching off.
func newContentCache(maxBytes int64, maxEntries int) *contentCache {
	return &contentCache{on: maxBytes > 0 && maxEntries > 0, maxBytes: maxBytes, maxEntries: maxEntries,
		items: map[string]*list.Element{}, order: list.New()}
}

// Invalidate drops every cached response.
func (c *contentCache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.items, c.order, c.bytes = map[string]*list.Element{}, list.New(), 0
}

func (c *contentCache) get(key string, now time.Time) (*cachedResponse, bool) {
	if !c.on {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cachedResponse)
	if !e.until.IsZero() && !now.Before(e.until) {
		c.remove(el)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e, true
}

// add stores e unless the content changed since it was built or it would
// take more than an eighth of the budget, then evicts the least recently
// used entries until the cache is within its bounds.
func (c *contentCache) add(e *cachedResponse) {
	if !c.on || e.size() > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen.Load() {
		return
	}
	if old, ok := c.items[e.key]; ok {
		c.remove(old)
	}
	c.items[e.key] = c.order.PushFront(e)
	c.bytes += e.size()
	for c.bytes > c.maxBytes || len(c.items) > c.maxEntries {
		c.remove(c.order.Back())
	}
}

func (c *contentCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cachedResponse)
	delete(c.items, e.key)
	c.bytes -= e.size()
}

// CacheStats describes the public response cache.
type CacheStats struct {
	Entries    int
	Bytes      int64 // what the entries are accounted for
	MaxBytes   int64
	MaxEntries int
}

// CacheStats reports how full the public response cache is.
func (s *Server) CacheStats() CacheStats {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.items), Bytes: c.bytes, MaxBytes: c.maxBytes, MaxEntries: c.maxEntries}
}

// newCachedResponse renders v once: JSON, its gzip form and its entity tag.
func newCachedResponse(key string, gen int64, v any, maxAge string) (*cachedResponse, error) {
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, v); err != nil {
		return nil, err
	}
	body := bytes.Clone(buf.Bytes()) // exact size: the cache's memory is what it holds
	sum := sha256.Sum256(body)
	e := &cachedResponse{key: key, gen: gen, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, maxAge: maxAge}
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

// serveCached answers a public GET from the cache under the request's
// canonical key (see publicQuery.key), building and storing the response
// on a miss. Errors are never cached.
func (s *Server) serveCached(c echo.Context, q *publicQuery, maxAge string, build func() (any, error)) error {
	return s.serveCachedUntil(c, q, maxAge, func() (any, time.Time, error) {
		v, err := build()
		return v, time.Time{}, err
	})
}

// serveCachedUntil is serveCached for responses that also change with
// time: build says until when its response holds (zero: until the next
// change of content).
func (s *Server) serveCachedUntil(c echo.Context, q *publicQuery, maxAge string, build func() (any, time.Time, error)) error {
	key := q.key(c)
	e, ok := s.cache.get(key, s.svc.Content.Clock.Now())
	if !ok {
		gen := s.cache.gen.Load()
		v, until, err := build()
		if err != nil {
			return err
		}
		if e, err = newCachedResponse(key, gen, v, maxAge); err != nil {
			return err
		}
		e.until = until
		s.cache.add(e)
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

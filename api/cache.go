package api

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// contentCache holds pre-rendered public responses: the JSON body, its
// gzip form and strong entity tags, least recently used first out. It is
// bounded in bytes (what its entries hold, keys and bookkeeping included)
// and in entries, so memory stays within the budget whatever clients ask
// for. Any change to public content bumps the generation and frees the
// entries it may have changed at once: those of the items it names, with
// their columns' listings and every search, or every entry when it names
// none; a response built from before a change that may have changed it is
// not stored.
type contentCache struct {
	on        bool // set once: caching is on
	mu        sync.Mutex
	gen       atomic.Int64
	hits      atomic.Int64             // answers served from the cache
	misses    atomic.Int64             // answers built (whether or not then kept)
	evictions atomic.Int64             // entries dropped to make room, or expired
	items     map[string]*list.Element // of *cachedResponse
	order     *list.List               // most recently used first
	// byDep finds the entries that depend on an item, a column or on
	// every item (see dependency); menus depend on none of them.
	byDep map[string]map[*list.Element]struct{}
	// fullGen is the generation of the last change that dropped every
	// entry; recent the changes since that named items, oldest first, at
	// most maxRecent of them, so that add can tell whether one built
	// meanwhile concerns the entry it is asked to keep.
	fullGen    int64
	recent     []narrowChange
	bytes      int64
	maxBytes   int64
	maxEntries int
}

type cachedResponse struct {
	key   string
	gen   int64
	dep   string    // what it was built from that a change may name (see dependency)
	until time.Time // zero: valid until the next change
	built time.Time // when it was built, for Age when it is served stale
	body  []byte
	// gz is the compressed body, made when a client that takes gzip first
	// asks (nil until then, and for bodies too small to compress).
	gz     atomic.Pointer[[]byte]
	etag   string
	maxAge string
	// The header values written with it, made once.
	etagHeader, gzETagHeader, maxAgeHeader []string
	// cached: in the cache and counted in its bytes (under its mutex).
	cached bool
	// hits is how many results a search's answer holds, for the usage
	// statistics.
	hits int
}

// entryOverhead is what an entry costs beyond its key and bytes: the
// struct, its list element, its header values and its share of the map.
const entryOverhead = 320

// size is what an entry is accounted for against the budget.
func (e *cachedResponse) size() int64 {
	n := len(e.key) + len(e.body) + 2*len(e.etag) + 3
	if gz := e.gz.Load(); gz != nil {
		n += len(*gz)
	}
	return int64(n) + entryOverhead
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
	c.fullGen = c.gen.Add(1)
	c.recent = c.recent[:0]
	c.items, c.order, c.bytes, c.byDep = map[string]*list.Element{}, list.New(), 0, nil
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
		// Past its time: not served fresh, but kept (until the LRU or a
		// change drops it) in case the database is away when it is asked
		// for again (stale).
		return nil, false
	}
	c.order.MoveToFront(el)
	return e, true
}

// stale returns the entry under key whatever its time, for an answer
// while the database is away. Entries of before a change of content are
// never kept (Invalidate drops them), so nothing taken offline is served.
func (c *contentCache) stale(key string) (*cachedResponse, bool) {
	if !c.on {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	return el.Value.(*cachedResponse), true
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
	if e.gen != c.gen.Load() && c.changedSince(e.gen, e.dep) {
		return
	}
	if old, ok := c.items[e.key]; ok {
		c.remove(old)
	}
	el := c.order.PushFront(e)
	c.items[e.key] = el
	if e.dep != "" {
		if c.byDep == nil {
			c.byDep = map[string]map[*list.Element]struct{}{}
		}
		set := c.byDep[e.dep]
		if set == nil {
			set = map[*list.Element]struct{}{}
			c.byDep[e.dep] = set
		}
		set[el] = struct{}{}
	}
	e.cached = true
	c.bytes += e.size()
	c.shrink()
}

// shrink evicts the least recently used entries until the cache is within
// its bounds.
func (c *contentCache) shrink() {
	for c.bytes > c.maxBytes || len(c.items) > c.maxEntries {
		c.evictions.Add(1)
		c.remove(c.order.Back())
	}
}

func (c *contentCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cachedResponse)
	delete(c.items, e.key)
	if set := c.byDep[e.dep]; set != nil {
		delete(set, el)
		if len(set) == 0 {
			delete(c.byDep, e.dep)
		}
	}
	c.bytes -= e.size()
	e.cached = false
}

// gzipped returns e's body compressed, compressing it on first demand: a
// response only clients without gzip ask for is never compressed. The
// compressed form is counted against the budget from then on.
func (c *contentCache) gzipped(e *cachedResponse) []byte {
	if gz := e.gz.Load(); gz != nil {
		return *gz
	}
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(&buf)
	_, _ = w.Write(e.body)
	_ = w.Close()
	gzipWriters.Put(w)
	gz := bytes.Clone(buf.Bytes()) // exact size: the cache's memory is what it holds
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := e.gz.Load(); old != nil {
		return *old // another request was first
	}
	e.gz.Store(&gz)
	if e.cached {
		c.bytes += int64(len(gz))
		c.shrink()
	}
	return gz
}

// CacheStats describes the public response cache.
type CacheStats struct {
	Entries    int
	Bytes      int64 // what the entries are accounted for
	MaxBytes   int64
	MaxEntries int
	// Hits and Misses count the answers served from the cache and those
	// built, since the server started; Evictions the entries dropped to
	// make room or because they expired (not those a change of content
	// dropped).
	Hits, Misses, Evictions int64
}

// CacheStats reports how full the public response cache is.
func (s *Server) CacheStats() CacheStats {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.items), Bytes: c.bytes, MaxBytes: c.maxBytes, MaxEntries: c.maxEntries,
		Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load()}
}

// newCachedResponse renders v once: its JSON and entity tag.
func newCachedResponse(key string, gen int64, v any, maxAge string) (*cachedResponse, error) {
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, v); err != nil {
		return nil, err
	}
	body := bytes.Clone(buf.Bytes()) // exact size: the cache's memory is what it holds
	return newCachedBody(key, gen, body, sha256.Sum256(body), maxAge), nil
}

// newCachedBody makes an entry of a body already rendered and hashed (a
// stored document), which it keeps as it is.
func newCachedBody(key string, gen int64, body []byte, sum [sha256.Size]byte, maxAge string) *cachedResponse {
	tag := hex.EncodeToString(sum[:12])
	etag := `"` + tag + `"`
	return &cachedResponse{key: key, gen: gen, body: body, etag: etag, maxAge: maxAge, built: time.Now(),
		etagHeader: []string{etag}, gzETagHeader: []string{`"` + tag + `-gz"`}, maxAgeHeader: []string{maxAge}}
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
	return s.serveEntry(c, q, maxAge, func(key string, gen int64) (*cachedResponse, error) {
		v, until, err := build()
		if err != nil {
			return nil, err
		}
		e, err := newCachedResponse(key, gen, v, maxAge)
		if err != nil {
			return nil, err
		}
		e.until = until
		return e, nil
	})
}

// serveDocument is serveCached for a response the services hand over
// already encoded and hashed: a document the projection stored.
func (s *Server) serveDocument(c echo.Context, q *publicQuery, maxAge string, build func() (*cms.Document, error)) error {
	return s.serveEntry(c, q, maxAge, func(key string, gen int64) (*cachedResponse, error) {
		d, err := build()
		if err != nil {
			return nil, err
		}
		return newCachedBody(key, gen, d.Body, d.Sum, maxAge), nil
	})
}

// serveEntry answers from the cache under the request's canonical key,
// building (with the generation of the content it is built from) and
// storing the entry on a miss.
func (s *Server) serveEntry(c echo.Context, q *publicQuery, maxAge string, build func(key string, gen int64) (*cachedResponse, error)) error {
	key := q.keyFor(c.Path(), c.ParamValues())
	param := ""
	if pv := c.ParamValues(); len(pv) > 0 {
		param = pv[0]
	}
	now := s.svc.Content.Clock.Now()
	e, ok := s.cache.get(key, now)
	if ok {
		s.cache.hits.Add(1)
	} else {
		s.cache.misses.Add(1)
		var err error
		if e, err = build(key, s.cache.gen.Load()); err != nil {
			return s.serveStale(c, key, err)
		}
		e.dep = dependency(c.Path(), param)
		s.cache.add(e)
	}
	s.writeCached(c.Response(), c.Request(), e)
	s.countAnswer(c.Request(), now, c.Path(), param, q, e, keyOf(c))
	return nil
}

// serveStale answers, when building failed because the database is away,
// with the answer the cache still holds past its time, marked stale: Age
// (seconds since it was built) and a Warning (RFC 7234's 111, revalidation
// failed). Without one, or for any other error, the error stands.
func (s *Server) serveStale(c echo.Context, key string, err error) error {
	if code := cms.ErrorCode(s.classify(err)); code != cms.EDBDOWN {
		return err
	}
	e, ok := s.cache.stale(key)
	if !ok {
		return err
	}
	h := c.Response().Header()
	h.Set("Age", strconv.Itoa(int(time.Since(e.built).Seconds())))
	h.Set("Warning", `111 - "Revalidation Failed: the database is unavailable; this answer may be out of date"`)
	s.writeCached(c.Response(), c.Request(), e)
	return nil
}

// Header values every cached response carries, made once.
var (
	jsonContentType = []string{echo.MIMEApplicationJSONCharsetUTF8}
	varyEncoding    = []string{echo.HeaderAcceptEncoding}
	gzipEncoding    = []string{"gzip"}
)

// writeCached writes a cached response with validators and caching headers,
// 304 when the client's copy is current, gzip when the client takes it.
// Header values are the entry's own, assigned without copying. It
// returns the status and the size of the body written.
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, e *cachedResponse) (int, int) {
	h := w.Header()
	gz := len(e.body) >= gzipMin && acceptsGzip(r.Header.Get(echo.HeaderAcceptEncoding))
	// A strong tag names one representation: the compressed one differs.
	if gz {
		h["Etag"] = e.gzETagHeader
	} else {
		h["Etag"] = e.etagHeader
	}
	h["Cache-Control"] = e.maxAgeHeader
	h["Vary"] = varyEncoding
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, 0
	}
	h["Content-Type"] = jsonContentType
	body := e.body
	if gz {
		h["Content-Encoding"] = gzipEncoding
		body = s.cache.gzipped(e)
	}
	w.WriteHeader(http.StatusOK)
	n, _ := w.Write(body)
	return http.StatusOK, n
}

// etagMatches reports whether an If-None-Match list names the entity, in
// either encoding.
func etagMatches(header, etag string) bool {
	base := etag[:len(etag)-1] // without its closing quote
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag || len(t) == len(base)+4 && strings.HasPrefix(t, base) && strings.HasSuffix(t, `-gz"`) {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip.
func acceptsGzip(accept string) bool {
	for accept != "" {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

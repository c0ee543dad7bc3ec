package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// headerClientKey is the request header a client of the content API
// presents its key in (see cms.ClientKey).
const headerClientKey = "X-Client-Key"

// rateLimits are the content API's token buckets: one per client address
// for anonymous clients (Options.RateLimit and RateBurst), one per client
// key at the key's own rate. A bucket costs a map entry for as long as it
// is not full again; none is made per request.
type rateLimits struct {
	rate, burst float64 // per address; rate 0: no limit
	mu          sync.Mutex
	addresses   map[string]*bucket
	keys        map[int64]*keyBucket
	swept       int64 // unix nanoseconds of the last sweep of full buckets
	// anonymous counts the requests of clients without a key: admitted and refused.
	anonymous [2]atomic.Int64
}

type bucket struct {
	tokens float64
	last   int64 // unix nanoseconds
}

// keyBucket is a client key's bucket and its counts of requests, admitted
// and refused, since the server started.
type keyBucket struct {
	bucket
	name   string
	counts [2]atomic.Int64
}

func newRateLimits(rate float64, burst int) *rateLimits {
	return &rateLimits{rate: rate, burst: float64(burst), addresses: map[string]*bucket{}, keys: map[int64]*keyBucket{}}
}

// take takes a token at now, refilled at rate up to burst.
func (b *bucket) take(now int64, rate, burst float64) bool {
	b.tokens = min(burst, b.tokens+float64(now-b.last)/1e9*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweepEvery is how often buckets that are full again are forgotten.
const sweepEvery = int64(time.Minute)

// allowAddress takes a token from an anonymous client's bucket.
func (l *rateLimits) allowAddress(addr string, now int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now-l.swept > sweepEvery {
		l.sweep(now)
	}
	b := l.addresses[addr]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.addresses[strings.Clone(addr)] = b
	}
	ok := b.take(now, l.rate, l.burst)
	l.anonymous[count(ok)].Add(1)
	return ok
}

// allowKey takes a token from a client key's bucket.
func (l *rateLimits) allowKey(k *cms.ClientKey, now int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.keys[k.ID]
	if b == nil {
		b = &keyBucket{bucket: bucket{tokens: float64(k.Burst), last: now}, name: k.Name}
		l.keys[k.ID] = b
	}
	ok := b.take(now, float64(k.Rate), float64(k.Burst))
	b.counts[count(ok)].Add(1)
	return ok
}

func count(admitted bool) int {
	if admitted {
		return 0
	}
	return 1
}

// sweep forgets the address buckets that are full again.
func (l *rateLimits) sweep(now int64) {
	l.swept = now
	for addr, b := range l.addresses {
		if b.tokens+float64(now-b.last)/1e9*l.rate >= l.burst {
			delete(l.addresses, addr)
		}
	}
}

// ClientStats counts the content API's requests by client since the
// server started: those of each client key, and those without one.
type ClientStats struct {
	Anonymous ClientCount
	Keys      map[int64]ClientCount
}

// ClientCount is one client's requests, admitted and refused (429).
type ClientCount struct {
	Name              string `json:"name,omitempty"`
	Admitted, Refused int64
}

// ClientStats reports the content API's requests by client.
func (s *Server) ClientStats() ClientStats {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	st := ClientStats{Anonymous: ClientCount{Admitted: l.anonymous[0].Load(), Refused: l.anonymous[1].Load()},
		Keys: make(map[int64]ClientCount, len(l.keys))}
	for id, b := range l.keys {
		st.Keys[id] = ClientCount{Name: b.name, Admitted: b.counts[0].Load(), Refused: b.counts[1].Load()}
	}
	return st
}

// admit decides whether a content API request may go on: a client that
// presents a valid key is limited by its key's rate, any other by its
// address's. It returns the key, nil for an anonymous client. A key that
// is unknown or revoked counts for nothing: its client is anonymous.
func (s *Server) admit(ctx context.Context, r *http.Request, now int64) (*cms.ClientKey, bool) {
	if presented := r.Header.Get(headerClientKey); presented != "" && s.svc.ClientKeys != nil {
		k, err := s.svc.ClientKeys.Identify(ctx, presented)
		if err != nil {
			s.log.WarnContext(ctx, "client keys could not be read; the client is served as anonymous", "error", err)
		}
		if k != nil {
			return k, s.limits.allowKey(k, now)
		}
	}
	if s.limits.rate <= 0 {
		s.limits.anonymous[0].Add(1)
		return nil, true
	}
	return nil, s.limits.allowAddress(s.echo.IPExtractor(r), now)
}

// limitContent applies admit to the content API; a refusal is 429 with
// Retry-After. The key, if any, labels the request in the log.
func (s *Server) limitContent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !strings.HasPrefix(c.Request().URL.Path, "/content/") {
			return next(c)
		}
		var k *cms.ClientKey
		ok := true
		if a, before := c.Request().Context().Value(admittedKey{}).(admission); before {
			k = a.key // admitted before echo (fast.go)
		} else {
			k, ok = s.admit(c.Request().Context(), c.Request(), time.Now().UnixNano())
		}
		if k != nil {
			c.Set(clientKeyContext, k.ID)
		}
		if !ok {
			c.Response().Header()["Retry-After"] = retryAfter
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many requests; slow down")
		}
		return next(c)
	}
}

// clientKeyContext is where limitContent leaves the id of the key a
// request presented, for the request log.
const clientKeyContext = "client_key"

var retryAfter = []string{"1"}

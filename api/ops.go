package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// Observer counts what the HTTP layer answers, for the operators'
// metrics (package metrics implements it).
type Observer interface {
	// Request counts an answered request: route is its route template ("":
	// no route matched), status its status code.
	Request(route, method string, status int, took time.Duration)
}

// Binder is an Observer that binds a route and method once, for the
// hot path of answers served before echo (package metrics implements it).
type Binder interface {
	Bind(route, method string) func(status int, took time.Duration)
}

// bindHits binds the observer to each cached route, once.
func (s *Server) bindHits() {
	s.hitObservers = [len(cachedRoutes)]func(int, time.Duration){}
	if s.opts.Observer == nil {
		return
	}
	for i := range cachedRoutes {
		route := cachedRoutes[i].path
		if b, ok := s.opts.Observer.(Binder); ok {
			s.hitObservers[i] = b.Bind(route, http.MethodGet)
			continue
		}
		o := s.opts.Observer
		s.hitObservers[i] = func(status int, took time.Duration) { o.Request(route, http.MethodGet, status, took) }
	}
}

// Probe is one check of the readiness probe: the database, the blob store.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// probeTimeout bounds each readiness check.
const probeTimeout = 5 * time.Second

// readyBody is what /readyz answers: the verdict and each check's.
type readyBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// handleReady runs every probe and answers 200 when all pass, 503 naming
// the ones that failed otherwise. Causes go to the log, not to the
// public answer.
//
// A check that failed for want of room says "full" and the answer is 507
// (unless another check is down: 503 wins, it is the one that passes by
// itself); any other failure says "failed" and the answer is 503 with
// Retry-After.
func (s *Server) handleReady(c echo.Context) error {
	body := readyBody{Status: "ready", Checks: map[string]string{}}
	status := http.StatusOK
	for _, p := range s.opts.Ready {
		ctx, cancel := context.WithTimeout(c.Request().Context(), probeTimeout)
		err := p.Check(ctx)
		cancel()
		if err == nil {
			body.Checks[p.Name] = "ok"
			continue
		}
		code := cms.ErrorCode(s.classify(err))
		s.faults.log(c.Request().Context(), s.log, &cms.Error{Code: code, Err: err}, slog.String("check", p.Name))
		body.Status = "unavailable"
		if code == cms.ENOSPACE {
			body.Checks[p.Name] = "full"
			if status == http.StatusOK {
				status = http.StatusInsufficientStorage
			}
			continue
		}
		body.Checks[p.Name], status = "failed", http.StatusServiceUnavailable
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "2")
	}
	return respond(c, status, body)
}

// handleMetrics serves the metrics to a caller with the metrics token.
// Without a token configured the route does not exist (404), so that the
// main listener never shows them to anyone; CMS_METRICS_ADDR serves them
// on a separate loopback listener instead.
func (s *Server) handleMetrics(c echo.Context) error {
	if s.opts.Metrics == nil || s.metricsToken == nil {
		return echo.ErrNotFound
	}
	scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	// Compared as hashes, in constant time: neither the token's bytes nor
	// its length show in the time taken.
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], s.metricsToken) != 1 {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return cms.Errorf(cms.EUNAUTHORIZED, "the metrics token is required")
	}
	c.Response().Header()["Cache-Control"] = noStore
	s.opts.Metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

// routeLabel is the route template a request took, or "" when it took
// none: echo names a partial match's node for a 404 or 405, which is not
// a route.
func (s *Server) routeLabel(c echo.Context) string {
	if p := c.Path(); s.routeSet[p] {
		return p
	}
	return ""
}

// observe counts a request echo answered.
func (s *Server) observe(c echo.Context, took time.Duration) {
	if s.opts.Observer != nil {
		s.opts.Observer.Request(s.routeLabel(c), c.Request().Method, c.Response().Status, took)
	}
}

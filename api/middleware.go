package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type principalKey struct{}

// authenticate resolves the bearer token into the principal the services act for.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="cms"`)
			return cms.Errorf(cms.EUNAUTHORIZED, "a bearer token is required")
		}
		p, err := s.svc.Auth.Authenticate(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			if cms.ErrorCode(err) == cms.EUNAUTHORIZED {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="cms", error="invalid_token"`)
			}
			return err
		}
		c.Set("user_id", p.User.ID)
		ctx := context.WithValue(c.Request().Context(), principalKey{}, p)
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// principal returns the caller resolved by authenticate.
func principal(c echo.Context) *cms.Principal {
	p, _ := c.Request().Context().Value(principalKey{}).(*cms.Principal)
	return p
}

// requestLogger logs one line per request: method, route, status, latency,
// request id and user. It never logs bodies, query strings or headers, so
// passwords and tokens cannot reach the log.
func (s *Server) requestLogger(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		s.observe(c, took)
		res := c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		if !s.log.Enabled(c.Request().Context(), level) {
			return nil
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("route", s.routeLabel(c)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("latency", took),
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("remote_ip", c.RealIP()),
		}
		if id, ok := c.Get("user_id").(int64); ok {
			attrs = append(attrs, slog.Int64("user_id", id))
		}
		if id, ok := c.Get(clientKeyContext).(int64); ok {
			attrs = append(attrs, slog.Int64("client_key", id))
		}
		s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// Header values made once, assigned to responses without copying.
var (
	nosniff    = []string{"nosniff"}
	frameDeny  = []string{"DENY"}
	noReferrer = []string{"no-referrer"}
	noStore    = []string{"no-store"}
)

// securityHeaders sets headers every JSON API response should carry.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setSecurityHeaders(c.Response().Header())
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header()["Cache-Control"] = noStore
		}
		return next(c)
	}
}

func setSecurityHeaders(h http.Header) {
	h["X-Content-Type-Options"] = nosniff
	h["X-Frame-Options"] = frameDeny
	h["Referrer-Policy"] = noReferrer
}

// requestID gives every response an X-Request-Id: the request's own, or
// a new one.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.ids.set(c.Response().Header(), c.Request())
		return next(c)
	}
}

// requestIDs name the requests the API answers.
type requestIDs struct{ cms.RequestIDs }

func newRequestIDs() requestIDs { return requestIDs{cms.NewRequestIDs()} }

// set sets the response's X-Request-Id, the request's own or a new one,
// and returns it.
func (ids requestIDs) set(h http.Header, r *http.Request) string {
	id := r.Header.Get(echo.HeaderXRequestID)
	if id == "" {
		id = ids.Next()
	}
	h[echo.HeaderXRequestID] = []string{id}
	return id
}

// clientID identifies a content API client for rate limiting: its IP.
func clientID(c echo.Context) (string, error) {
	return strings.TrimSpace(c.RealIP()), nil
}

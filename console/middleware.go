package console

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// contentSecurityPolicy allows the console's own files only: no inline
// script or style, no framing, forms posted to the console only.
const contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"

// secure sets the headers every console response carries. Pages are
// personal and never cached; hashed assets set their own caching.
func (c *Console) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/console/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of a response for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one line per request: method, route pattern, status,
// size, latency and user. Never the query string, form values or cookies,
// so passwords and tokens cannot reach the log.
func (c *Console) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !goodRequestID(id) {
			id = c.ids.Next()
		}
		w.Header().Set("X-Request-Id", id)
		ctx, ri := withReqInfo(cms.WithRequestScope(r.Context()))
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				c.log.ErrorContext(ctx, "console panic", slog.Any("panic", v), slog.String("route", r.Pattern))
				if sw.status == 0 {
					http.Error(sw, "系统出错了，请稍后再试。", http.StatusInternalServerError)
				}
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			took := time.Since(start)
			if c.opts.Observer != nil {
				c.opts.Observer.Request(r.Pattern, r.Method, sw.status, took)
			}
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", r.Pattern),
				slog.Int("status", sw.status), slog.Int64("bytes", sw.size), slog.Duration("latency", took),
				slog.String("request_id", id), slog.String("remote_ip", r.RemoteAddr)}
			if ri.userID != 0 {
				attrs = append(attrs, slog.Int64("user_id", ri.userID))
			}
			c.log.LogAttrs(ctx, level, "console request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// goodRequestID reports whether a client's X-Request-Id may be kept: 1 to
// 128 printable ASCII characters without spaces.
func goodRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

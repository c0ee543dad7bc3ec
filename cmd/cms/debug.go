package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/tlhpf/cms/app"
)

// serveDebug serves the Go profiler on addr (CMS_DEBUG_ADDR, loopback
// only) until ctx ends, so that an operator or the content benchmark can
// take a CPU profile of a running server: go tool pprof
// http://127.0.0.1:6060/debug/pprof/profile?seconds=10. /debug/vars gives
// the public cache's hits and misses, the content API's requests by
// client and the Go runtime's memory statistics, as JSON. It is apart
// from the API's listener, and off unless configured.
func serveDebug(ctx context.Context, addr string, a *app.App, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/vars", func(w http.ResponseWriter, _ *http.Request) {
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"content_cache": a.API.CacheStats(), "content_clients": a.API.ClientStats(),
			"memstats": mem})
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	log.Info("serving the profiler", slog.String("addr", ln.Addr().String()))
	go func() { _ = hs.Serve(ln) }()
	return nil
}

// serveMetrics serves the metrics at /metrics on addr (CMS_METRICS_ADDR,
// loopback only) until ctx ends, without a token: whoever can reach a
// loopback address is on the machine already.
func serveMetrics(ctx context.Context, addr string, a *app.App, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	log.Info("serving the metrics", slog.String("addr", ln.Addr().String()))
	go func() { _ = hs.Serve(ln) }()
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tlhpf/cms/app"
)

// adminDepartment is where the bootstrap administrator sits: 信息科 runs the
// system (seed rule 第十四条).
const adminDepartment = "information"

func runServe(ctx context.Context, cfg Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CMS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.logger()
	cfg.HTTP.Version = buildVersion()
	a, err := app.Open(ctx, cfg.Config, log)
	if err != nil {
		return err
	}
	defer a.Close()
	created, generated, err := a.Services.Users.Bootstrap(ctx, cfg.AdminPassword, adminDepartment)
	if err != nil {
		return fmt.Errorf("create the first administrator: %w", err)
	}
	if created {
		log.Info("created the first administrator", slog.String("username", "admin"))
		if generated != "" {
			// Shown once on the console, never logged; it must be changed at first login.
			fmt.Fprintf(stderr, "\n  The administrator account was created.\n  username: admin\n  password: %s\n  It is shown only now and must be changed at first login.\n\n", generated)
		}
	}
	bgCtx, stopBackground := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.Run(bgCtx) }()
	defer func() { stopBackground(); <-done }()
	if cfg.DebugAddr != "" {
		if err := serveDebug(bgCtx, cfg.DebugAddr, a, log); err != nil {
			return fmt.Errorf("CMS_DEBUG_ADDR: %w", err)
		}
	}
	if cfg.MetricsAddr != "" {
		if err := serveMetrics(bgCtx, cfg.MetricsAddr, a, log); err != nil {
			return fmt.Errorf("CMS_METRICS_ADDR: %w", err)
		}
	}
	return listenAndServe(ctx, cfg, a.Handler(), log)
}

// listenAndServe serves until ctx ends (SIGINT/SIGTERM), then lets requests
// in flight finish within the grace period.
func listenAndServe(ctx context.Context, cfg Config, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	// The read and write timeouts bound ordinary requests; handlers that
	// move files push their deadlines forward while bytes flow.
	hs := &http.Server{Handler: h, ReadHeaderTimeout: min(10*time.Second, cfg.ReadTimeout), ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("version", buildVersion()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

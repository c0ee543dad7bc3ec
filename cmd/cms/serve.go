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
	"sync"
	"time"

	spec "github.com/tlhpf/cms"
	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
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
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	created, generated, err := a.svc.Users.Bootstrap(ctx, cfg.AdminPassword, adminDepartment)
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
	srv := api.NewServer(a.svc, api.Options{BodyLimit: cfg.BodyLimit, Ready: a.db.Ping, Spec: spec.OpenAPI,
		Version: buildVersion(), RateLimit: cfg.ContentRate, RateBurst: cfg.ContentBurst, CacheEntries: cfg.CacheEntries,
		TrustProxy: cfg.TrustProxy, MediaRedirect: cfg.MediaRedirect, Organization: cfg.Organization}, log)
	sched := newScheduler(a.svc.Workflow, cfg.SchedulerInterval, log)
	a.svc.Workflow.Notify = func(rev *cms.Revision) {
		srv.InvalidateContent()
		if rev.State == cms.StateScheduled {
			sched.poke()
		}
	}
	bgCtx, stopBackground := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Add(4)
	go func() { defer bg.Done(); patrolDaily(bgCtx, a.svc.Patrol, cfg.PatrolInterval, log) }()
	go func() { defer bg.Done(); sched.run(bgCtx) }()
	go func() { defer bg.Done(); collectGarbage(bgCtx, a.svc.Media, cfg.MediaGrace, log) }()
	go func() { defer bg.Done(); a.db.WatchContent(bgCtx, cfg.WatchInterval, srv.InvalidateContent, log) }()
	defer func() { stopBackground(); bg.Wait() }()
	return listenAndServe(ctx, cfg, srv.Handler(), log)
}

// listenAndServe serves until ctx ends (SIGINT/SIGTERM), then lets requests
// in flight finish within the grace period.
func listenAndServe(ctx context.Context, cfg Config, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
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

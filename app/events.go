package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/outbound"
	"github.com/tlhpf/cms/storage"
)

// outlets are the ways out: the webhook sender, and the mailer and robots
// when configured.
type outlets struct {
	sender *outbound.Sender
	mailer cms.Mailer
	robots cms.Robots
}

func newOutlets(cfg EventsConfig) (*outlets, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	out := &outlets{sender: outbound.NewSender(outbound.WebhookOptions{Timeout: cfg.Timeout, AllowPrivate: cfg.AllowPrivate})}
	if cfg.SMTPURL != "" {
		m, err := outbound.NewMailer(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("CMS_SMTP_URL: %w", err)
		}
		out.mailer = m
	}
	if cfg.WeComRobots != "" {
		r, err := outbound.ParseRobots(cfg.WeComRobots)
		if err != nil {
			return nil, fmt.Errorf("CMS_WECOM_ROBOTS: %w", err)
		}
		out.robots = r
	}
	return out, nil
}

// wireEvents builds the services that tell people and systems of events.
func wireEvents(svc *cms.Services, db *storage.DB, az cms.Authorizer, keys *cms.Keys, out *outlets, cfg Config) {
	e := cfg.Events
	svc.Webhooks = &cms.WebhookService{Store: db, Sender: out.sender, Authorizer: az, Audit: db, Clock: cfg.Clock, Keys: keys,
		Config: cms.WebhookConfig{RetryBase: e.RetryBase, Lease: e.Lease, DisableAfter: e.DisableAfter, SecretOverlap: e.SecretOverlap}}
	svc.Notifications = &cms.NotificationService{Store: db, Users: db, Items: db, Structure: db, Contacts: db, Workflow: svc.Workflow,
		Authorizer: az, Audit: db, Clock: cfg.Clock, Mailer: out.mailer, Robots: out.robots,
		Config: cms.NotifyConfig{Lease: e.Lease, RetryBase: e.RetryBase, DigestAt: e.DigestAt}}
	svc.Dispatch = &cms.DispatchService{Outbox: db, Webhooks: db, Items: db, Structure: db, Notify: svc.Notifications, Clock: cfg.Clock,
		Retention: e.Retention}
}

// RunEvents runs, until ctx ends, the workers that carry the outbox's
// events out: the dispatcher (woken at once by a commit in this process
// that recorded events, and every Poll for other processes'), the webhook
// deliveries and the outgoing messages (each a pool of attempts under
// leases), the daily digest and, hourly, the purge of what the retention
// no longer keeps. Run calls it; tests call it alone.
func (a *App) RunEvents(ctx context.Context) {
	e := a.cfg.Events
	owner := leaseOwner()
	dispatchWake, hookWake, msgWake := make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{}, 1)
	a.DB.OnEvents(func() { poke(dispatchWake) })
	svc := a.Services
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			n, err := svc.Dispatch.Dispatch(ctx, 200)
			if err != nil && ctx.Err() == nil {
				a.log.Error("dispatch events", slog.Any("error", err))
			}
			if n > 0 {
				poke(hookWake)
				poke(msgWake)
				if n == 200 {
					continue
				}
			}
			if !wait(ctx, e.Poll, dispatchWake) {
				return
			}
		}
	})
	wg.Go(func() {
		runPool(ctx, pool[cms.Delivery]{name: "webhook deliveries", size: e.Concurrency, poll: e.Poll, wake: hookWake, log: a.log,
			claim: func(ctx context.Context, n int) ([]cms.Delivery, error) {
				return svc.Webhooks.ClaimDeliveries(ctx, owner, n)
			},
			work: func(ctx context.Context, d cms.Delivery) error { return svc.Webhooks.Attempt(ctx, owner, &d) },
			next: svc.Webhooks.NextDeliveryAt})
	})
	wg.Go(func() {
		runPool(ctx, pool[cms.Message]{name: "messages", size: 4, poll: e.Poll, wake: msgWake, log: a.log,
			claim: func(ctx context.Context, n int) ([]cms.Message, error) {
				return svc.Notifications.ClaimMessages(ctx, owner, n)
			},
			work: func(ctx context.Context, m cms.Message) error { return svc.Notifications.SendMessage(ctx, owner, &m) },
			next: svc.Notifications.NextMessageAt})
	})
	wg.Go(func() {
		for {
			sent, err := svc.Notifications.SendDigest(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Error("overdue digest", slog.Any("error", err))
			case sent:
				a.log.Info("sent the daily digest of overdue revisions")
				poke(msgWake)
			}
			if !wait(ctx, time.Minute, nil) {
				return
			}
		}
	})
	wg.Go(func() {
		for {
			n, err := svc.Dispatch.Purge(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Error("purge the outbox", slog.Any("error", err))
			case n > 0:
				a.log.Info("purged the outbox of what the retention no longer keeps", slog.Int("rows", n))
			}
			if !wait(ctx, time.Hour, nil) {
				return
			}
		}
	})
	wg.Wait()
}

// leaseOwner names this process in the leases it takes: host, process id
// and a random part, since a restarted process is another holder.
func leaseOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// wait waits for d, a poke on wake (nil: none) or the end of ctx, and
// reports whether ctx is still going.
func wait(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}

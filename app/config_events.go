package app

import (
	"errors"
	"time"
)

// EventsConfig configures what tells people and systems of events: the
// dispatcher of the outbox, webhook delivery, e-mail and 企业微信 robots.
type EventsConfig struct {
	// Poll is how often the workers look for work other processes made
	// (CMS_OUTBOX_POLL); in their own process they are woken at once.
	Poll time.Duration
	// RetryBase scales the retry schedule of webhooks and messages
	// (CMS_WEBHOOK_RETRY_BASE, 5 s: the last of ten attempts about a day
	// after the first).
	RetryBase time.Duration
	// Timeout bounds one webhook attempt (CMS_WEBHOOK_TIMEOUT, 10 s).
	Timeout time.Duration
	// Lease is how long a process holds a delivery or message it claimed
	// before another may take it over (CMS_WEBHOOK_LEASE, 60 s; longer
	// than Timeout).
	Lease time.Duration
	// DisableAfter switches off an endpoint that failed this long without
	// a success (CMS_WEBHOOK_DISABLE_AFTER, 24 h).
	DisableAfter time.Duration
	// SecretOverlap is how long a rotated secret still signs
	// (CMS_WEBHOOK_SECRET_OVERLAP, 24 h).
	SecretOverlap time.Duration
	// AllowPrivate lets webhooks reach loopback and private networks
	// (CMS_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	// Concurrency is how many webhook attempts a process makes at once
	// (CMS_WEBHOOK_CONCURRENCY, 32).
	Concurrency int
	// SMTPURL is the mail server (CMS_SMTP_URL); empty: no e-mail.
	SMTPURL string
	// WeComRobots are the 企业微信 group robots, "department=URL,…"
	// (CMS_WECOM_ROBOTS); empty: none.
	WeComRobots string
	// DigestAt is the time of day, Beijing time, of the daily digest of
	// overdue revisions (CMS_DIGEST_AT, 08:30).
	DigestAt time.Duration
	// Retention is how long dispatched events, finished deliveries and
	// messages, and read notifications are kept (CMS_EVENT_RETENTION, 30
	// days).
	Retention time.Duration
}

// defaultEvents are the settings of a production server.
func defaultEvents() EventsConfig {
	return EventsConfig{Poll: time.Second, RetryBase: 5 * time.Second, Timeout: 10 * time.Second, Lease: time.Minute,
		DisableAfter: 24 * time.Hour, SecretOverlap: 24 * time.Hour, Concurrency: 32, DigestAt: 8*time.Hour + 30*time.Minute,
		Retention: 30 * 24 * time.Hour}
}

// withDefaults fills what was left zero.
func (e EventsConfig) withDefaults() EventsConfig {
	d := defaultEvents()
	for _, p := range []struct{ v, def *time.Duration }{{&e.Poll, &d.Poll}, {&e.RetryBase, &d.RetryBase}, {&e.Timeout, &d.Timeout},
		{&e.Lease, &d.Lease}, {&e.DisableAfter, &d.DisableAfter}, {&e.SecretOverlap, &d.SecretOverlap}, {&e.Retention, &d.Retention}} {
		if *p.v == 0 {
			*p.v = *p.def
		}
	}
	if e.Concurrency == 0 {
		e.Concurrency = d.Concurrency
	}
	return e
}

// Check refuses settings that cannot work together.
func (e EventsConfig) Check() error {
	e = e.withDefaults()
	if e.Lease <= e.Timeout {
		return errors.New("CMS_WEBHOOK_LEASE must be longer than CMS_WEBHOOK_TIMEOUT: a delivery would be taken over while it is attempted")
	}
	if e.DigestAt < 0 || e.DigestAt >= 24*time.Hour {
		return errors.New("CMS_DIGEST_AT: want a time of day such as 08:30")
	}
	return nil
}

package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tlhpf/cms/outbound"
)

// loadEvents reads the settings of webhooks, notifications and the outbox.
func (c *Config) loadEvents(getenv func(string) string) []error {
	e := &c.Events
	var errs []error
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{
		{"CMS_OUTBOX_POLL", &e.Poll}, {"CMS_WEBHOOK_RETRY_BASE", &e.RetryBase}, {"CMS_WEBHOOK_TIMEOUT", &e.Timeout},
		{"CMS_WEBHOOK_LEASE", &e.Lease}, {"CMS_WEBHOOK_DISABLE_AFTER", &e.DisableAfter}, {"CMS_WEBHOOK_SECRET_OVERLAP", &e.SecretOverlap},
		{"CMS_EVENT_RETENTION", &e.Retention},
	} {
		if v := getenv(d.name); v != "" {
			var err error
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				errs = append(errs, fmt.Errorf("%s: want a positive duration such as 5s, got %q", d.name, v))
			}
		}
	}
	if v := getenv("CMS_WEBHOOK_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			errs = append(errs, fmt.Errorf("CMS_WEBHOOK_CONCURRENCY: want an integer from 1 to 1024, got %q", v))
		}
		e.Concurrency = n
	}
	if err := parseBool(getenv("CMS_WEBHOOK_ALLOW_PRIVATE"), &e.AllowPrivate); err != nil {
		errs = append(errs, fmt.Errorf("CMS_WEBHOOK_ALLOW_PRIVATE: %w", err))
	}
	if v := getenv("CMS_DIGEST_AT"); v != "" {
		t, err := time.Parse("15:04", v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CMS_DIGEST_AT: want a time of day such as 08:30, got %q", v))
		}
		e.DigestAt = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	var err error
	if e.SMTPURL, err = secret(getenv, "CMS_SMTP_URL"); err != nil {
		errs = append(errs, err)
	}
	if e.WeComRobots, err = secret(getenv, "CMS_WECOM_ROBOTS"); err != nil {
		errs = append(errs, err)
	}
	if e.SMTPURL != "" {
		if _, err := outbound.NewMailer(e.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("CMS_SMTP_URL: %w", err)) // says nothing of the password
		}
	}
	if e.WeComRobots != "" {
		if _, err := outbound.ParseRobots(e.WeComRobots); err != nil {
			errs = append(errs, errors.New("CMS_WECOM_ROBOTS: want department=URL pairs separated by commas"))
		}
	}
	if err := e.Check(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// loadStats reads the usage statistics' settings: CMS_STATS (on by
// default), CMS_STATS_FLUSH (how often counts go to the database, from 1s
// to 1h) and CMS_STATS_RETENTION (how long they are kept: days such as
// 400d, or a duration; at least a day).
func (c *Config) loadStats(getenv func(string) string) []error {
	var errs []error
	on := true
	if err := parseBool(getenv("CMS_STATS"), &on); err != nil {
		errs = append(errs, fmt.Errorf("CMS_STATS: %w", err))
	}
	c.StatsOff = !on
	if v := getenv("CMS_STATS_FLUSH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			errs = append(errs, fmt.Errorf("CMS_STATS_FLUSH: want a duration from 1s to 1h such as 1m, got %q", v))
		}
		c.StatsFlush = d
	}
	if v := getenv("CMS_STATS_RETENTION"); v != "" {
		d, err := parseDays(v)
		if err != nil || d < 24*time.Hour {
			errs = append(errs, fmt.Errorf("CMS_STATS_RETENTION: want a number of days such as 400d, or a duration of at least 24h, got %q", v))
		}
		c.StatsRetention = d
	}
	return errs
}

// parseDays reads "400d" as 400 days, or a Go duration.
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*366 {
			return 0, fmt.Errorf("bad number of days %q", n)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

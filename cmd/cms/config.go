package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// Config is everything the cms binary reads from its environment (CMS_*):
// what the composition root needs, and what only the binary uses. Secrets
// may come from a file named by the same variable with _FILE.
type Config struct {
	app.Config
	Addr          string
	AdminPassword string
	LogLevel      slog.Level
	LogFormat     string
	ShutdownGrace time.Duration
}

// loadConfig reads and validates the configuration.
func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Config:        app.Defaults(),
		Addr:          envOr(getenv, "CMS_ADDR", "127.0.0.1:8080"),
		LogFormat:     envOr(getenv, "CMS_LOG_FORMAT", "text"),
		ShutdownGrace: 15 * time.Second,
	}
	c.DataDir = envOr(getenv, "CMS_DATA_DIR", c.DataDir)
	c.DatabaseURL = getenv("CMS_DATABASE_URL")
	c.AuditKeyFile = getenv("CMS_AUDIT_KEY_FILE")
	c.AuditAnchorFile = getenv("CMS_AUDIT_ANCHOR_FILE")
	c.HTTP.BodyLimit = envOr(getenv, "CMS_BODY_LIMIT", c.HTTP.BodyLimit)
	c.BlobStore = envOr(getenv, "CMS_BLOB_STORE", c.BlobStore)
	c.Organization = envOr(getenv, "CMS_ORGANIZATION", c.Organization)
	var errs []error
	var err error
	if c.AdminPassword, err = secret(getenv, "CMS_ADMIN_PASSWORD"); err != nil {
		errs = append(errs, err)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = storage.SQLiteURL(c.DataDir)
	}
	if err := c.LogLevel.UnmarshalText([]byte(envOr(getenv, "CMS_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("CMS_LOG_LEVEL: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, errors.New("CMS_LOG_FORMAT: must be text or json"))
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"CMS_SESSION_TTL", &c.Auth.SessionTTL},
		{"CMS_PASSWORD_MAX_AGE", &c.Auth.PasswordMaxAge},
		{"CMS_LOCKOUT_DURATION", &c.Auth.LockoutDuration},
		{"CMS_SHUTDOWN_GRACE", &c.ShutdownGrace},
		{"CMS_SCHEDULER_INTERVAL", &c.SchedulerInterval},
		{"CMS_WATCH_INTERVAL", &c.WatchInterval},
		{"CMS_MEDIA_GRACE", &c.MediaGrace},
		{"CMS_PATROL_INTERVAL", &c.PatrolInterval},
	}
	for _, d := range durations {
		if v := getenv(d.name); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				errs = append(errs, fmt.Errorf("%s: want a positive duration such as 12h, got %q", d.name, v))
			}
		}
	}
	ints := []struct {
		name     string
		min, max uint64
		set      func(uint64)
	}{
		{"CMS_LOCKOUT_THRESHOLD", 1, 100, func(v uint64) { c.Auth.LockoutThreshold = int(v) }},
		{"CMS_ARGON2_MEMORY_KIB", 1024, 4 << 20, func(v uint64) { c.Argon2.MemoryKiB = uint32(v) }},
		{"CMS_ARGON2_TIME", 1, 100, func(v uint64) { c.Argon2.Time = uint32(v) }},
		{"CMS_ARGON2_THREADS", 1, 64, func(v uint64) { c.Argon2.Threads = uint8(v) }},
		{"CMS_CONTENT_RATE", 0, 1_000_000, func(v uint64) { c.HTTP.RateLimit = float64(v) }},
		{"CMS_CONTENT_BURST", 1, 1_000_000, func(v uint64) { c.HTTP.RateBurst = int(v) }},
		{"CMS_CACHE_ENTRIES", 0, 1_000_000, func(v uint64) {
			c.HTTP.CacheEntries = int(v)
			if v == 0 {
				c.HTTP.CacheEntries = -1 // off
			}
		}},
		{"CMS_UPLOAD_MAX", 1 << 10, 10 << 30, func(v uint64) { c.UploadMax = int64(v) }},
	}
	for _, n := range ints {
		if v := getenv(n.name); v != "" {
			x, err := strconv.ParseUint(v, 10, 64)
			if err != nil || x < n.min || x > n.max {
				errs = append(errs, fmt.Errorf("%s: want an integer from %d to %d, got %q", n.name, n.min, n.max, v))
				continue
			}
			n.set(x)
		}
	}
	switch v := getenv("CMS_TRUST_PROXY"); v {
	case "", "0", "false":
	case "1", "true":
		c.HTTP.TrustProxy = true
	default:
		errs = append(errs, fmt.Errorf("CMS_TRUST_PROXY: want true or false, got %q", v))
	}
	if v := getenv("CMS_MEDIA_REDIRECT"); v != "" {
		if c.HTTP.MediaRedirect, err = time.ParseDuration(v); err != nil || c.HTTP.MediaRedirect < 0 || c.HTTP.MediaRedirect > time.Hour {
			errs = append(errs, fmt.Errorf("CMS_MEDIA_REDIRECT: want a duration up to 1h such as 5m, got %q", v))
		}
	}
	errs = append(errs, c.loadS3(getenv)...)
	if v := getenv("CMS_STAGE_LIMITS"); v != "" {
		if err := parseStageLimits(v, c.StageLimits); err != nil {
			errs = append(errs, fmt.Errorf("CMS_STAGE_LIMITS: %w", err))
		}
	}
	return c, errors.Join(errs...)
}

// parseStageLimits reads "dept_review=48h,secrecy_review=24h" into limits;
// 0 removes a stage's limit.
func parseStageLimits(v string, limits map[cms.State]time.Duration) error {
	for _, part := range strings.Split(v, ",") {
		name, dur, ok := strings.Cut(strings.TrimSpace(part), "=")
		st := cms.State(name)
		if !ok || (st != cms.StateDeptReview && st != cms.StateLeadershipSignoff && st != cms.StateSecrecyReview && st != cms.StateScheduled) {
			return fmt.Errorf("want stage=duration pairs for dept_review, leadership_signoff, secrecy_review or scheduled, got %q", part)
		}
		d, err := time.ParseDuration(dur)
		if err != nil || d < 0 {
			return fmt.Errorf("%s: want a duration such as 48h, got %q", name, dur)
		}
		limits[st] = d
	}
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE (trailing newline trimmed).
func secret(getenv func(string) string, name string) (string, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	if v != "" && file != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", name, name)
	}
	if file == "" {
		return v, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func (c Config) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// loadS3 reads the S3 settings when CMS_BLOB_STORE=s3.
func (c *Config) loadS3(getenv func(string) string) []error {
	switch c.BlobStore {
	case "folder":
		return nil
	case "s3":
	default:
		return []error{fmt.Errorf("CMS_BLOB_STORE: must be folder or s3, got %q", c.BlobStore)}
	}
	var errs []error
	c.S3 = storage.S3Config{Endpoint: getenv("CMS_S3_ENDPOINT"), Bucket: envOr(getenv, "CMS_S3_BUCKET", "cms"),
		Region: getenv("CMS_S3_REGION"), TLS: getenv("CMS_S3_TLS") != "false"}
	var err error
	if c.S3.AccessKey, err = secret(getenv, "CMS_S3_ACCESS_KEY"); err != nil {
		errs = append(errs, err)
	}
	if c.S3.SecretKey, err = secret(getenv, "CMS_S3_SECRET_KEY"); err != nil {
		errs = append(errs, err)
	}
	if c.S3.Endpoint == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "" {
		errs = append(errs, errors.New("CMS_BLOB_STORE=s3 needs CMS_S3_ENDPOINT, CMS_S3_ACCESS_KEY and CMS_S3_SECRET_KEY (or their _FILE forms)"))
	}
	return errs
}

package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	Addr string
	// DebugAddr, when set, serves the Go profiler (net/http/pprof) on
	// this loopback address, apart from the API.
	DebugAddr string
	// MetricsAddr, when set, serves the metrics at /metrics on this
	// loopback address, apart from the API (CMS_METRICS_ADDR).
	MetricsAddr   string
	AdminPassword string
	LogLevel      slog.Level
	LogFormat     string
	ShutdownGrace time.Duration
	// ReadTimeout and WriteTimeout bound reading a request and writing its
	// answer; uploads and downloads of files are bound by HTTP.TransferIdle
	// instead, so a slow link does not cut them off while bytes flow.
	ReadTimeout, WriteTimeout time.Duration
	// logOut is where the log goes: the command's standard error.
	logOut io.Writer
}

// loadConfig reads and validates the configuration.
func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Config:        app.Defaults(),
		Addr:          envOr(getenv, "CMS_ADDR", "127.0.0.1:8080"),
		LogFormat:     envOr(getenv, "CMS_LOG_FORMAT", "text"),
		ShutdownGrace: 15 * time.Second,
		ReadTimeout:   60 * time.Second,
		WriteTimeout:  60 * time.Second,
	}
	c.DataDir = envOr(getenv, "CMS_DATA_DIR", c.DataDir)
	c.DatabaseURL = getenv("CMS_DATABASE_URL")
	c.DebugAddr = getenv("CMS_DEBUG_ADDR")
	c.MetricsAddr = getenv("CMS_METRICS_ADDR")
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
	totpKey, err := secret(getenv, "CMS_TOTP_KEY")
	if err != nil {
		errs = append(errs, err)
	}
	c.TOTPKey = []byte(totpKey)
	if c.HTTP.MetricsToken, err = secret(getenv, "CMS_METRICS_TOKEN"); err != nil {
		errs = append(errs, err)
	} else if t := c.HTTP.MetricsToken; t != "" && (len(t) < 16 || strings.ContainsAny(t, " \t")) {
		errs = append(errs, errors.New("CMS_METRICS_TOKEN: want at least 16 characters without spaces, e.g. head -c 24 /dev/urandom | base64"))
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
		{"CMS_CONSOLE_IDLE", &c.Auth.ConsoleIdle},
		{"CMS_PASSWORD_MAX_AGE", &c.Auth.PasswordMaxAge},
		{"CMS_LOCKOUT_DURATION", &c.Auth.LockoutDuration},
		{"CMS_HASH_WAIT", &c.HashWait},
		{"CMS_DB_TIMEOUT", &c.DBTimeout},
		{"CMS_SHUTDOWN_GRACE", &c.ShutdownGrace},
		{"CMS_SCHEDULER_INTERVAL", &c.SchedulerInterval},
		{"CMS_WATCH_INTERVAL", &c.WatchInterval},
		{"CMS_MEDIA_GRACE", &c.MediaGrace},
		{"CMS_PATROL_INTERVAL", &c.PatrolInterval},
		{"CMS_READ_TIMEOUT", &c.ReadTimeout},
		{"CMS_WRITE_TIMEOUT", &c.WriteTimeout},
		{"CMS_TRANSFER_IDLE_TIMEOUT", &c.HTTP.TransferIdle},
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
		{"CMS_SEARCH_RANKED", 20, 100_000, func(v uint64) { c.SearchRanked = int(v) }},
		{"CMS_LOGIN_ADDRESS_LIMIT", 0, 1_000_000, func(v uint64) { c.Auth.AddressLimit = int(v) }},
		{"CMS_LOGIN_USER_LIMIT", 0, 1_000_000, func(v uint64) { c.Auth.UserLimit = int(v) }},
		{"CMS_HASH_CONCURRENCY", 0, 1024, func(v uint64) { c.HashSlots = int(v) }},
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
		{"CMS_CLIENT_KEY_RATE", 1, 100_000, func(v uint64) { c.ClientKeyRate = int(v) }},
		{"CMS_CLIENT_KEY_BURST", 1, 1_000_000, func(v uint64) { c.ClientKeyBurst = int(v) }},
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
	if v := getenv("CMS_CACHE_BYTES"); v != "" {
		n, err := parseBytes(v)
		switch {
		case err != nil || n != 0 && (n < 64<<10 || n > 64<<30):
			errs = append(errs, fmt.Errorf("CMS_CACHE_BYTES: want 0 (no cache) or a size from 64KiB to 64GiB such as 67108864 or 64MiB, got %q", v))
		case n == 0:
			c.HTTP.CacheBytes = -1 // off
		default:
			c.HTTP.CacheBytes = n
		}
	}
	consoleOn := true
	for _, b := range []struct {
		name string
		dst  *bool
	}{
		{"CMS_TRUST_PROXY", &c.HTTP.TrustProxy},
		{"CMS_SINGLE_ADMIN", &c.SingleAdmin},
		{"CMS_AUTO_PUBLISH", &c.AutoPublish},
		{"CMS_REQUIRE_2FA", &c.Auth.Require2FA},
		{"CMS_COOKIE_SECURE", &c.CookieSecure},
		{"CMS_CONSOLE", &consoleOn},
	} {
		if err := parseBool(getenv(b.name), b.dst); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.name, err))
		}
	}
	c.ConsoleOff = !consoleOn
	if v := getenv("CMS_MEDIA_REDIRECT"); v != "" {
		if c.HTTP.MediaRedirect, err = time.ParseDuration(v); err != nil || c.HTTP.MediaRedirect < 0 || c.HTTP.MediaRedirect > time.Hour {
			errs = append(errs, fmt.Errorf("CMS_MEDIA_REDIRECT: want a duration up to 1h such as 5m, got %q", v))
		}
	}
	if c.DebugAddr != "" && !loopback(c.DebugAddr) {
		errs = append(errs, fmt.Errorf("CMS_DEBUG_ADDR: want a loopback address such as 127.0.0.1:6060, got %q", c.DebugAddr))
	}
	if c.MetricsAddr != "" && !loopback(c.MetricsAddr) {
		errs = append(errs, fmt.Errorf("CMS_METRICS_ADDR: want a loopback address such as 127.0.0.1:9464, got %q", c.MetricsAddr))
	}
	errs = append(errs, c.loadS3(getenv)...)
	errs = append(errs, c.loadEvents(getenv)...)
	if v := getenv("CMS_MAINTENANCE_LEAD"); v != "" {
		if c.HTTP.MaintenanceLead, err = time.ParseDuration(v); err != nil || c.HTTP.MaintenanceLead <= 0 || c.HTTP.MaintenanceLead > 90*24*time.Hour {
			errs = append(errs, fmt.Errorf("CMS_MAINTENANCE_LEAD: want a duration from 1s to 2160h such as 24h, got %q", v))
		}
	}
	if v := getenv("CMS_ARCHIVE_SCHEDULE"); v != "" {
		if v != cms.ArchiveScheduleMonthly && v != cms.ArchiveScheduleOff {
			errs = append(errs, fmt.Errorf("CMS_ARCHIVE_SCHEDULE: want monthly or off, got %q", v))
		}
		c.ArchiveSchedule = v
	}
	errs = append(errs, c.loadStats(getenv)...)
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

// parseBool reads a true/false variable into dst; empty leaves dst as it is.
func parseBool(v string, dst *bool) error {
	switch v {
	case "":
	case "1", "true":
		*dst = true
	case "0", "false":
		*dst = false
	default:
		return fmt.Errorf("want true or false, got %q", v)
	}
	return nil
}

// parseBytes reads a size in bytes, optionally with a binary unit: 512KiB,
// 64MiB, 1GiB (K, M and G mean the same).
func parseBytes(v string) (int64, error) {
	num, shift := v, 0
	for _, u := range []struct {
		suffix string
		shift  int
	}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20}, {"G", 30}} {
		if strings.HasSuffix(v, u.suffix) {
			num, shift = strings.TrimSuffix(v, u.suffix), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > 1<<(62-shift) {
		return 0, fmt.Errorf("not a size: %q", v)
	}
	return n << shift, nil
}

// loopback reports whether addr is host:port on a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
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
	out := c.logOut
	if out == nil {
		out = os.Stderr
	}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
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
	if v := getenv("CMS_S3_TIMEOUT"); v != "" {
		if c.S3.Timeout, err = time.ParseDuration(v); err != nil || c.S3.Timeout <= 0 {
			errs = append(errs, fmt.Errorf("CMS_S3_TIMEOUT: want a positive duration such as 10s, got %q", v))
		}
	}
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

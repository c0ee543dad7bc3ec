package app

import (
	"time"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/storage"
)

// Config is what the composition root needs to build the CMS. The cms
// binary fills it from CMS_* variables; tests set what they need and leave
// the rest to Defaults.
type Config struct {
	DataDir     string
	DatabaseURL string
	// DBTimeout bounds how long one database operation waits for a
	// connection, a lock or an answer before the request is answered 503
	// database_unavailable (CMS_DB_TIMEOUT, default 5s).
	DBTimeout time.Duration
	// SearchRanked is how many of the newest matches of a search are ranked
	// (CMS_SEARCH_RANKED, default storage.DefaultSearchRanked).
	SearchRanked int
	// AuditKeyFile holds the master key the audit chain and the served rows
	// are sealed with (default: audit.key in DataDir, generated on the first
	// start of a database never sealed). It must be kept, and backed up,
	// apart from the database.
	AuditKeyFile string
	// AuditAnchorFile is the append-only file of audit anchors (default:
	// audit.anchor in DataDir).
	AuditAnchorFile string
	// Keys, when set, are used instead of the key file (tests, tools).
	Keys   *cms.Keys
	Auth   cms.AuthConfig
	Argon2 rbac.Argon2Params
	// HashSlots is how many password hashes may run at once (0: one per
	// Argon2.Threads cores) and HashWait how long a check waits for a
	// slot before the server answers 503.
	HashSlots int
	HashWait  time.Duration
	// TOTPKey seals the second factors' secrets in the database; empty
	// means a key generated once and kept in the database itself.
	TOTPKey []byte
	// StageLimits are the time limits (办结时限) per review stage.
	StageLimits map[cms.State]time.Duration
	// Blob storage: a local folder under DataDir (the default) or S3.
	BlobStore  string
	S3         storage.S3Config
	UploadMax  int64
	MediaGrace time.Duration
	// Organization names the centre in archive exports.
	Organization string
	// HTTP configures the API server; Ready and Spec are set by the app.
	HTTP api.Options
	// ConsoleOff turns the staff console off (it is on by default).
	ConsoleOff bool
	// CookieSecure marks the console's cookies Secure on plain HTTP too,
	// for a server behind a proxy that terminates TLS.
	CookieSecure bool
	// AutoPublish lets the scheduler publish a cleared revision itself at
	// its publish_at (CMS_AUTO_PUBLISH); off (the default), a cleared
	// revision waits for a publisher of 信息科 (第十条).
	AutoPublish bool
	// ArchiveSchedule is when the periodic archive (第十一条) is written:
	// cms.ArchiveScheduleMonthly (the default: the month before, early in
	// each month) or cms.ArchiveScheduleOff (CMS_ARCHIVE_SCHEDULE).
	ArchiveSchedule string
	// SchedulerInterval is how often scheduled publications and expiries are checked.
	SchedulerInterval time.Duration
	// PatrolInterval is how often the integrity patrol runs (and anchors
	// the audit chain's head).
	PatrolInterval time.Duration
	// WatchInterval is how often the change log is polled for changes made
	// by other server processes (PostgreSQL also notifies at once).
	WatchInterval time.Duration
	// Clock is the services' clock; nil means a cms.SteadyClock started
	// with the app: the wall clock at start, advanced by the monotonic clock.
	Clock cms.Clock
	// Events configures the outbox's dispatcher, webhooks and notifications.
	Events EventsConfig
	// ClientKeyRate and ClientKeyBurst are the requests per second, and
	// the burst above them, a new client key gets unless its issuer sets
	// its own (CMS_CLIENT_KEY_RATE, CMS_CLIENT_KEY_BURST).
	ClientKeyRate, ClientKeyBurst int
	// SingleAdmin lets a lone administrator's grants of roles in the chain,
	// and resets of the passwords of their holders, take effect without a
	// second administrator (CMS_SINGLE_ADMIN). It weakens the separation of
	// duties, so the app warns about it whenever it starts.
	SingleAdmin bool
	// StatsOff turns the usage statistics off (CMS_STATS=off): the content
	// API counts nothing.
	StatsOff bool
	// StatsFlush is how often the counts made in memory are added to the
	// database (CMS_STATS_FLUSH, 1m), and StatsRetention how long they are
	// kept (CMS_STATS_RETENTION, 400 days).
	StatsFlush     time.Duration
	StatsRetention time.Duration
}

// Defaults returns the configuration of the embedded set-up: SQLite and
// blobs under ./data, production password hashing and limits.
func Defaults() Config {
	return Config{
		DataDir:      "./data",
		DatabaseURL:  storage.SQLiteURL("./data"),
		DBTimeout:    storage.DefaultTimeout,
		Auth:         cms.DefaultAuthConfig(),
		Argon2:       rbac.DefaultArgon2,
		HashWait:     time.Second,
		BlobStore:    "folder",
		UploadMax:    100 << 20,
		MediaGrace:   24 * time.Hour,
		Organization: "铜陵市住房公积金管理中心",
		StageLimits: map[cms.State]time.Duration{
			cms.StateDeptReview: 48 * time.Hour, cms.StateLeadershipSignoff: 72 * time.Hour, cms.StateSecrecyReview: 24 * time.Hour,
			cms.StateScheduled: 24 * time.Hour,
		},
		HTTP: api.Options{BodyLimit: "1M", RateLimit: 50, RateBurst: 100,
			CacheBytes: api.DefaultCacheBytes, CacheEntries: api.DefaultCacheEntries, TransferIdle: api.DefaultTransferIdle},
		SchedulerInterval: 15 * time.Second,
		ArchiveSchedule:   cms.ArchiveScheduleMonthly,
		PatrolInterval:    time.Hour,
		WatchInterval:     2 * time.Second,
		Events:            defaultEvents(),
		ClientKeyRate:     1000,
		ClientKeyBurst:    2000,
		StatsFlush:        time.Minute,
		StatsRetention:    cms.DefaultStatsRetention,
	}
}

// withDefaults fills what a caller left zero with the defaults' values.
func (c Config) withDefaults() Config {
	d := Defaults()
	if c.Auth == (cms.AuthConfig{}) {
		c.Auth = d.Auth
	}
	if c.Argon2 == (rbac.Argon2Params{}) {
		c.Argon2 = d.Argon2
	}
	if c.StageLimits == nil {
		c.StageLimits = d.StageLimits
	}
	if c.UploadMax == 0 {
		c.UploadMax = d.UploadMax
	}
	if c.MediaGrace == 0 {
		c.MediaGrace = d.MediaGrace
	}
	if c.Organization == "" {
		c.Organization = d.Organization
	}
	if c.ArchiveSchedule == "" {
		c.ArchiveSchedule = d.ArchiveSchedule
	}
	if c.ClientKeyRate == 0 {
		c.ClientKeyRate, c.ClientKeyBurst = d.ClientKeyRate, max(c.ClientKeyBurst, d.ClientKeyBurst)
	}
	if c.ClientKeyBurst < c.ClientKeyRate {
		c.ClientKeyBurst = 2 * c.ClientKeyRate
	}
	for _, p := range []struct{ v, def *time.Duration }{
		{&c.DBTimeout, &d.DBTimeout}, {&c.HashWait, &d.HashWait}, {&c.SchedulerInterval, &d.SchedulerInterval}, {&c.PatrolInterval, &d.PatrolInterval}, {&c.WatchInterval, &d.WatchInterval},
		{&c.StatsFlush, &d.StatsFlush}, {&c.StatsRetention, &d.StatsRetention},
	} {
		if *p.v == 0 {
			*p.v = *p.def
		}
	}
	if c.Clock == nil {
		// Steps of the wall clock move nothing the services time (see
		// cms.SteadyClock); RunClockWatch warns of them.
		c.Clock = cms.NewSteadyClock()
	}
	c.Events = c.Events.withDefaults()
	return c
}

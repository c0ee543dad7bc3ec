// Package app is the composition root of the CMS: it opens the database and
// the blob store and builds every service, complete, with the HTTP server
// over them and the background workers beside it. The cms binary, the API
// tests and the console tests all build the system here, so that what is
// tested is what runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"

	openapi "github.com/tlhpf/cms"
	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/console"
	"github.com/tlhpf/cms/media"
	"github.com/tlhpf/cms/metrics"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/render"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/workflow"
)

// App is the wired system: the stores, the services over them and the
// HTTP server in front of them.
type App struct {
	DB       *storage.DB
	Blobs    cms.BlobStore
	Services *cms.Services
	API      *api.Server
	// Console is the staff console; nil when it is turned off.
	Console *console.Console
	// Archive writes the auditors' archive without the service's
	// authorization, for the operator's command line.
	Archive cms.ArchiveExporter
	// Keys are the keys from the key file the database is sealed with.
	Keys *cms.Keys
	// Metrics are the operators' metrics, served at /metrics on the main
	// listener with a token, or on a listener of their own (cms serve).
	Metrics *metrics.Registry

	cfg Config
	log *slog.Logger
}

// OpenDB opens the database at cfg.DatabaseURL and applies every pending
// migration, logging what it applied.
func OpenDB(ctx context.Context, cfg Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.DatabaseURL, storage.Timeout(cfg.DBTimeout), storage.SearchRanked(cfg.SearchRanked))
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated the database", slog.String("dialect", db.Dialect), slog.Any("migrations", applied))
	}
	return db, nil
}

// OpenBlobs opens the configured blob store.
func OpenBlobs(ctx context.Context, cfg Config) (cms.BlobStore, error) {
	if cfg.BlobStore == "s3" {
		return storage.NewS3Store(ctx, cfg.S3)
	}
	return storage.NewFolderStore(filepath.Join(cfg.DataDir, "blobs"))
}

// Open opens, migrates and seeds the database, opens the blob store and
// builds the app over them. Close releases them.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	db, err := OpenDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if _, err := db.Seed(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	blobs, err := OpenBlobs(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	a, err := New(ctx, db, blobs, cfg, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// New builds every service over an open, migrated and seeded database and
// a blob store, and the HTTP server over the services. The caller keeps
// ownership of db.
func New(ctx context.Context, db *storage.DB, blobs cms.BlobStore, cfg Config, log *slog.Logger) (*App, error) {
	if db == nil || blobs == nil {
		return nil, errors.New("app: a database and a blob store are needed")
	}
	cfg = cfg.withDefaults()
	log = thinFaults(log) // an outage costs a line every few seconds per worker, not one a round
	keys, err := openKeys(ctx, db, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := sealDatabase(ctx, db, keys, cfg, log); err != nil {
		return nil, err
	}
	az, err := rbac.NewAuthorizer(ctx, db)
	if err != nil {
		return nil, err
	}
	subjectKey, err := db.Secret(ctx, "audit-subject")
	if err != nil {
		return nil, err
	}
	totpKey := cfg.TOTPKey
	if len(totpKey) == 0 {
		if totpKey, err = db.Secret(ctx, "totp"); err != nil {
			return nil, err
		}
	}
	if cfg.SingleAdmin {
		log.Warn("CMS_SINGLE_ADMIN is on: one administrator alone can grant the roles of the approval chain " +
			"and reset their holders' passwords; add a second administrator (cms user add) and turn it off")
	}
	out, err := newOutlets(cfg.Events)
	if err != nil {
		return nil, err
	}
	svc := services(db, blobs, az, secrets{keys: keys, auditSubject: subjectKey, totp: totpKey}, cfg)
	wireEvents(svc, db, az, keys, out, cfg)
	if err := sealRows(ctx, svc, db, log); err != nil {
		return nil, err
	}
	a := &App{DB: db, Blobs: blobs, Services: svc, Archive: svc.Archive.Exporter, Keys: keys, cfg: cfg, log: log}
	a.Metrics = newMetrics(svc, cfg, a)
	opts := cfg.HTTP
	opts.Ready, opts.Spec = probes(db, blobs), openapi.YAML
	opts.Observer, opts.Metrics = a.Metrics, a.Metrics.Handler()
	opts.Classify, opts.Database = storage.Classify, db.Dialect
	a.API = api.NewServer(svc, opts, log)
	observeCache(a.Metrics, a.API)
	svc.Dispatch.ETags = a.API
	if !cfg.ConsoleOff {
		if a.Console, err = console.New(svc, console.Options{CookieSecure: cfg.CookieSecure, Clock: cfg.Clock, Observer: a.Metrics,
			Classify: storage.Classify}, log); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// sealRows seals, before anything is served, the rows written before they
// were sealed: the structure the annexes declare (where it still holds its
// approved values) and the public projection (rebuilt from intact live
// revisions).
func sealRows(ctx context.Context, svc *cms.Services, db *storage.DB, log *slog.Logger) error {
	n, err := svc.Integrity.SealStructure(ctx, db)
	if err != nil {
		return fmt.Errorf("seal the menus: %w", err)
	}
	m, err := svc.Workflow.BackfillProjection(ctx)
	if err != nil {
		return fmt.Errorf("seal the public projection: %w", err)
	}
	if n+m > 0 {
		log.Info("sealed rows written before they were sealed", slog.Int("structure", n), slog.Int("public_items", m))
	}
	return nil
}

// services builds every cms service over one database and blob store.
// secrets are the keys the services sign and hide with.
type secrets struct {
	keys         *cms.Keys // from the key file: the audit chain, served rows, preview links
	auditSubject []byte    // hides unknown usernames in the audit log
	totp         []byte    // encrypts second-factor secrets
}

func services(db *storage.DB, blobs cms.BlobStore, az cms.Authorizer, sec secrets, cfg Config) *cms.Services {
	keys := sec.keys
	clock, bus, previews := cfg.Clock, &cms.Bus{}, rbac.PreviewSigner{Key: keys.PreviewKey()}
	policy := &cms.PasswordPolicy{Strength: rbac.Strength{}, MinScore: cms.DefaultMinScore}
	hasher := cms.NewBoundedHasher(rbac.Hasher{Params: cfg.Argon2}, cfg.hashSlots(), cfg.HashWait)
	flow := &cms.WorkflowService{Items: db, Users: db, Flow: db, Machine: workflow.Machine{}, Structure: db,
		Authorizer: az, Audit: db, Clock: clock, Renderer: render.Renderer{}, Documents: api.Documents{}, Secrecy: db,
		Limits: cfg.StageLimits, Bus: bus, Keys: keys, Blobs: blobs, AutoPublish: cfg.AutoPublish, Contacts: db}
	integrity := &cms.IntegrityService{Keys: keys, Store: db, Items: db, Workflow: flow, Seals: db, KeyStore: db,
		Clock: clock, Bus: bus}
	content := &cms.ContentService{Content: db, Structure: db, Items: db, Clock: clock, Previews: previews, Blobs: blobs,
		Renderer: render.Renderer{}, Documents: api.Documents{}, Integrity: integrity, Authorizer: az}
	content.Follow(bus)
	clientKeys := &cms.ClientKeyService{Keys: db, Authorizer: az, Audit: db, Clock: clock, Bus: bus,
		DefaultRate: cfg.ClientKeyRate, DefaultBurst: cfg.ClientKeyBurst}
	clientKeys.Follow(bus)
	reports := &cms.ReportService{Store: db, Structure: db, Flow: flow, Authorizer: az, Clock: clock, Retention: cfg.StatsRetention,
		Contacts: db}
	if !cfg.StatsOff {
		reports.Counter = cms.NewUsageCounter()
	}
	return &cms.Services{
		Auth: &cms.AuthService{Users: db, Hasher: hasher, Policy: policy, Clock: clock, Config: cfg.Auth, Audit: db,
			AddressThrottle: throttle(cfg.Auth.AddressLimit, clock), UserThrottle: throttle(cfg.Auth.UserLimit, clock),
			SubjectKey: sec.auditSubject, OTP: rbac.TOTP{Issuer: cfg.Organization, Key: sec.totp}},
		Users: &cms.UserService{Users: db, Grants: db, Structure: db, Hasher: hasher, Policy: policy, Authorizer: az,
			Audit: db, Clock: clock, SingleAdmin: cfg.SingleAdmin},
		Structure: &cms.StructureService{Structure: db, Authorizer: az, Designations: db, Users: db, Audit: db, Clock: clock},
		Items: &cms.ItemService{Items: db, Structure: db, Authorizer: az, Audit: db, Clock: clock, Previews: previews,
			PreviewStore: db},
		Workflow: flow,
		Content:  content,
		Menus: &cms.MenuService{Menus: db, Authorizer: az, Audit: db, Clock: clock, Bus: bus, Keys: keys, Integrity: integrity,
			Windows: db, Users: db},
		Media: &cms.MediaService{Items: db, Media: db, Blobs: blobs, Inspector: media.Inspector{}, Authorizer: az,
			Audit: db, Clock: clock, MaxSize: cfg.UploadMax},
		Patrol: &cms.PatrolService{Patrols: db, Items: db, Content: db, Structure: db, Blobs: blobs, Integrity: integrity,
			Authorizer: az, Audit: db, Anchors: cfg.Anchors(), Clock: clock},
		Secrecy:   &cms.SecrecyService{Secrecy: db, Items: db, Authorizer: az, Audit: db, Clock: clock, Renderer: render.Renderer{}},
		Integrity: integrity,
		Archive: &cms.ArchiveService{Exporter: archive.Exporter{Source: storage.ArchiveSource{DB: db, Blobs: blobs}},
			Organization: cfg.Organization, Authorizer: az, Audit: db, Clock: clock, Keys: keys, Anchors: cfg.Anchors(),
			PackageStore: db, Blobs: blobs, Verifier: archive.Exporter{}, Schedule: cfg.ArchiveSchedule, Owner: leaseOwner()},
		Audit:           &cms.AuditService{Log: db, Users: db, Authorizer: az, Keys: keys, KeyStore: db, Anchors: cfg.Anchors()},
		ClientKeys:      clientKeys,
		Reports:         reports,
		Bus:             bus,
		FeatureRequests: &cms.FeatureRequestService{Store: db, Users: db, Authorizer: az, Audit: db, Clock: clock},
	}
}

// throttle returns a login throttle of perMinute attempts per key, or nil
// (no limit) for 0.
func throttle(perMinute int, clock cms.Clock) cms.Throttle {
	if perMinute <= 0 {
		return nil
	}
	return rbac.NewThrottle(perMinute, clock)
}

// hashSlots is how many password hashes run at once: as many as fit on
// the cores but one, each taking Argon2.Threads cores, so that a flood of
// logins leaves a core to the content API; at least one, at most four
// (4 × 64 MiB by default).
func (c Config) hashSlots() int {
	if c.HashSlots > 0 {
		return c.HashSlots
	}
	return min(4, max(1, (runtime.GOMAXPROCS(0)-1)/max(1, int(c.Argon2.Threads))))
}

// Handler is the HTTP face of the app: the staff console under /console/
// (the site's root leads there), everything else the APIs.
func (a *App) Handler() http.Handler {
	apiHandler := a.API.Handler()
	if a.Console == nil {
		return apiHandler
	}
	consoleHandler := a.Console.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/" || p == "/console":
			http.Redirect(w, r, console.Prefix, http.StatusFound)
		case strings.HasPrefix(p, console.Prefix):
			consoleHandler.ServeHTTP(w, r)
		default:
			apiHandler.ServeHTTP(w, r)
		}
	})
}

// Close closes the database, once the listing pages being stored are.
func (a *App) Close() error {
	a.Services.Content.Wait()
	return a.DB.Close()
}

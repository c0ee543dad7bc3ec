package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/media"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/render"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/workflow"
)

// app is the wired system: the database and the services over it.
type app struct {
	db  *storage.DB
	svc api.Services
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, cfg Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.DatabaseURL)
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

// newApp opens the database, migrates and seeds it, and wires the services.
func newApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if _, err := db.Seed(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	az, err := rbac.NewAuthorizer(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	key, err := db.Secret(ctx, "preview")
	if err != nil {
		db.Close()
		return nil, err
	}
	previews := rbac.PreviewSigner{Key: key}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	svc := services(db, az, rbac.Hasher{Params: cfg.Argon2}, previews, cms.SystemClock{}, cfg)
	svc.Content.Blobs = blobs
	if _, err := svc.Workflow.BackfillProjection(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("render the public projection: %w", err)
	}
	svc.Media = &cms.MediaService{Items: db, Media: db, Blobs: blobs, Inspector: media.Inspector{}, Authorizer: az,
		Audit: db, Clock: cms.SystemClock{}, MaxSize: cfg.UploadMax}
	svc.Patrol = &cms.PatrolService{Patrols: db, Items: db, Blobs: blobs, Workflow: svc.Workflow, Authorizer: az,
		Audit: db, Clock: cms.SystemClock{}}
	svc.Archive = &cms.ArchiveService{Authorizer: az, Audit: db, Clock: cms.SystemClock{}}
	svc.ArchiveSource = storage.ArchiveSource{DB: db, Blobs: blobs}
	return &app{db: db, svc: svc}, nil
}

// openBlobs opens the configured blob store.
func openBlobs(ctx context.Context, cfg Config) (cms.BlobStore, error) {
	if cfg.BlobStore == "s3" {
		return storage.NewS3Store(ctx, cfg.S3)
	}
	return storage.NewFolderStore(filepath.Join(cfg.DataDir, "blobs"))
}

// services wires the cms services over one database.
func services(db *storage.DB, az cms.Authorizer, hasher cms.PasswordHasher, previews cms.PreviewSigner, clock cms.Clock, cfg Config) api.Services {
	return api.Services{
		Auth:      &cms.AuthService{Users: db, Hasher: hasher, Clock: clock, Config: cfg.Auth, Audit: db},
		Users:     &cms.UserService{Users: db, Structure: db, Hasher: hasher, Authorizer: az, Audit: db, Clock: clock},
		Structure: &cms.StructureService{Structure: db, Authorizer: az},
		Items:     &cms.ItemService{Items: db, Structure: db, Authorizer: az, Audit: db, Clock: clock, Previews: previews},
		Workflow: &cms.WorkflowService{Items: db, Users: db, Flow: db, Machine: workflow.Machine{}, Structure: db,
			Authorizer: az, Audit: db, Clock: clock, Renderer: render.Renderer{}, Secrecy: db, Limits: cfg.StageLimits},
		Content: &cms.ContentService{Content: db, Structure: db, Items: db, Clock: clock, Previews: previews, Renderer: render.Renderer{}},
		Menus:   &cms.MenuService{Menus: db, Authorizer: az, Audit: db, Clock: clock},
		Secrecy: &cms.SecrecyService{Secrecy: db, Items: db, Authorizer: az, Audit: db, Clock: clock},
	}
}

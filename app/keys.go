package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// keyFile is where the master key is read from: AuditKeyFile, or
// audit.key in the data directory.
func (c Config) keyFile() string {
	if c.AuditKeyFile != "" {
		return c.AuditKeyFile
	}
	if c.DataDir == "" {
		return ""
	}
	return filepath.Join(c.DataDir, "audit.key")
}

// KeyFile is the path of the key file ("" when there is none: no data
// directory and no AuditKeyFile).
func (c Config) KeyFile() string { return c.keyFile() }

// Anchors returns the append-only anchor file: AuditAnchorFile, or
// audit.anchor in the data directory.
func (c Config) Anchors() storage.AnchorFile {
	if c.AuditAnchorFile != "" {
		return storage.AnchorFile{Path: c.AuditAnchorFile}
	}
	return storage.AnchorFile{Path: filepath.Join(c.DataDir, "audit.anchor")}
}

// ReadKeys reads the key file, for tools that verify without changing
// anything (cms audit verify); it returns nil when there is no key file.
func ReadKeys(cfg Config) (*cms.Keys, error) {
	path := cfg.keyFile()
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseKey(path, b)
}

func parseKey(path string, b []byte) (*cms.Keys, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) < cms.MasterKeySize {
		return nil, fmt.Errorf("%s: want %d or more bytes in hexadecimal on one line", path, cms.MasterKeySize)
	}
	return cms.NewKeys(raw)
}

// openKeys returns the keys the database is sealed with. The key file is
// generated (mode 0600) only for a database that was never sealed: a
// missing key for a sealed database is an operator's mistake to fix from
// the backup, not something to paper over with a new key.
func openKeys(ctx context.Context, db *storage.DB, cfg Config, log *slog.Logger) (*cms.Keys, error) {
	if cfg.Keys != nil {
		return cfg.Keys, nil
	}
	path := cfg.keyFile()
	if path == "" {
		return nil, errors.New("app: no key file: set DataDir or AuditKeyFile")
	}
	keys, err := ReadKeys(cfg)
	if err != nil || keys != nil {
		return keys, err
	}
	fp, err := db.KeyFingerprint(ctx)
	if err != nil {
		return nil, err
	}
	if fp != "" {
		return nil, fmt.Errorf("the key file %s is missing, but this database was sealed with key %s: restore the file from its backup (on PostgreSQL, copy it to every server)", path, fp)
	}
	if keys, err = CreateKeyFile(path); err != nil {
		return nil, err
	}
	log.Warn("generated the audit key file: back it up apart from the database; without it the audit log and the served content cannot be verified",
		slog.String("path", path), slog.String("fingerprint", keys.Fingerprint()))
	return keys, nil
}

// sealDatabase gives the database its keys and, the first time, records
// the key and anchors the audit chain's head.
func sealDatabase(ctx context.Context, db *storage.DB, keys *cms.Keys, cfg Config, log *slog.Logger) error {
	db.SetKeys(keys)
	installed, err := cms.InstallKeys(ctx, db, keys, cfg.Anchors(), cfg.Clock.Now())
	if errors.Is(err, cms.ErrKeyMismatch) {
		fp, _ := db.KeyFingerprint(ctx)
		return fmt.Errorf("%w: the key file has fingerprint %s, the database was sealed with %s", err, keys.Fingerprint(), fp)
	}
	if err != nil {
		return err
	}
	if installed {
		log.Info("sealed the database with the audit key", slog.String("fingerprint", keys.Fingerprint()),
			slog.String("anchors", cfg.Anchors().Path))
	}
	return nil
}

// CreateKeyFile writes a new random master key to path (mode 0600; it must
// not exist) and returns its keys. The key is never logged.
func CreateKeyFile(path string) (*cms.Keys, error) {
	raw := make([]byte, cms.MasterKeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(raw) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write the key file: %w", err)
	}
	return cms.NewKeys(raw)
}

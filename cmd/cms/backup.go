package main

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// backupManifest describes a backup file: every file with its sha256 and
// the audit chain's head at the time of the backup.
type backupManifest struct {
	CreatedAt time.Time         `json:"created_at"`
	Version   string            `json:"version"`
	AuditSeq  int64             `json:"audit_seq"`
	AuditHash string            `json:"audit_hash"`
	Files     map[string]string `json:"files"` // path in the zip → sha256
}

const manifestName = "MANIFEST.json"

func runBackup(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		if len(args) != 2 {
			return errors.New("usage: cms backup verify FILE")
		}
		return verifyBackup(ctx, args[1], stdout)
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("o", "", "the backup file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: cms backup -o FILE | cms backup verify FILE")
	}
	a, err := newApp(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer a.db.Close()
	if a.db.Dialect != storage.SQLite {
		return errors.New("on PostgreSQL, back up the database with pg_dump (see README) and the blob store with your S3 tooling; cms backup covers the embedded SQLite set-up")
	}
	m, err := writeBackup(ctx, a, *out)
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d files, audit log up to entry %d\n", *out, len(m.Files), m.AuditSeq)
	return nil
}

// writeBackup takes a consistent copy of the database with VACUUM INTO (a
// snapshot that does not stop writers) and adds every blob.
func writeBackup(ctx context.Context, a *app, path string) (*backupManifest, error) {
	tmp, err := os.MkdirTemp("", "cms-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	snapshot := filepath.Join(tmp, "cms.db")
	if _, err := a.db.Bun().ExecContext(ctx, "VACUUM INTO ?", snapshot); err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	m := &backupManifest{CreatedAt: time.Now().UTC(), Version: buildVersion(), Files: map[string]string{}}
	if m.AuditSeq, m.AuditHash, err = snapshotAuditHead(ctx, snapshot); err != nil {
		return nil, err
	}
	if err := addFile(zw, m, "cms.db", snapshot); err != nil {
		return nil, err
	}
	err = a.svc.Content.Blobs.Walk(ctx, func(b cms.BlobInfo) error {
		r, err := a.svc.Content.Blobs.Open(ctx, b.Key)
		if err != nil {
			return err
		}
		defer r.Close()
		return addReader(zw, m, "blobs/"+b.Key, r)
	})
	if err != nil {
		return nil, err
	}
	w, err := zw.Create(manifestName)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(w).Encode(m); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return m, f.Sync()
}

func snapshotAuditHead(ctx context.Context, path string) (int64, string, error) {
	db, err := storage.Open(ctx, "sqlite://"+path)
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	return db.AuditHead(ctx)
}

func addFile(zw *zip.Writer, m *backupManifest, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return addReader(zw, m, name, f)
}

func addReader(zw *zip.Writer, m *backupManifest, name string, r io.Reader) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return err
	}
	m.Files[name] = hex.EncodeToString(h.Sum(nil))
	return nil
}

// verifyBackup restores a backup into a scratch directory and checks it:
// every file against the manifest, blob names against their contents, the
// database's integrity and migrations, and the audit chain up to the head
// recorded at backup time.
func verifyBackup(ctx context.Context, path string, stdout io.Writer) error {
	tmp, err := os.MkdirTemp("", "cms-verify-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m, problems, err := extractBackup(path, tmp)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		problems = append(problems, checkRestored(ctx, tmp, m)...)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "PROBLEM:", p)
		}
		return fmt.Errorf("the backup %s is damaged (%d problems)", path, len(problems))
	}
	fmt.Fprintf(stdout, "backup %s is sound: %d files, database intact, audit chain verified up to entry %d\n", path, len(m.Files), m.AuditSeq)
	return nil
}

// extractBackup writes a backup's files under dir and checks them against
// the manifest.
func extractBackup(path, dir string) (*backupManifest, []string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open backup: %w", err)
	}
	defer zr.Close()
	var m backupManifest
	var problems []string
	seen := map[string]bool{}
	for _, f := range zr.File {
		if f.Name == manifestName {
			r, err := f.Open()
			if err != nil {
				return nil, nil, err
			}
			err = json.NewDecoder(r).Decode(&m)
			r.Close()
			if err != nil {
				return nil, nil, fmt.Errorf("read the manifest: %w", err)
			}
		}
	}
	if m.Files == nil {
		return nil, nil, errors.New("the backup has no manifest")
	}
	for _, f := range zr.File {
		if f.Name == manifestName {
			continue
		}
		want, ok := m.Files[f.Name]
		if !ok || !(f.Name == "cms.db" || strings.HasPrefix(f.Name, "blobs/") && cms.ValidBlobKey(strings.TrimPrefix(f.Name, "blobs/"))) {
			problems = append(problems, "unexpected file "+f.Name)
			continue
		}
		seen[f.Name] = true
		got, err := extractOne(f, filepath.Join(dir, filepath.FromSlash(f.Name)))
		switch {
		case err != nil:
			problems = append(problems, f.Name+": "+err.Error())
		case got != want:
			problems = append(problems, f.Name+": sha256 does not match the manifest")
		case strings.HasPrefix(f.Name, "blobs/") && got != strings.TrimPrefix(f.Name, "blobs/"):
			problems = append(problems, f.Name+": contents do not match the blob's name")
		}
	}
	for name := range m.Files {
		if !seen[name] {
			problems = append(problems, "missing file "+name)
		}
	}
	return &m, problems, nil
}

func extractOne(f *zip.File, dst string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	r, err := f.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	defer w.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkRestored opens the restored database and checks it.
func checkRestored(ctx context.Context, dir string, m *backupManifest) []string {
	var problems []string
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "cms.db"))
	if err != nil {
		return []string{"the database does not open: " + err.Error()}
	}
	defer db.Close()
	var result string
	if err := db.Bun().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		problems = append(problems, fmt.Sprintf("database integrity check: %s %v", result, err))
	}
	if _, pending, err := db.MigrationStatus(ctx); err != nil {
		problems = append(problems, "migrations: "+err.Error())
	} else if len(pending) > 0 {
		problems = append(problems, fmt.Sprintf("the database lacks %d migrations of this version", len(pending)))
	}
	n, p, err := cms.VerifyAudit(ctx, db)
	switch {
	case err != nil:
		problems = append(problems, "audit chain: "+err.Error())
	case p != nil:
		problems = append(problems, fmt.Sprintf("audit chain broken at entry %d: %s", p.Seq, p.Reason))
	case n != m.AuditSeq:
		problems = append(problems, fmt.Sprintf("audit chain has %d entries, the backup recorded %d", n, m.AuditSeq))
	}
	var keys []string
	if err := db.Bun().NewRaw("SELECT DISTINCT blob_key FROM attachments").Scan(ctx, &keys); err != nil && !errors.Is(err, sql.ErrNoRows) {
		problems = append(problems, "attachments: "+err.Error())
	}
	for _, k := range keys {
		if _, ok := m.Files["blobs/"+k]; !ok {
			problems = append(problems, "blob "+k+" of an attachment is not in the backup")
		}
	}
	return problems
}

// runRestore restores a verified backup into the configured data directory
// and blob store; it refuses to overwrite an existing database.
func runRestore(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: cms restore FILE")
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "sqlite://") {
		return errors.New("restore covers the embedded SQLite set-up; on PostgreSQL use pg_restore")
	}
	target := strings.TrimPrefix(cfg.DatabaseURL, "sqlite://")
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("%s exists: restore into an empty data directory", target)
	}
	tmp, err := os.MkdirTemp("", "cms-restore-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m, problems, err := extractBackup(args[0], tmp)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		problems = checkRestored(ctx, tmp, m)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the backup is damaged: %s", strings.Join(problems, "; "))
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	for name := range m.Files {
		if key, ok := strings.CutPrefix(name, "blobs/"); ok {
			if err := restoreBlob(ctx, blobs, key, filepath.Join(tmp, "blobs", key)); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(tmp, "cms.db"), target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (%d files)\n", args[0], target, len(m.Files))
	return nil
}

func restoreBlob(ctx context.Context, blobs cms.BlobStore, key, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return blobs.Put(ctx, key, f, st.Size(), "application/octet-stream")
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

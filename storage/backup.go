package storage

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// BackupManifest describes a backup file: every file with its sha256 and
// the audit chain's head at the time of the backup.
type BackupManifest struct {
	CreatedAt time.Time         `json:"created_at"`
	Version   string            `json:"version"`
	AuditSeq  int64             `json:"audit_seq"`
	AuditHash string            `json:"audit_hash"`
	Files     map[string]string `json:"files"` // path in the zip → sha256
}

const manifestName = "MANIFEST.json"

// ErrBackupNotSupported is returned by Backup and Restore on PostgreSQL,
// whose own tools (pg_dump, pg_restore) do the job.
var ErrBackupNotSupported = errors.New("on PostgreSQL, back up the database with pg_dump (see README) and the blob store with your S3 tooling; cms backup covers the embedded SQLite set-up")

// Backup writes a backup of the database and every blob to path: a ZIP
// holding a consistent copy of the database taken with VACUUM INTO (a
// snapshot that does not stop writers), the blobs, and a manifest with
// their hashes and the audit chain's head. version names the software
// that wrote it. On error the partial file is removed.
func (db *DB) Backup(ctx context.Context, blobs cms.BlobStore, path, version string) (*BackupManifest, error) {
	if db.Dialect != SQLite {
		return nil, ErrBackupNotSupported
	}
	ctx = WithoutTimeout(ctx) // the operator's command takes as long as the copy does
	m, err := db.writeBackup(ctx, blobs, path, version)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return m, nil
}

func (db *DB) writeBackup(ctx context.Context, blobs cms.BlobStore, path, version string) (*BackupManifest, error) {
	tmp, err := os.MkdirTemp("", "cms-backup-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	snapshot := filepath.Join(tmp, "cms.db")
	if _, err := db.bun.ExecContext(ctx, "VACUUM INTO ?", snapshot); err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	m := &BackupManifest{CreatedAt: time.Now().UTC(), Version: version, Files: map[string]string{}}
	if m.AuditSeq, m.AuditHash, err = snapshotAuditHead(ctx, snapshot); err != nil {
		return nil, err
	}
	if err := addFile(zw, m, "cms.db", snapshot); err != nil {
		return nil, err
	}
	err = blobs.Walk(ctx, func(b cms.BlobInfo) error {
		r, err := blobs.Open(ctx, b.Key)
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
	db, err := Open(ctx, "sqlite://"+path)
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	return db.AuditHead(ctx)
}

func addFile(zw *zip.Writer, m *BackupManifest, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return addReader(zw, m, name, f)
}

func addReader(zw *zip.Writer, m *BackupManifest, name string, r io.Reader) error {
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

// VerifyBackup restores a backup into a scratch directory and checks it:
// every file against the manifest, blob names against their contents, the
// database's integrity and migrations, and the audit chain up to the head
// recorded at backup time. It returns the problems it found; an error
// means the file could not be read as a backup at all.
func VerifyBackup(ctx context.Context, path string) (*BackupManifest, []string, error) {
	tmp, err := os.MkdirTemp("", "cms-verify-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	return verifyInto(ctx, path, tmp)
}

// verifyInto extracts a backup under dir and checks it there.
func verifyInto(ctx context.Context, path, dir string) (*BackupManifest, []string, error) {
	m, problems, err := extractBackup(path, dir)
	if err != nil {
		return nil, nil, err
	}
	if len(problems) == 0 {
		problems = checkRestored(ctx, dir, m)
	}
	return m, problems, nil
}

// Restore restores a verified backup into the SQLite database at
// databaseURL, which must not exist yet, and puts its blobs into blobs.
func Restore(ctx context.Context, path, databaseURL string, blobs cms.BlobStore) (*BackupManifest, error) {
	target, ok := strings.CutPrefix(databaseURL, "sqlite://")
	if !ok {
		return nil, errors.New("restore covers the embedded SQLite set-up; on PostgreSQL use pg_restore")
	}
	if _, err := os.Stat(target); err == nil {
		return nil, fmt.Errorf("%s exists: restore into an empty data directory", target)
	}
	tmp, err := os.MkdirTemp("", "cms-restore-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	m, problems, err := verifyInto(ctx, path, tmp)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the backup is damaged: %s", strings.Join(problems, "; "))
	}
	for name := range m.Files {
		if key, ok := strings.CutPrefix(name, "blobs/"); ok {
			if err := restoreBlob(ctx, blobs, key, filepath.Join(tmp, "blobs", key)); err != nil {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return nil, err
	}
	return m, copyFile(filepath.Join(tmp, "cms.db"), target)
}

// extractBackup writes a backup's files under dir and checks them against
// the manifest.
func extractBackup(path, dir string) (*BackupManifest, []string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open backup: %w", err)
	}
	defer zr.Close()
	var m BackupManifest
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
func checkRestored(ctx context.Context, dir string, m *BackupManifest) []string {
	var problems []string
	db, err := Open(ctx, "sqlite://"+filepath.Join(dir, "cms.db"))
	if err != nil {
		return []string{"the database does not open: " + err.Error()}
	}
	defer db.Close()
	var result string
	if err := db.bun.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
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
	if err := db.bun.NewRaw("SELECT DISTINCT blob_key FROM attachments").Scan(ctx, &keys); err != nil && !errors.Is(err, sql.ErrNoRows) {
		problems = append(problems, "attachments: "+err.Error())
	}
	for _, k := range keys {
		if _, ok := m.Files["blobs/"+k]; !ok {
			problems = append(problems, "blob "+k+" of an attachment is not in the backup")
		}
	}
	return problems
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

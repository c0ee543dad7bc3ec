package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// blobWith returns a folder store holding data, and data's key.
func blobWith(t *testing.T, data []byte) (*storage.FolderStore, string) {
	t.Helper()
	blobs, err := storage.NewFolderStore(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if err := blobs.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), "text/plain"); err != nil {
		t.Fatal(err)
	}
	return blobs, key
}

// TestBackupVerifyRestore: a backup of the embedded set-up verifies,
// restores into an empty place with its blobs and its audit chain, and
// refuses to restore over an existing database; on PostgreSQL it says to
// use pg_dump.
func TestBackupVerifyRestore(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	ctx := context.Background()
	blobs, key := blobWith(t, []byte("备份的文件"))
	file := filepath.Join(t.TempDir(), "backup.zip")
	m, err := db.Backup(ctx, blobs, file, "test")
	if storagetest.Dialect() == storage.Postgres {
		if !errors.Is(err, storage.ErrBackupNotSupported) {
			t.Fatalf("backup on PostgreSQL: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Files["blobs/"+key]; !ok || m.Files["cms.db"] == "" || m.AuditSeq != auditSeq(t, db) {
		t.Fatalf("manifest: %+v (audit head %d)", m, auditSeq(t, db))
	}
	if _, problems, err := storage.VerifyBackup(ctx, file); err != nil || len(problems) > 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}

	target := filepath.Join(t.TempDir(), "restored", "cms.db")
	into, err := storage.NewFolderStore(filepath.Join(t.TempDir(), "restored-blobs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storage.Restore(ctx, file, "sqlite://"+target, into); err != nil {
		t.Fatal(err)
	}
	r, err := into.Open(ctx, key)
	if err != nil {
		t.Fatalf("restored blob: %v", err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "备份的文件" {
		t.Errorf("restored blob holds %q", got)
	}
	restored, err := storage.Open(ctx, "sqlite://"+target)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, _, err := restored.UserByUsername(ctx, "editor"); err != nil {
		t.Errorf("the restored database lacks the editor: %v", err)
	}
	if _, err := storage.Restore(ctx, file, "sqlite://"+target, into); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("restore over an existing database: %v", err)
	}
	if _, err := storage.Restore(ctx, file, "postgres://nowhere/db", into); err == nil {
		t.Error("restore into PostgreSQL was attempted")
	}
}

// TestVerifyBackupFindsDamage: a flipped byte anywhere in a backup is
// reported, and a file that is not a backup is an error.
func TestVerifyBackupFindsDamage(t *testing.T) {
	t.Parallel()
	if storagetest.Dialect() == storage.Postgres {
		t.Skip("cms backup covers the embedded SQLite set-up; PostgreSQL is backed up with pg_dump")
	}
	db, _ := openDB(t)
	ctx := context.Background()
	blobs, _ := blobWith(t, bytes.Repeat([]byte("公积金"), 1000))
	file := filepath.Join(t.TempDir(), "backup.zip")
	if _, err := db.Backup(ctx, blobs, file, "test"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Stored entries are deflated; flip a byte in the middle of the
	// database's compressed bytes, which the manifest's hash then misses.
	damaged := bytes.Clone(data)
	damaged[len(damaged)/3] ^= 0xff
	bad := filepath.Join(t.TempDir(), "damaged.zip")
	if err := os.WriteFile(bad, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	_, problems, err := storage.VerifyBackup(ctx, bad)
	if err == nil && len(problems) == 0 {
		t.Error("a flipped byte went unnoticed")
	}
	notZip := filepath.Join(t.TempDir(), "not.zip")
	if err := os.WriteFile(notZip, []byte("not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := storage.VerifyBackup(ctx, notZip); err == nil {
		t.Error("a file that is no backup verified")
	}
}

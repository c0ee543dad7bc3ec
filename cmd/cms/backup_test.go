package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

var testPDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// seedContent makes an item with an attachment and a few audit entries.
func seedContent(t *testing.T, getenv func(string) string) int64 {
	t.Helper()
	if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", "wu", "-department", "office", "-role", "editor:office"); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, _, err := a.DB.UserByUsername(ctx, "wu")
	if err != nil {
		t.Fatal(err)
	}
	p := &cms.Principal{User: u}
	title, body := "备份测试", "正文"
	it, rev, err := a.Services.Items.Create(ctx, p, cms.NewItem{Column: "news", Content: cms.Content{Title: &title, Body: &body}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Services.Media.Upload(ctx, p, rev.ID, "备份附件.pdf", bytes.NewReader(testPDF)); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

func TestBackupVerifyAndRestore(t *testing.T) {
	getenv := testEnv(t, nil)
	if storagetest.Dialect() == storage.Postgres {
		seedContent(t, getenv)
		_, _, err := runCmd(t, getenv, "", "backup", "-o", filepath.Join(t.TempDir(), "b.zip"))
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup on PostgreSQL: %v, want a pointer to pg_dump", err)
		}
		return
	}
	itemID := seedContent(t, getenv)
	file := filepath.Join(t.TempDir(), "backup.zip")
	out, _, err := runCmd(t, getenv, "", "backup", "-o", file)
	if err != nil || !strings.Contains(out, "backup written") {
		t.Fatalf("backup: %q %v", out, err)
	}
	out, _, err = runCmd(t, getenv, "", "backup", "verify", file)
	if err != nil || !strings.Contains(out, "is sound") {
		t.Fatalf("verify: %q %v", out, err)
	}

	// Restore into a fresh data directory: same content, sound audit chain.
	dir := t.TempDir()
	restored := func(k string) string {
		switch k {
		case "CMS_DATA_DIR":
			return dir
		case "CMS_DATABASE_URL":
			return storage.SQLiteURL(dir)
		}
		return getenv(k)
	}
	if out, _, err := runCmd(t, restored, "", "restore", file); err != nil {
		t.Fatalf("restore: %q %v", out, err)
	}
	if _, _, err := runCmd(t, restored, "", "restore", file); err == nil {
		t.Fatal("restore over an existing database was allowed")
	}
	cfg, _ := loadConfig(restored)
	// The key file is not in the backup: it is backed up apart, and the
	// restored database refuses to start without it.
	if _, err := app.Open(context.Background(), cfg.Config, cfg.logger()); err == nil || !strings.Contains(err.Error(), "audit.key is missing") {
		t.Fatalf("started without its key file: %v", err)
	}
	key, err := os.ReadFile(filepath.Join(getenv("CMS_DATA_DIR"), "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg.Config, cfg.logger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	it, err := a.DB.Item(context.Background(), itemID)
	if err != nil || it.Title != "备份测试" {
		t.Fatalf("restored item: %+v %v", it, err)
	}
	rev, err := a.DB.Revision(context.Background(), it.HeadRevisionID)
	if err != nil || len(rev.Attachments) != 1 {
		t.Fatalf("restored revision: %+v %v", rev, err)
	}
	blob, err := a.Blobs.Open(context.Background(), rev.Attachments[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(blob)
	blob.Close()
	if !bytes.Equal(got, testPDF) {
		t.Fatal("restored attachment differs")
	}
	if out, _, err := runCmd(t, restored, "", "audit", "verify"); err != nil {
		t.Fatalf("audit after restore: %q %v", out, err)
	}

	// One flipped byte anywhere is found.
	damaged := filepath.Join(t.TempDir(), "damaged.zip")
	flipByte(t, file, damaged, "blobs/")
	out, _, err = runCmd(t, getenv, "", "backup", "verify", damaged)
	if err == nil || !strings.Contains(out, "sha256 does not match") {
		t.Fatalf("damaged backup: %q %v", out, err)
	}
}

// flipByte copies a backup, flipping one byte of the first file whose name
// starts with prefix.
func flipByte(t *testing.T, src, dst, prefix string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	flipped := false
	for _, zf := range zr.File {
		r, _ := zf.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		if !flipped && strings.HasPrefix(zf.Name, prefix) {
			data[len(data)/2] ^= 0x20
			flipped = true
		}
		w, _ := zw.Create(zf.Name)
		w.Write(data)
	}
	zw.Close()
	if !flipped {
		t.Fatalf("no file starts with %s", prefix)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestDiskFull runs the server with its SQLite database, its blob folder
// and its upload spool on a small tmpfs, fills the tmpfs up, and checks
// that uploads and writes answer 507 insufficient_storage (never 500),
// that no partial upload is left behind, that /readyz reports it, that
// the database stays consistent (every acknowledged write there, SQLite's
// integrity check and the audit chain pass), and that writes resume by
// themselves once space is freed, without a restart.
//
// It needs root to mount the tmpfs (CI runs as root); elsewhere it is
// skipped, or fails with CMS_TEST_REQUIRE_TMPFS=1.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: fills a file system")
	}
	if storagetest.Dialect() != storage.SQLite {
		t.Skip("the SQLite pass covers it: the database file shares the full disk")
	}
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dir).CombinedOutput(); err != nil {
		required(t, "CMS_TEST_REQUIRE_TMPFS", fmt.Sprintf("cannot mount a tmpfs here (root is needed): %v %s", err, strings.TrimSpace(string(out))))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	spool := filepath.Join(dir, "tmp")
	os.Mkdir(spool, 0o700)
	env := faultEnv(t, map[string]string{"CMS_DATA_DIR": dir, "CMS_DATABASE_URL": storage.SQLiteURL(dir), "TMPDIR": spool})
	p := startProcess(t, env)
	client := &http.Client{Timeout: 30 * time.Second}
	token := login(client, p.base, "editor")
	ty := newTally()
	createItem := func(i int) int {
		title := fmt.Sprintf("满盘演练 %d", i)
		// Long bodies: the WAL must grow, not only reuse its pages.
		b, _ := json.Marshal(map[string]any{"column": "news", "title": title, "body": strings.Repeat("住房公积金缴存提取办法。", 4000)})
		status, out := ty.send(client, "POST", p.base+"/api/v1/items", token, "application/json", b)
		if status == http.StatusCreated {
			var it struct {
				ID int64 `json:"id"`
			}
			json.Unmarshal(out, &it)
			ty.acked[it.ID] = title
		}
		return status
	}
	var draft struct {
		Revision struct {
			ID int64 `json:"id"`
		} `json:"revision"`
	}
	b, _ := json.Marshal(map[string]any{"column": "news", "title": "附件", "body": "见附件"})
	_, out := ty.send(client, "POST", p.base+"/api/v1/items", token, "application/json", b)
	json.Unmarshal(out, &draft)
	uploads := newTally()
	upload := func(size int) (int, string) {
		form, ct, _ := pdfForm(t, size)
		status, out := uploads.send(client, "POST", fmt.Sprintf("%s/api/v1/revisions/%d/attachments", p.base, draft.Revision.ID), token, ct, form)
		return status, string(out)
	}
	if s, out := upload(100 << 10); s != http.StatusCreated {
		t.Fatalf("upload before the disk is full: %d %s", s, out)
	}
	for i := range 5 {
		if s := createItem(i); s != http.StatusCreated {
			t.Fatalf("write before the disk is full: %d", s)
		}
	}

	// Fill the file system.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(filler, zeros{})
	filler.Close()
	full := time.Now()
	s, body := upload(2 << 20)
	if s != http.StatusInsufficientStorage || !strings.Contains(body, "insufficient_storage") {
		t.Errorf("upload on a full disk: %d %s", s, body)
	}
	var partial []string
	for _, pattern := range []string{filepath.Join(spool, "upload-*"), filepath.Join(dir, "blobs", "*", "*", ".put-*")} {
		m, _ := filepath.Glob(pattern)
		partial = append(partial, m...)
	}
	if len(partial) > 0 {
		t.Errorf("partial uploads left behind: %v", partial)
	}
	sawFull := 0
	for i := 5; i < 200 && sawFull < 3; i++ {
		switch s := createItem(i); s {
		case http.StatusCreated:
		case http.StatusInsufficientStorage:
			sawFull++
		default:
			t.Errorf("write on a full disk: %d", s)
		}
	}
	if sawFull == 0 {
		t.Error("no write was refused on a full disk")
	}
	res, err := client.Get(p.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInsufficientStorage {
		t.Errorf("/readyz on a full disk: %d %s", res.StatusCode, ready)
	}

	// Free the space: writes resume, without a restart.
	os.Remove(filepath.Join(dir, "filler"))
	freed := time.Now()
	var back time.Time
	for deadline := time.Now().Add(30 * time.Second); back.IsZero(); time.Sleep(100 * time.Millisecond) {
		if createItem(1000) == http.StatusCreated {
			back = time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatal("writes did not resume within 30s of freeing space")
		}
	}
	if s, out := upload(2 << 20); s != http.StatusCreated {
		t.Errorf("upload once space is freed: %d %s", s, out)
	}
	if res, err := client.Get(p.base + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("/readyz once space is freed: %v %v", res.StatusCode, err)
	}
	lost := ty.lost(t, p.base)
	integrity := sqliteIntegrity(t, env["CMS_DATABASE_URL"])
	seen, counts := ty.byStatus()
	up, upCounts := uploads.byStatus()
	t.Logf("tmpfs of 24 MiB filled (%d MiB of filler) for %.1fs: writes acknowledged %d, lost %d; answers: %s; uploads: %s; "+
		"writes again %.2fs after space was freed; SQLite integrity_check: %s; %s",
		n>>20, freed.Sub(full).Seconds(), len(ty.acked), len(lost), seen, up, back.Sub(freed).Seconds(), integrity, auditVerifies(t, env))
	if len(lost) > 0 {
		t.Errorf("acknowledged writes lost: %v", lost)
	}
	if counts[http.StatusInternalServerError]+upCounts[http.StatusInternalServerError] > 0 {
		t.Errorf("500s on a full disk: %s; uploads %s", seen, up)
	}
	if integrity != "ok" {
		t.Errorf("SQLite integrity check: %s", integrity)
	}
}

// sqliteIntegrity runs SQLite's integrity check beside the server.
func sqliteIntegrity(t *testing.T, url string) string {
	t.Helper()
	db, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.Bun().QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

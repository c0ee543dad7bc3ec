package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestMinIOStoppedUnderTransfers kills MinIO (its own instance, started
// with scripts/minio.sh on a port of its own) under two uploaders and two
// downloaders, starts it again three seconds later, and checks that
// transfers during the outage were answered 503 blob_store_unavailable
// (never 500), that every acknowledged upload reads back whole, and how
// long the server took to recover by itself.
func TestMinIOStoppedUnderTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault test: several seconds of outage")
	}
	if storagetest.Dialect() != storage.SQLite {
		t.Skip("runs once, in the SQLite pass: the object store is the same on both")
	}
	cache := os.Getenv("CMS_MINIO_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "cms-minio")
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "minio-*")); len(m) == 0 {
		required(t, "CMS_TEST_REQUIRE_S3", "no MinIO binary in "+cache+" (scripts/minio.sh build makes it once)")
	}
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	root := filepath.Join(t.TempDir(), "minio")
	mEnv := []string{"MINIO_ROOT=" + root, "MINIO_PORT=" + port}
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(script(t, mEnv, "minio.sh", "start")), "\n") {
		k, v, _ := strings.Cut(line, "=")
		vars[k] = v
	}
	t.Cleanup(func() { script(t, mEnv, "minio.sh", "stop") })

	env := faultEnv(t, map[string]string{"CMS_BLOB_STORE": "s3", "CMS_S3_ENDPOINT": vars["CMS_TEST_S3_ENDPOINT"],
		"CMS_S3_ACCESS_KEY": vars["CMS_TEST_S3_ACCESS_KEY"], "CMS_S3_SECRET_KEY": vars["CMS_TEST_S3_SECRET_KEY"],
		"CMS_S3_TLS": "false", "CMS_S3_BUCKET": "faults", "CMS_S3_TIMEOUT": "2s"})
	p := startProcess(t, env)
	client := &http.Client{Timeout: 30 * time.Second}
	token := login(client, p.base, "editor")
	up, down := newTally(), newTally()
	newDraft := func() int64 {
		var it struct {
			Revision struct {
				ID int64 `json:"id"`
			} `json:"revision"`
		}
		b, _ := json.Marshal(map[string]any{"column": "news", "title": "附件演练", "body": "见附件"})
		for {
			status, out := up.send(client, "POST", p.base+"/api/v1/items", token, "application/json", b)
			if status == http.StatusCreated {
				json.Unmarshal(out, &it)
				return it.Revision.ID
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	type stored struct {
		path, sha string
	}
	var mu sync.Mutex
	var acked []stored
	upload := func(rev int64, size int) (int, stored) {
		form, ct, _ := pdfForm(t, size)
		status, out := up.send(client, "POST", fmt.Sprintf("%s/api/v1/revisions/%d/attachments", p.base, rev), token, ct, form)
		var a struct {
			ID     int64  `json:"id"`
			SHA256 string `json:"sha256"`
		}
		json.Unmarshal(out, &a)
		return status, stored{fmt.Sprintf("/api/v1/revisions/%d/attachments/%d", rev, a.ID), a.SHA256}
	}
	first := newDraft()
	status, probe := upload(first, 64<<10)
	if status != http.StatusCreated {
		t.Fatalf("upload with MinIO up: %d", status)
	}

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			rev, n := newDraft(), 0
			for i := 0; ctx.Err() == nil; i++ {
				if n == 45 {
					rev, n = newDraft(), 0
				}
				status, s := upload(rev, 32<<10+w*100000+i*17) // every file different
				if status == http.StatusCreated {
					n++
					mu.Lock()
					acked = append(acked, s)
					mu.Unlock()
				} else {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
		wg.Go(func() {
			for ctx.Err() == nil {
				down.send(client, "GET", p.base+probe.path, token, "", nil)
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	time.Sleep(2 * time.Second)
	killed := time.Now()
	script(t, mEnv, "minio.sh", "kill")
	time.Sleep(3 * time.Second)
	resumed := time.Now()
	script(t, mEnv, "minio.sh", "resume")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, okUp := up.recovered(resumed, func(s int) bool { return s == http.StatusCreated })
		_, okDown := down.recovered(resumed, func(s int) bool { return s == http.StatusOK })
		if okUp && okDown {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("transfers did not succeed within 60s of MinIO starting again")
		}
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()

	var lost []string
	for _, s := range acked {
		req, _ := http.NewRequest("GET", p.base+s.path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || err != nil || hex.EncodeToString(h.Sum(nil)) != s.sha {
			lost = append(lost, s.path)
		}
	}
	backUp, _ := up.recovered(resumed, func(s int) bool { return s == http.StatusCreated })
	backDown, _ := down.recovered(resumed, func(s int) bool { return s == http.StatusOK })
	ups, upCounts := up.byStatus()
	downs, downCounts := down.byStatus()
	t.Logf("MinIO killed for %.1fs under 2 uploaders and 2 downloaders: uploads acknowledged %d, lost or damaged %d; "+
		"uploads (and the drafts they need): %s; downloads: %s (no answer: cut off mid-body); slowest upload %s; "+
		"uploads again %.1fs and downloads %.1fs after MinIO started",
		resumed.Sub(killed).Seconds(), len(acked), len(lost), ups, downs, up.slowest().Round(10*time.Millisecond),
		backUp.Sub(resumed).Seconds(), backDown.Sub(resumed).Seconds())
	if len(lost) > 0 {
		t.Errorf("acknowledged uploads that do not read back: %v", lost)
	}
	if upCounts[http.StatusInternalServerError]+downCounts[http.StatusInternalServerError] > 0 {
		t.Errorf("500s during the outage: uploads %s; downloads %s", ups, downs)
	}
	if upCounts[http.StatusServiceUnavailable]+downCounts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no 503 during the outage: uploads %s; downloads %s", ups, downs)
	}
	for _, c := range []map[int]int{upCounts, downCounts} {
		for s := range c {
			if s != 0 && s != http.StatusOK && s != http.StatusCreated && s != http.StatusServiceUnavailable {
				t.Errorf("unexpected status %d: uploads %s; downloads %s", s, ups, downs)
			}
		}
	}
}

// Package blobtest is the test suite every cms.BlobStore must pass, and
// the S3 test server set-up: a real S3 server (MinIO) named by
// CMS_TEST_S3_ENDPOINT, or an in-process fake for quick local runs. With
// CMS_TEST_REQUIRE_S3=1 (CI) a missing S3 server is a failure.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// S3 returns an S3 store on a fresh bucket and whether it is a real server
// (one that checks signatures and expiry).
func S3(tb testing.TB) (*storage.S3Store, bool) {
	tb.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	bucket := "cms-test-" + hex.EncodeToString(b)
	endpoint := os.Getenv("CMS_TEST_S3_ENDPOINT")
	real := endpoint != ""
	cfg := storage.S3Config{Endpoint: endpoint, Bucket: bucket, AccessKey: os.Getenv("CMS_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("CMS_TEST_S3_SECRET_KEY")}
	if !real {
		if os.Getenv("CMS_TEST_REQUIRE_S3") == "1" {
			tb.Fatal("CMS_TEST_REQUIRE_S3=1 but CMS_TEST_S3_ENDPOINT is not set: start MinIO (scripts/minio.sh)")
		}
		srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
		tb.Cleanup(srv.Close)
		u, _ := url.Parse(srv.URL)
		cfg.Endpoint, cfg.AccessKey, cfg.SecretKey = u.Host, "fake", "fakefakefake"
	}
	s, err := storage.NewS3Store(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("S3 at %s: %v", cfg.Endpoint, err)
	}
	return s, real
}

func blob(size int) ([]byte, string) {
	b := make([]byte, size)
	_, _ = rand.Read(b)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// Run is the suite: every store must behave alike.
func Run(t *testing.T, s cms.BlobStore) {
	ctx := context.Background()
	t.Run("put, stat, open, read back", func(t *testing.T) {
		data, key := blob(300 << 10)
		if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		info, err := s.Stat(ctx, key)
		if err != nil || info.Size != int64(len(data)) || info.Key != key {
			t.Fatalf("stat: %+v %v", info, err)
		}
		b, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		got, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(got, data) || b.Size() != int64(len(data)) {
			t.Fatalf("read back %d bytes (%v), size %d", len(got), err, b.Size())
		}
		// Seeking serves ranges.
		if _, err := b.Seek(1000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 10)
		if _, err := io.ReadFull(b, part); err != nil || !bytes.Equal(part, data[1000:1010]) {
			t.Fatalf("ranged read: %v", err)
		}
	})
	t.Run("put twice stores once", func(t *testing.T) {
		data, key := blob(1000)
		for range 2 {
			if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "text/plain"); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		if err := s.Walk(ctx, func(b cms.BlobInfo) error {
			if b.Key == key {
				n++
			}
			return nil
		}); err != nil || n != 1 {
			t.Fatalf("walk found the key %d times (%v)", n, err)
		}
	})
	t.Run("hostile keys point nowhere", func(t *testing.T) {
		for _, key := range []string{"../../etc/passwd", "", "ABCDEF", strings.Repeat("a", 63), strings.Repeat("g", 64),
			strings.Repeat("a", 64) + "/..", "..%2f..%2fetc%2fpasswd", strings.Repeat("A", 64), "aa/../../" + strings.Repeat("a", 55)} {
			if err := s.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); cms.ErrorCode(err) != cms.ENOTFOUND {
				t.Errorf("put %q: %v", key, err)
			}
			if _, err := s.Open(ctx, key); cms.ErrorCode(err) != cms.ENOTFOUND {
				t.Errorf("open %q: %v", key, err)
			}
			if err := s.Delete(ctx, key); cms.ErrorCode(err) != cms.ENOTFOUND {
				t.Errorf("delete %q: %v", key, err)
			}
		}
	})
	t.Run("missing blobs", func(t *testing.T) {
		_, key := blob(10)
		if _, err := s.Open(ctx, key); cms.ErrorCode(err) != cms.ENOTFOUND {
			t.Errorf("open missing: %v", err)
		}
		if _, err := s.Stat(ctx, key); cms.ErrorCode(err) != cms.ENOTFOUND {
			t.Errorf("stat missing: %v", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("delete missing: %v", err)
		}
	})
	t.Run("delete and walk", func(t *testing.T) {
		var keys []string
		for range 3 {
			data, key := blob(100)
			if err := s.Put(ctx, key, bytes.NewReader(data), 100, "text/plain"); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, key)
		}
		if err := s.Delete(ctx, keys[1]); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		if err := s.Walk(ctx, func(b cms.BlobInfo) error { seen[b.Key] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		if !seen[keys[0]] || seen[keys[1]] || !seen[keys[2]] {
			t.Errorf("walk after delete: %v", sortedKeys(seen))
		}
	})
	t.Run("short put is refused", func(t *testing.T) {
		data, key := blob(100)
		if err := s.Put(ctx, key, bytes.NewReader(data[:50]), 100, "text/plain"); err == nil {
			if _, serr := s.Stat(ctx, key); serr == nil {
				t.Error("a truncated upload was stored")
			}
		}
	})
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RunPresign checks presigned URLs on a real S3 server: the URL works with
// the right name and type, a tampered signature is refused, an expired URL
// is refused.
func RunPresign(t *testing.T, s cms.BlobStore) {
	ctx := context.Background()
	data, key := blob(2048)
	if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Presign(ctx, key, "住房公积金提取申请表.pdf", "application/pdf", 2*time.Second)
	if errors.Is(err, cms.ErrNoPresign) {
		t.Fatal("the store does not presign")
	}
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, data) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "filename*=utf-8''%E4%BD%8F") {
		t.Fatalf("presigned GET: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	tampered := strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1)
	if res, err := http.Get(tampered); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("tampered signature: %v %v", res.StatusCode, err)
	}
	time.Sleep(3 * time.Second)
	if res, err := http.Get(u); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("expired URL: %v %v", res.StatusCode, err)
	}
}

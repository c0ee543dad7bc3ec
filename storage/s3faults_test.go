package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// TestS3FaultsAreNamed: an object store that answers 5xx, answers too
// slowly or cannot be reached is blob_store_unavailable, a full one
// insufficient_storage, and a missing object still not found, each
// within a few timeouts rather than minio-go's ten retries.
func TestS3FaultsAreNamed(t *testing.T) {
	t.Parallel()
	var mode atomic.Value
	mode.Store("ok")
	fake := gofakes3.New(s3mem.New()).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load().(string) {
		case "5xx":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>down</Message></Error>`))
		case "full":
			w.WriteHeader(http.StatusInsufficientStorage)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>XMinioStorageFull</Code><Message>full</Message></Error>`))
		case "slow":
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		default:
			fake.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	s, err := storage.NewS3Store(context.Background(), storage.S3Config{Endpoint: u.Host, Bucket: "faults",
		AccessKey: "fake", SecretKey: "fakefakefake", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.4 表格")
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	ctx := context.Background()
	if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	missing := hex.EncodeToString(make([]byte, 32))
	if _, err := s.Stat(ctx, missing); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("a missing object: %v", err)
	}
	check := func(name, want string, err error, start time.Time) {
		t.Helper()
		took := time.Since(start)
		t.Logf("%s: %s after %s", name, cms.ErrorCode(err), took.Round(time.Millisecond))
		if cms.ErrorCode(err) != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
		if took > 10*time.Second {
			t.Errorf("%s took %s", name, took)
		}
	}
	for _, m := range []string{"5xx", "slow"} {
		mode.Store(m)
		start := time.Now()
		_, err := s.Stat(ctx, key)
		check(m+" stat", cms.EBLOBDOWN, err, start)
		start = time.Now()
		_, err = s.Open(ctx, key)
		check(m+" open", cms.EBLOBDOWN, err, start)
		start = time.Now()
		check(m+" put", cms.EBLOBDOWN, s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"), start)
	}
	mode.Store("full")
	start := time.Now()
	check("full put", cms.ENOSPACE, s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"), start)
	mode.Store("ok")
	if _, err := s.Stat(ctx, key); err != nil {
		t.Errorf("back up: %v", err)
	}
	srv.Close() // nobody listens any more: connections are refused
	start = time.Now()
	_, err = s.Stat(ctx, key)
	check("refused stat", cms.EBLOBDOWN, err, start)
}

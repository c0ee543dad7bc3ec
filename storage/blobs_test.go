package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/blobtest"
)

func TestFolderStore(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, err := storage.NewFolderStore(filepath.Join(root, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, s)
	// Nothing was written outside the folder.
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 || entries[0].Name() != "blobs" {
		t.Errorf("files outside the store: %v", entries)
	}
	if _, err := s.Presign(t.Context(), strings.Repeat("a", 64), "x", "text/plain", 0); err != cms.ErrNoPresign {
		t.Errorf("presign: %v", err)
	}
}

func TestS3Store(t *testing.T) {
	t.Parallel()
	s, real := blobtest.S3(t)
	blobtest.Run(t, s)
	if !real {
		t.Log("in-process fake S3: signature and expiry of presigned URLs are checked only against MinIO (CMS_TEST_S3_ENDPOINT)")
		return
	}
	t.Run("presigned URLs", func(t *testing.T) { blobtest.RunPresign(t, s) })
}

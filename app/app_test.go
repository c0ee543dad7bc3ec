package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestSingleAdminWarnsAtEveryStart: a server that lets one administrator
// grant the chain's roles alone says so in its log each time it starts.
func TestSingleAdminWarnsAtEveryStart(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	blobs, err := storage.NewFolderStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir() // the key file and the anchors, not the package folder
	for _, single := range []bool{false, true, true} {
		var log bytes.Buffer
		cfg := app.Defaults()
		cfg.SingleAdmin = single
		cfg.DataDir = dataDir
		if _, err := app.New(context.Background(), db, blobs, cfg, slog.New(slog.NewTextHandler(&log, nil))); err != nil {
			t.Fatal(err)
		}
		if warned := strings.Contains(log.String(), "level=WARN") && strings.Contains(log.String(), "CMS_SINGLE_ADMIN"); warned != single {
			t.Errorf("single admin %v: log %q", single, log.String())
		}
	}
}

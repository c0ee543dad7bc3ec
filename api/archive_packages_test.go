package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

type archivePackageBody struct {
	ID       int64    `json:"id"`
	Period   string   `json:"period"`
	State    string   `json:"state"`
	SHA256   *string  `json:"sha256"`
	Size     int64    `json:"size"`
	Items    int      `json:"items"`
	Problems []string `json:"problems"`
}

// TestMonthlyArchive: 第十一条. Once the month has turned, the package of
// the month before is written into the blob store by exactly one of two
// server processes on one database, read back and verified; auditors and
// publishers list and download it, the download verifies, and nobody else
// sees it. Publishers export on demand too.
func TestMonthlyArchive(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour })
	c := newChain(t, e)
	var it createdItem
	e.clock.Set(time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC))
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "二月新闻", "body": "正文"}).decode(t, &it)
	e.upload(t, c.editor, it.Revision.ID, "附件.pdf", pdfBytes)
	e.toState(t, c, it.Revision.ID, "published")
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	ctx := context.Background()

	// In February nothing is due yet for February; January's (empty) is.
	e.clock.Set(time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)) // 09:00 on 1 March in Beijing
	r := e.replica(t)
	var wg sync.WaitGroup
	got := make([]*cms.ArchivePackage, 2)
	for i, s := range []*env{e, r} {
		wg.Go(func() {
			p, err := s.svc.Archive.RunMonthly(ctx)
			if err != nil {
				t.Error(err)
			}
			got[i] = p
		})
	}
	wg.Wait()
	if (got[0] == nil) == (got[1] == nil) {
		t.Fatalf("two processes wrote %v and %v: want exactly one writer", got[0], got[1])
	}
	if p, err := e.svc.Archive.RunMonthly(ctx); p != nil || err != nil {
		t.Fatalf("written again: %+v %v", p, err)
	}
	var list struct {
		Packages []archivePackageBody `json:"packages"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/archives", auditor, nil).decode(t, &list)
	if len(list.Packages) != 1 {
		t.Fatalf("packages: %+v", list)
	}
	p := list.Packages[0]
	if p.Period != "2026-02" || p.State != "verified" || p.SHA256 == nil || p.Items != 1 || len(p.Problems) != 0 {
		t.Fatalf("package: %+v", p)
	}
	path := "/api/v1/archives/" + strconv.FormatInt(p.ID, 10)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/archives", c.editor, nil)
	e.must(t, http.StatusForbidden, "GET", path, c.director, nil)
	e.must(t, http.StatusNotFound, "GET", "/api/v1/archives/999", auditor, nil)
	for _, who := range []string{auditor, c.publisher} {
		dl := e.must(t, http.StatusOK, "GET", path, who, nil)
		sum := sha256.Sum256(dl.Body)
		if hex.EncodeToString(sum[:]) != *p.SHA256 || int64(len(dl.Body)) != p.Size {
			t.Fatalf("download is not the package written: %d bytes", len(dl.Body))
		}
		rep, err := archive.Verify(bytes.NewReader(dl.Body), int64(len(dl.Body)))
		if err != nil || !rep.OK() || rep.Files == 0 {
			t.Fatalf("the downloaded package does not verify: %+v %v", rep, err)
		}
	}
	// Publishers (信息科) export on demand as well.
	e.must(t, http.StatusOK, "GET", "/api/v1/archive?from=2026-02-01&to=2026-02-28", c.publisher, nil)
	// The package's blob is not garbage to the media collector.
	e.clock.Set(time.Now().Add(365 * 24 * time.Hour))
	if _, _, err := e.svc.Media.CollectGarbage(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Blobs.Stat(ctx, *p.SHA256); err != nil {
		t.Fatalf("the media collector removed the archive package: %v", err)
	}
}

// TestMonthlyArchiveOff: CMS_ARCHIVE_SCHEDULE=off writes nothing.
func TestMonthlyArchiveOff(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.ArchiveSchedule = cms.ArchiveScheduleOff; c.HTTP = api.Options{Version: "test"} })
	if p, err := e.svc.Archive.RunMonthly(context.Background()); p != nil || err != nil {
		t.Fatalf("off, yet: %+v %v", p, err)
	}
	var list struct {
		Packages []archivePackageBody `json:"packages"`
	}
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	e.must(t, http.StatusOK, "GET", "/api/v1/archives", auditor, nil).decode(t, &list)
	if len(list.Packages) != 0 {
		t.Fatalf("packages: %+v", list)
	}
}

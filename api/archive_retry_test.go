package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// TestMonthlyArchiveRetriesAndTells: 第十一条. A monthly package that
// cannot be written (the object store is down) is not left failed: 信息科's
// publishers and the auditors are told, and the next hourly run writes it
// again, and verifies it once the store is back. The retries are bounded:
// after cms.ArchiveAttempts failures the server stops trying and says so.
func TestMonthlyArchiveRetriesAndTells(t *testing.T) {
	t.Parallel()
	store := &downStore{}
	e := newEnvBlobs(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour },
		func(b cms.BlobStore) cms.BlobStore { store.BlobStore = b; return store })
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	stop := e.runEvents(t)
	defer stop()
	ctx := context.Background()

	store.down.Store(true)
	p, err := e.svc.Archive.RunMonthly(ctx) // March: February's package
	if err == nil || p == nil || p.State != cms.PackageFailed || p.Attempts != 1 {
		t.Fatalf("first attempt with the store down: %+v %v", p, err)
	}
	for _, who := range []string{c.publisher, auditor} {
		e.waitInbox(t, who, "archive failure", func(ns []inboxNote) bool {
			return len(ns) > 0 && ns[0].Kind == "system" && strings.Contains(ns[0].Title, "月度归档失败：2026-02") &&
				strings.Contains(ns[0].Body, "第 1 次写入（共 6 次）") && strings.Contains(ns[0].Body, "下一小时自动重试")
		})
	}
	for _, n := range e.inbox(t, c.editor) {
		if strings.Contains(n.Title, "归档") {
			t.Errorf("an editor was told of the archive: %+v", n)
		}
	}

	store.down.Store(false)
	e.clock.Advance(time.Hour)
	if p, err = e.svc.Archive.RunMonthly(ctx); err != nil || p == nil || p.State != cms.PackageVerified || p.Attempts != 2 {
		t.Fatalf("the next hourly run: %+v %v", p, err)
	}
	if again, err := e.svc.Archive.RunMonthly(ctx); again != nil || err != nil {
		t.Fatalf("a verified package written again: %+v %v", again, err)
	}
	var list struct {
		Packages []archivePackageBody `json:"packages"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/archives", auditor, nil).decode(t, &list)
	if len(list.Packages) != 1 || list.Packages[0].State != "verified" || list.Packages[0].SHA256 == nil ||
		len(list.Packages[0].Problems) != 0 {
		t.Fatalf("after the retry: %+v", list)
	}

	// April: March's package fails every time; the server stops trying.
	e.clock.Set(time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC))
	store.down.Store(true)
	for i := 1; i <= cms.ArchiveAttempts; i++ {
		p, err := e.svc.Archive.RunMonthly(ctx)
		if err == nil || p == nil || p.Attempts != i || p.Period != "2026-03" {
			t.Fatalf("attempt %d: %+v %v", i, p, err)
		}
		e.clock.Advance(time.Hour)
	}
	store.down.Store(false)
	if p, err := e.svc.Archive.RunMonthly(ctx); p != nil || err != nil {
		t.Fatalf("written a %dth time: %+v %v", cms.ArchiveAttempts+1, p, err)
	}
	e.waitInbox(t, auditor, "the last failure", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "2026-03") && strings.Contains(ns[0].Body, "已不再自动重试")
	})
}

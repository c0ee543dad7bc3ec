package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func testKeys(tb testing.TB, b byte) *cms.Keys {
	tb.Helper()
	master := make([]byte, cms.MasterKeySize)
	for i := range master {
		master[i] = b ^ byte(i*7)
	}
	k, err := cms.NewKeys(master)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// TestKeyInstallAndEntryMACs: the database records the key once, with an
// epoch after the entries appended before it; from then on every entry
// carries its MAC, and the keyed verification holds.
func TestKeyInstallAndEntryMACs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	appendN(t, db, 4)
	keys := testKeys(t, 1)
	anchors := storage.AnchorFile{Path: filepath.Join(t.TempDir(), "audit.anchor")}
	db.SetKeys(keys)
	if installed, err := cms.InstallKeys(ctx, db, keys, anchors, t0); err != nil || !installed {
		t.Fatalf("install: %v %v", installed, err)
	}
	if installed, err := cms.InstallKeys(ctx, db, keys, anchors, t0); err != nil || installed {
		t.Fatalf("second install: %v %v", installed, err)
	}
	if _, err := cms.InstallKeys(ctx, db, testKeys(t, 2), anchors, t0); err != cms.ErrKeyMismatch {
		t.Fatalf("another key: %v", err)
	}
	appendN(t, db, 3)
	epoch, err := db.AuditEpoch(ctx)
	if err != nil || epoch == nil || epoch.KeyedFrom != 5 {
		t.Fatalf("epoch %+v %v", epoch, err)
	}
	entries, err := db.AuditEntries(ctx, 0, 100)
	if err != nil || len(entries) != 7 || entries[3].MAC != "" || entries[4].MAC != keys.AuditEntryMAC(&entries[4]) {
		t.Fatalf("entries %+v %v", entries, err)
	}
	if _, err := cms.AnchorAudit(ctx, db, keys, anchors, cms.AnchorPeriodic, t0); err != nil {
		t.Fatal(err)
	}
	as, err := anchors.Anchors()
	if err != nil || len(as) != 2 || as[0].Seq != 4 || as[1].Seq != 7 || as[1].Where() != "audit.anchor line 2" {
		t.Fatalf("anchors %+v %v", as, err)
	}
	if fi, err := os.Stat(anchors.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("anchor file mode: %v %v", fi.Mode(), err)
	}
	r, err := cms.VerifyAuditChain(ctx, db, cms.AuditCheck{Keys: keys, Epoch: epoch, Anchors: as})
	if err != nil || !r.Intact() || r.MACs != 3 || !strings.Contains(strings.Join(r.Notes, "\n"), "entries 1–4 predate the key: anchored at seq 4 by audit.anchor line 1") {
		t.Fatalf("report %+v %v", r, err)
	}

	// An insider edits the epoch to claim the keyed entries predate the key.
	if _, err := db.Bun().ExecContext(ctx, "UPDATE settings SET value = REPLACE(value, '5:', '8:') WHERE key = 'audit_epoch'"); err != nil {
		t.Fatal(err)
	}
	epoch, _ = db.AuditEpoch(ctx)
	r, err = cms.VerifyAuditChain(ctx, db, cms.AuditCheck{Keys: keys, Epoch: epoch, Anchors: as})
	if err != nil || r.Intact() || !strings.Contains(r.Problems[0].Reason, "epoch") {
		t.Fatalf("moved epoch: %+v %v", r, err)
	}
}

// TestAnchorsFromBagInfo: the anchor file reader also reads the
// Audit-Anchor tag of an archive's bag-info.txt and skips its other tags.
func TestAnchorsFromBagInfo(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 3)
	db := storagetest.Open(t)
	a, err := cms.AnchorAudit(context.Background(), db, keys, nil, cms.AnchorArchive, t0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bag-info.txt")
	info := "Source-Organization: 铜陵市住房公积金管理中心\nBag-Count: 1 of 1\nAudit-Anchor: " + a.String() + "\n"
	if err := os.WriteFile(path, []byte(info), 0o600); err != nil {
		t.Fatal(err)
	}
	as, err := storage.AnchorFile{Path: path}.Anchors()
	if err != nil || len(as) != 1 || as[0].MAC != a.MAC || as[0].Line != 3 || as[0].Invalid != "" {
		t.Fatalf("anchors %+v %v", as, err)
	}
}

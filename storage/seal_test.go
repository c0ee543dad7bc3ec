package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestAnnexMatchesTheSeed: the approved structure the store hands the
// integrity checks is what the seed wrote.
func TestAnnexMatchesTheSeed(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	ctx := context.Background()
	annex, err := db.Annex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.AllMenuEntries(ctx)
	if err != nil || len(entries) != len(annex.Menu) || len(annex.Channels) != 2 || len(annex.Columns) != 25 {
		t.Fatalf("annex: %d channels, %d entries (%d stored), %d columns; %v", len(annex.Channels), len(annex.Menu), len(entries), len(annex.Columns), err)
	}
	for _, e := range entries {
		i := slices.IndexFunc(annex.Menu, func(a cms.MenuEntry) bool { return a.Channel == e.Channel && a.Path == e.Path })
		if i < 0 {
			t.Fatalf("%s/%s is not in the annex", e.Channel, e.Path)
		}
		if a := annex.Menu[i]; a.Title != e.Title || a.Column != e.Column || a.Position != e.Position || a.Slug != e.Slug {
			t.Errorf("annex %+v, stored %+v", a, e)
		}
	}
	cols, _ := db.Columns(ctx)
	for i, c := range cols {
		if a := annex.Columns[i]; a.Slug != c.Slug || a.Title != c.Title || a.Kind != c.Kind || a.ContentType != c.ContentType ||
			a.Description != c.Description || !slices.Equal(a.DeclaredOwners, c.DeclaredOwners) || a.Position != c.Position {
			t.Errorf("annex %+v, stored %+v", a, c)
		}
	}
}

// TestSealsAreComparedAndSet: a structure row's MAC is stored only over
// the MAC it was read with, so that a reseal never overwrites a newer one.
func TestSealsAreComparedAndSet(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	ctx := context.Background()
	entries, _ := db.AllMenuEntries(ctx)
	e := entries[0]
	if ok, err := db.SealMenuEntry(ctx, e.ID, e.MAC, "first"); err != nil || !ok {
		t.Fatalf("seal: %v %v", ok, err)
	}
	if ok, err := db.SealMenuEntry(ctx, e.ID, e.MAC, "second"); err != nil || ok {
		t.Fatalf("a stale seal was stored: %v %v", ok, err)
	}
	got, _ := db.MenuEntry(ctx, e.ID)
	if got.MAC != "first" {
		t.Errorf("MAC %q", got.MAC)
	}
	for _, f := range []func() (bool, error){
		func() (bool, error) { return db.SealChannel(ctx, "app", "", "c") },
		func() (bool, error) { return db.SealColumn(ctx, "news", "", "n") },
	} {
		if ok, err := f(); err != nil || !ok {
			t.Errorf("seal: %v %v", ok, err)
		}
	}
	ch, _ := db.Channel(ctx, "app")
	col, _ := db.Column(ctx, "news")
	if ch.MAC != "c" || col.MAC != "n" {
		t.Errorf("channel MAC %q, column MAC %q", ch.MAC, col.MAC)
	}
}

// TestRecordTamper: an incident is recorded once per subject and
// fingerprint, with its audit entry and patrol report, and a row no live
// revision stands behind is removed only while it holds what was found.
func TestRecordTamper(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, _ := mustLive(t, db, ed, "news", "被篡改", "", tick())
	p, err := db.PublicItem(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	inc := &cms.TamperIncident{Subject: "item:" + itoa(it.ID), Fingerprint: "f1", Kind: "projection", Detail: "MAC", At: tick(),
		DropItem: it.ID, DropMAC: "not what the row holds"}
	report := &cms.PatrolReport{StartedAt: inc.At, FinishedAt: inc.At, Trigger: cms.TriggerRead,
		Problems: []cms.PatrolProblem{{ItemID: it.ID, Subject: inc.Subject, Kind: "projection", Detail: "MAC"}}}
	seq, v := auditSeq(t, db), mustVersion(t, db)
	if ok, err := db.RecordTamper(ctx, inc, report, note(cms.AuditTamperDetected, inc.Subject)); err != nil || !ok {
		t.Fatalf("record: %v %v", ok, err)
	}
	if e := lastAudit(t, db); e.Seq != seq+1 || e.Action != cms.AuditTamperDetected || e.Subject != inc.Subject || report.ID == 0 {
		t.Errorf("audit %+v, report %d", e, report.ID)
	}
	if _, err := db.PublicItem(ctx, it.ID); err != nil || mustVersion(t, db) != v {
		t.Errorf("a row holding something else was removed: %v", err)
	}
	inc.DropMAC = p.MAC
	if ok, err := db.RecordTamper(ctx, inc, report, note(cms.AuditTamperDetected, inc.Subject)); err != nil || ok {
		t.Fatalf("the same incident recorded twice: %v %v", ok, err)
	}
	if auditSeq(t, db) != seq+1 {
		t.Error("a repeated incident was audited again")
	}
	_, err = db.PublicItem(ctx, it.ID)
	wantCode(t, err, cms.ENOTFOUND)
	if mustVersion(t, db) != v+1 {
		t.Error("removing the row recorded no change: clients' copies would keep it")
	}
	reps, _ := db.Patrols(ctx, 10)
	if len(reps) != 1 || reps[0].Trigger != cms.TriggerRead || reps[0].Problems[0].Subject != inc.Subject {
		t.Errorf("reports %+v", reps)
	}
}

// TestUnsealedRowsAreRebuilt: the backfill finds the rows without a MAC
// and rewrites them whole while their live revision is unchanged.
func TestUnsealedRowsAreRebuilt(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	a, _ := mustLive(t, db, ed, "news", "甲", "", tick())
	b, _ := mustLive(t, db, ed, "news", "乙", "", tick())
	if _, err := db.Bun().ExecContext(ctx, "UPDATE public_items SET mac = 'sealed' WHERE item_id = ?", b.ID); err != nil {
		t.Fatal(err)
	}
	page, err := db.Unsealed(ctx, 0, 10)
	if err != nil || len(page) != 1 || page[0].ItemID != a.ID {
		t.Fatalf("unsealed %+v %v", page, err)
	}
	p := page[0]
	p.Title, p.TitleTokens, p.MAC = "甲（重建）", cms.SearchTokens("甲（重建）"), "rebuilt"
	if ok, err := db.SaveProjection(ctx, &p); err != nil || !ok {
		t.Fatalf("save: %v %v", ok, err)
	}
	got, _ := db.PublicItem(ctx, a.ID)
	if got.Title != "甲（重建）" || got.MAC != "rebuilt" {
		t.Errorf("rebuilt row %+v", got)
	}
	hits, err := db.Search(ctx, cms.QueryPhrases("重建"), cms.PublicFilter{Limit: 10})
	if err != nil || len(hits) != 1 || hits[0].Item.MAC != "rebuilt" {
		t.Errorf("search after the rebuild: %+v %v", hits, err)
	}
	p.RevisionID++ // another revision went live meanwhile
	if ok, err := db.SaveProjection(ctx, &p); err != nil || ok {
		t.Errorf("saved over a newer publication: %v %v", ok, err)
	}
}

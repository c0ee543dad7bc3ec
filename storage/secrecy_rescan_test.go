package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// rescanRevision stores an item of the collection department with one
// revision in state, and returns the revision.
func rescanRevision(t *testing.T, db *storage.DB, author int64, title string, state cms.State) *cms.Revision {
	t.Helper()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	it := &cms.Item{Column: "news", Department: "collection", ContentType: cms.TypeArticle, CreatedBy: author, CreatedAt: at,
		UpdatedAt: at, Title: title, State: state}
	rev := &cms.Revision{Number: 1, Action: "publish", State: state, Version: 1, Title: title, Body: "某工程", BodyFormat: cms.FormatMarkdown,
		AuthorID: author, CreatedAt: at, UpdatedAt: at, StateSince: at}
	rev.ContentHash = rev.Hash()
	if err := db.CreateItem(context.Background(), it, rev, cms.NewAuditEntry(at, author, "item_created", "item", nil)); err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestRescanStoresOnlyWhatIsNew checks the store's half of the re-scan: in
// the transaction of the word change it keeps findings a revision does not
// have yet, and none for a revision that left the re-scanned states or
// whose content changed after it was scanned.
func TestRescanStoresOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	u := &cms.User{Username: "writer", DisplayName: "writer", Department: "collection", CreatedAt: at, UpdatedAt: at}
	if err := db.CreateUser(ctx, u, "x", nil, cms.NewAuditEntry(at, 0, "user_created", "user", nil)); err != nil {
		t.Fatal(err)
	}
	live := rescanRevision(t, db, u.ID, "已发布", cms.StatePublished)
	draft := rescanRevision(t, db, u.ID, "草稿", cms.StateDraft)
	changed := rescanRevision(t, db, u.ID, "已改", cms.StateScheduled)

	targets, err := db.RescanTargets(ctx, 0, 10)
	if err != nil || len(targets) != 2 || targets[0].Revision.ID != live.ID || targets[1].Revision.ID != changed.ID ||
		targets[0].ContentType != cms.TypeArticle {
		t.Fatalf("targets %+v (%v)", targets, err)
	}
	if more, err := db.RescanTargets(ctx, changed.ID, 10); err != nil || len(more) != 0 {
		t.Fatalf("targets after the last: %+v (%v)", more, err)
	}

	word := cms.Finding{Kind: cms.FindingSensitiveWord, Field: "body", Excerpt: "某工程", Severity: cms.SeverityBlocking, Length: 3}
	var added []cms.FindingRecord
	rescan := func() *cms.Rescan {
		return &cms.Rescan{At: at, Revisions: 3, Found: []cms.RevisionScan{
			{RevisionID: live.ID, ContentHash: live.ContentHash, Findings: []cms.Finding{word}},
			{RevisionID: draft.ID, ContentHash: draft.ContentHash, Findings: []cms.Finding{word}},
			{RevisionID: changed.ID, ContentHash: "scanned before an edit", Findings: []cms.Finding{word}},
		}, Audit: func(a []cms.FindingRecord) cms.AuditEntry {
			added = a
			return cms.NewAuditEntry(at, u.ID, cms.AuditSecrecyRescan, "sensitive_words", map[string]any{"new_findings": len(a)})
		}}
	}
	words := []cms.SensitiveWord{{Word: "某工程", Severity: cms.SeverityBlocking}}
	if err := db.SetSensitiveWords(ctx, words, cms.NewAuditEntry(at, u.ID, cms.AuditSensitiveWord, "sensitive_words", nil), rescan()); err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || added[0].ID == 0 || added[0].RevisionID != live.ID || !added[0].Rescan || !added[0].FoundAt.Equal(at) {
		t.Fatalf("added %+v", added)
	}
	fs, err := db.Findings(ctx, live.ID)
	if err != nil || len(fs) != 1 || fs[0].ID != added[0].ID || !fs[0].Rescan || !fs[0].Pending() {
		t.Fatalf("findings of the live revision %+v (%v)", fs, err)
	}
	if err := db.SetSensitiveWords(ctx, words, cms.NewAuditEntry(at, u.ID, cms.AuditSensitiveWord, "sensitive_words", nil), rescan()); err != nil {
		t.Fatal(err)
	}
	if len(added) != 0 {
		t.Fatalf("the same findings again were added: %+v", added)
	}
	list, err := db.ReleasedFindings(ctx, cms.ReleasedFindingFilter{States: cms.ReleasedStates, Departments: []string{"collection"},
		Pending: true, Limit: 10})
	if err != nil || len(list) != 1 || list[0].ItemID != live.ItemID || list[0].State != cms.StatePublished || list[0].Title != "已发布" {
		t.Fatalf("released findings %+v (%v)", list, err)
	}
	if other, err := db.ReleasedFindings(ctx, cms.ReleasedFindingFilter{States: cms.ReleasedStates, Departments: []string{"finance"},
		Limit: 10}); err != nil || len(other) != 0 {
		t.Fatalf("findings of another department %+v (%v)", other, err)
	}
}

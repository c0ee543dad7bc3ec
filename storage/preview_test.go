package storage_test

import (
	"context"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestPreviewGenerations: revoking a revision's links and a transition
// that revokes them each move it to its next preview generation; other
// transitions and revisions keep theirs.
func TestPreviewGenerations(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "预览", "")
	_, other := mustItem(t, db, ed, "news", "另一篇", "")
	generation := func(id int64) int {
		t.Helper()
		r, err := db.Revision(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return r.PreviewGeneration
	}
	seq := auditSeq(t, db)
	if gen, err := db.RevokePreviews(ctx, rev.ID, note(cms.AuditPreviewRevoked, "revision:"+itoa(rev.ID))); err != nil || gen != 1 {
		t.Fatalf("revoke: %d %v", gen, err)
	}
	if e := lastAudit(t, db); e.Seq != seq+1 || e.Action != cms.AuditPreviewRevoked {
		t.Errorf("audit %+v", e)
	}
	mustFire(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview)
	c := step(it, rev, cms.EventWithdraw, cms.StateDraft)
	c.RevokePreviews = true
	mustApply(t, db, it, rev, c)
	if g, o := generation(rev.ID), generation(other.ID); g != 2 || o != 0 {
		t.Errorf("generations %d and %d, want 2 and 0", g, o)
	}
	_, err := db.RevokePreviews(ctx, rev.ID+1000, note(cms.AuditPreviewRevoked, ""))
	wantCode(t, err, cms.ENOTFOUND)
}

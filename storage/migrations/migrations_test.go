package migrations_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/migrations"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestEditorsBackfillFollowsTheAuditTrail: revisions edited before the
// revision_editors table existed get as editors whoever the audit trail
// says changed their content or files.
func TestEditorsBackfillFollowsTheAuditTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var ids []int64
	for _, name := range []string{"author", "colleague", "bystander"} {
		u := &cms.User{Username: name, DisplayName: name, Department: "collection", PasswordChangedAt: at, CreatedAt: at, UpdatedAt: at}
		if err := db.CreateUser(ctx, u, "x", nil, cms.NewAuditEntry(at, 0, cms.AuditUserCreated, "", nil)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	it := &cms.Item{Column: "news", Department: "office", ContentType: cms.TypeArticle, CreatedBy: ids[0], CreatedAt: at, UpdatedAt: at, Title: "t", State: cms.StateDraft}
	rev := &cms.Revision{Number: 1, Action: cms.ActionPublish, State: cms.StateDraft, Version: 1, Title: "t", BodyFormat: cms.FormatMarkdown,
		AuthorID: ids[0], CreatedAt: at, UpdatedAt: at, StateSince: at}
	if err := db.CreateItem(ctx, it, rev, cms.NewAuditEntry(at, ids[0], cms.AuditItemCreated, "column:news", nil)); err != nil {
		t.Fatal(err)
	}
	rev.Version, rev.Title = 2, "edited"
	if err := db.UpdateRevision(ctx, rev, cms.NewAuditEntry(at.Add(time.Minute), ids[1], cms.AuditRevisionEdited, "revision:1", nil)); err != nil {
		t.Fatal(err)
	}
	// The bystander's edit of another subject is no edit of this revision.
	if err := db.Append(ctx, cms.NewAuditEntry(at, ids[2], cms.AuditRevisionEdited, "item:1", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Bun().ExecContext(ctx, "DELETE FROM revision_editors WHERE user_id <> ?", ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.Bun().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return migrations.BackfillEditors9(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	got, err := db.RevisionEditors(ctx, rev.ID)
	if err != nil || !slices.Equal(got, ids[:2]) {
		t.Fatalf("editors %v (%v), want %v", got, err, ids[:2])
	}
}

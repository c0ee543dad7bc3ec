package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// t0 starts the tests' clock. tick hands out later and later instants
// after it, so rows written one after the other sort in that order.
var (
	t0    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ticks atomic.Int64
)

func tick() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }

// plain renders bodies as themselves: the storage tests need a projection,
// not markup.
type plain struct{}

func (plain) HTML(body, _ string) string { return body }
func (plain) Text(body, _ string) string { return body }

// note is an audit entry by nobody in particular; the store fills in its
// place in the chain.
func note(action, subject string) cms.AuditEntry {
	return cms.NewAuditEntry(tick(), 0, action, subject, nil)
}

// editNote is the audit entry of a change its author makes to rev: edits
// always have a person behind them, who is recorded as an editor.
func editNote(rev *cms.Revision, action string) cms.AuditEntry {
	return cms.NewAuditEntry(tick(), rev.AuthorID, action, "", nil)
}

// openDB returns a fresh seeded database with one editor of the office.
func openDB(tb testing.TB) (*storage.DB, *cms.User) {
	tb.Helper()
	db := storagetest.Open(tb)
	return db, mustUser(tb, db, "editor", "office", cms.RoleBinding{Role: cms.RoleEditor, Department: "office"})
}

// mustUser stores a user of dept with the roles.
func mustUser(tb testing.TB, db *storage.DB, username, dept string, roles ...cms.RoleBinding) *cms.User {
	tb.Helper()
	now := tick()
	u := &cms.User{Username: username, DisplayName: username + " 同志", Department: dept, Roles: roles,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(context.Background(), u, "hash-of-"+username, nil, note(cms.AuditUserCreated, "")); err != nil {
		tb.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// newItem builds, without storing, an item of author's department in
// column with its first draft revision.
func newItem(tb testing.TB, db *storage.DB, author *cms.User, column, title, body string) (*cms.Item, *cms.Revision) {
	tb.Helper()
	col, err := db.Column(context.Background(), column)
	if err != nil {
		tb.Fatalf("column %s: %v", column, err)
	}
	now := tick()
	rev := &cms.Revision{Number: 1, Action: cms.ActionPublish, State: cms.StateDraft, Version: 1, Title: title,
		Body: body, BodyFormat: cms.FormatMarkdown, Fields: map[string]any{}, AuthorID: author.ID,
		CreatedAt: now, UpdatedAt: now, StateSince: now}
	rev.ContentHash = rev.Hash()
	it := &cms.Item{Column: column, Department: author.Department, ContentType: col.ContentType, CreatedBy: author.ID,
		CreatedAt: now, UpdatedAt: now, Title: title, State: cms.StateDraft}
	return it, rev
}

// mustItem stores an item with its first draft revision.
func mustItem(tb testing.TB, db *storage.DB, author *cms.User, column, title, body string) (*cms.Item, *cms.Revision) {
	tb.Helper()
	it, rev := newItem(tb, db, author, column, title, body)
	if err := db.CreateItem(context.Background(), it, rev, note(cms.AuditItemCreated, "column:"+column)); err != nil {
		tb.Fatalf("create item %q: %v", title, err)
	}
	return it, rev
}

// mustNewHead stores the next revision of it, a draft copied from from.
func mustNewHead(tb testing.TB, db *storage.DB, it *cms.Item, from *cms.Revision, title string) *cms.Revision {
	tb.Helper()
	now := tick()
	rev := *from
	rev.ID, rev.Number, rev.State, rev.Version, rev.Title = 0, from.Number+1, cms.StateDraft, 1, title
	rev.CreatedAt, rev.UpdatedAt, rev.StateSince, rev.SubmittedBy, rev.SignoffStep = now, now, now, 0, 0
	rev.ApprovedHash, rev.PublishedAt = "", time.Time{}
	rev.Attachments = append([]cms.Attachment(nil), from.Attachments...)
	rev.ContentHash = rev.Hash()
	next := *it
	next.Title, next.State, next.UpdatedAt = title, cms.StateDraft, now
	if err := db.AddRevision(context.Background(), &next, &rev, it.HeadRevisionID, note(cms.AuditRevisionCreated, "")); err != nil {
		tb.Fatalf("add revision %q: %v", title, err)
	}
	*it = next
	return &rev
}

// step builds the change that moves rev to state to by ev, the way the
// workflow service does, on copies of it and rev: the caller's values
// change only when the change is applied with mustApply.
func step(it *cms.Item, rev *cms.Revision, ev cms.Event, to cms.State) *cms.Change {
	now := tick()
	r, i := *rev, *it
	c := &cms.Change{Revision: &r, FromState: rev.State, FromVersion: rev.Version, Item: &i, PrevLive: it.LiveRevisionID,
		Transition: cms.Transition{RevisionID: rev.ID, ItemID: it.ID, RevisionNumber: rev.Number, Event: ev,
			From: rev.State, To: to, ActorID: rev.AuthorID, ActorRole: cms.RoleEditor, ContentHash: rev.Hash(), At: now}}
	r.State, r.Version, r.UpdatedAt, r.StateSince = to, rev.Version+1, now, now
	if r.ID == i.HeadRevisionID {
		i.State = to
	}
	i.UpdatedAt = now
	c.Audit = cms.NewAuditEntry(now, rev.AuthorID, cms.AuditTransition, "revision:"+itoa(rev.ID),
		map[string]any{"event": string(ev), "to": string(to)})
	return c
}

// mustApply applies c and copies its outcome back to it and rev.
func mustApply(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision, c *cms.Change) {
	tb.Helper()
	if err := db.ApplyTransition(context.Background(), c); err != nil {
		tb.Fatalf("%s of revision %d: %v", c.Transition.Event, rev.ID, err)
	}
	*it, *rev = *c.Item, *c.Revision
}

// mustFire moves rev to state to by ev.
func mustFire(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision, ev cms.Event, to cms.State) {
	tb.Helper()
	mustApply(tb, db, it, rev, step(it, rev, ev, to))
}

// mustSchedule takes a draft through the whole approval chain.
func mustSchedule(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision) {
	tb.Helper()
	mustFire(tb, db, it, rev, cms.EventSubmit, cms.StateDeptReview)
	mustFire(tb, db, it, rev, cms.EventApprove, cms.StateLeadershipSignoff)
	mustFire(tb, db, it, rev, cms.EventSign, cms.StateSecrecyReview)
	mustFire(tb, db, it, rev, cms.EventClear, cms.StateScheduled)
}

// publishStep builds the publication of rev at at: it goes live with its
// public projection, and the revision live before it is superseded.
func publishStep(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision, at time.Time) *cms.Change {
	tb.Helper()
	c := step(it, rev, cms.EventPublish, cms.StatePublished)
	if it.LiveRevisionID != 0 && it.LiveRevisionID != rev.ID {
		old, err := db.Revision(context.Background(), it.LiveRevisionID)
		if err != nil {
			tb.Fatal(err)
		}
		c.Retire, c.RetireFrom, c.RetireState = old, old.State, cms.StateSuperseded
	}
	c.Revision.PublishedAt, c.Item.LiveRevisionID = at, rev.ID
	if c.Item.PublishedAt.IsZero() {
		c.Item.PublishedAt = at
	}
	c.Public, c.PublicChanged = cms.NewPublicItem(c.Item, c.Revision, plain{}), true
	// Stand-ins for the content API's documents: the store keeps them as given.
	id := strconv.FormatInt(it.ID, 10)
	c.Public.Doc, c.Public.DocMAC = []byte(`{"id":`+id+`,"rev":`+strconv.FormatInt(rev.ID, 10)+`}`+"\n"), "doc-mac-"+id
	c.Public.Entry, c.Public.EntryMAC = []byte(`{"id":`+id+`}`), "entry-mac-"+id
	return c
}

// mustPublish takes a draft through the chain and publishes it at at.
func mustPublish(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision, at time.Time) {
	tb.Helper()
	mustSchedule(tb, db, it, rev)
	mustApply(tb, db, it, rev, publishStep(tb, db, it, rev, at))
}

// mustTakeDown archives the live revision of it: the item goes offline.
func mustTakeDown(tb testing.TB, db *storage.DB, it *cms.Item, live *cms.Revision) {
	tb.Helper()
	c := step(it, live, cms.EventArchive, cms.StateArchived)
	c.Item.LiveRevisionID, c.PublicChanged = 0, true
	mustApply(tb, db, it, live, c)
}

// blobKey is the key the blob store gives content.
func blobKey(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// mustAttach attaches a file to a draft, as the media service does: the
// revision's version and content hash move with it.
func mustAttach(tb testing.TB, db *storage.DB, rev *cms.Revision, name, key string) *cms.Attachment {
	tb.Helper()
	a := &cms.Attachment{RevisionID: rev.ID, Key: key, Name: name, ContentType: "application/pdf", Size: 3,
		Position: len(rev.Attachments), CreatedAt: tick()}
	r := *rev
	r.Attachments = append(append([]cms.Attachment(nil), rev.Attachments...), *a)
	r.Version, r.UpdatedAt = rev.Version+1, tick()
	r.ContentHash = r.Hash()
	if err := db.AddAttachment(context.Background(), &r, a, editNote(&r, cms.AuditAttachmentAdded)); err != nil {
		tb.Fatalf("attach %s: %v", name, err)
	}
	r.Attachments[len(r.Attachments)-1] = *a
	*rev = r
	return a
}

// auditSeq returns the sequence number of the last audit entry.
func auditSeq(tb testing.TB, db *storage.DB) int64 {
	tb.Helper()
	seq, _, err := db.AuditHead(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return seq
}

// lastAudit returns the last audit entry.
func lastAudit(tb testing.TB, db *storage.DB) cms.AuditEntry {
	tb.Helper()
	seq := auditSeq(tb, db)
	es, err := db.AuditEntries(context.Background(), seq-1, 1)
	if err != nil || len(es) != 1 {
		tb.Fatalf("audit entry %d: %v %v", seq, es, err)
	}
	return es[0]
}

// wantCode fails unless err carries the cms error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := cms.ErrorCode(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// race runs fns at once and returns their errors in order.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	start := make(chan struct{})
	done := make(chan struct{})
	for i, fn := range fns {
		go func() {
			<-start
			errs[i] = fn()
			done <- struct{}{}
		}()
	}
	close(start)
	for range fns {
		<-done
	}
	return errs
}

// oneWinner fails unless exactly one error is nil and the others carry a code in codes.
func oneWinner(tb testing.TB, errs []error, codes ...string) int {
	tb.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				tb.Fatalf("writers %d and %d both won", winner, i)
			}
			winner = i
			continue
		}
		ok := false
		for _, c := range codes {
			ok = ok || cms.ErrorCode(err) == c
		}
		if !ok {
			tb.Fatalf("loser %d: %v, want one of %v", i, err, codes)
		}
	}
	if winner < 0 {
		tb.Fatalf("nobody won: %v", errs)
	}
	return winner
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

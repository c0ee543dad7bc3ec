package archive

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// Export writes the bag as a ZIP to w. It streams: each item's files are
// written as soon as they are made and each attachment is copied from the
// blob store through one buffer, so memory does not grow with the content,
// only with the number of files (their manifest lines and the ZIP's
// central directory). On error what was written to w is incomplete and
// must be discarded.
func Export(ctx context.Context, src Source, w io.Writer, opt Options) (*Summary, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	at := now()
	total, err := src.CountPublishedItems(ctx, opt.From, opt.To)
	if err != nil {
		return nil, fmt.Errorf("archive: count items: %w", err)
	}
	out := &countingWriter{w: w}
	x := &exporter{src: src, opt: &opt, at: at, bag: newBagWriter(out, Name(opt.From, opt.To), at),
		users: map[int64]*cms.User{}, blobs: map[string]bool{}, buf: make([]byte, 64<<10)}
	if err := x.loadNames(ctx); err != nil {
		return nil, fmt.Errorf("archive: structure: %w", err)
	}
	if err := x.bag.tag(bagitFile, []byte(bagitDeclaration)); err != nil {
		return nil, err
	}
	err = src.PublishedItems(ctx, opt.From, opt.To, func(it cms.Item) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.item(ctx, &it); err != nil {
			return fmt.Errorf("archive: item %d: %w", it.ID, err)
		}
		x.sum.Items++
		if opt.Progress != nil {
			opt.Progress(x.sum.Items, total)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	chain, err := x.audit(ctx)
	if err != nil {
		return nil, fmt.Errorf("archive: audit log: %w", err)
	}
	if err := x.bag.finish(bagInfo(&opt, at, x.bag.payloadBytes, x.bag.files, chain, x.sum.Tampered)); err != nil {
		return nil, err
	}
	x.sum.Bytes = out.n
	return &x.sum, nil
}

func (o *Options) validate() error {
	var fe cms.FieldErrors
	if o.From.IsZero() || o.To.IsZero() || !o.From.Before(o.To) {
		fe.Add("to", "the period must end after it starts")
	}
	if o.Organization == "" {
		fe.Add("organization", "is required (bag-info's Source-Organization)")
	}
	return fe.Err("invalid archive options")
}

// exporter holds the state of one export: the bag, the names of columns
// and departments, the users seen so far (a centre has a few dozen of each)
// and the blobs already written.
type exporter struct {
	src         Source
	opt         *Options
	at          time.Time
	bag         *bagWriter
	columns     map[string]string // slug → title
	departments map[string]string // slug → name
	users       map[int64]*cms.User
	blobs       map[string]bool
	buf         []byte // the one buffer blobs are copied through
	sum         Summary
}

// loadNames reads the names of columns and departments when the source
// offers them.
func (x *exporter) loadNames(ctx context.Context) error {
	x.columns, x.departments = map[string]string{}, map[string]string{}
	s, ok := x.src.(Structure)
	if !ok {
		return nil
	}
	cols, err := s.Columns(ctx)
	if err != nil {
		return err
	}
	for _, c := range cols {
		x.columns[c.Slug] = c.Title
	}
	depts, err := s.Departments(ctx)
	for _, d := range depts {
		x.departments[d.Slug] = d.Name
	}
	return err
}

// item writes one item's files and the attachments not written yet.
func (x *exporter) item(ctx context.Context, it *cms.Item) error {
	revs, err := x.src.Revisions(ctx, it.ID)
	if err != nil {
		return err
	}
	trs, err := x.src.Transitions(ctx, it.ID)
	if err != nil {
		return err
	}
	revs, trs = x.inPeriod(revs, trs)
	history, err := x.history(ctx, it.ID, trs)
	if err != nil {
		return err
	}
	dir := "data/items/" + strconv.FormatInt(it.ID, 10) + "/"
	rec := x.itemRecord(it, revs, trs)
	if err := x.json(dir+"item.json", rec); err != nil {
		return err
	}
	for i := range revs {
		if err := x.json(dir+"revisions/"+strconv.Itoa(revs[i].Number)+".json", newRevisionRecord(&revs[i])); err != nil {
			return err
		}
		if why := tampered(&revs[i], trs); why != "" {
			x.sum.Tampered = append(x.sum.Tampered, fmt.Sprintf("item %d revision %d (%srevisions/%d.json): %s",
				it.ID, revs[i].Number, dir, revs[i].Number, why))
		}
	}
	if err := x.json(dir+"history.json", history); err != nil {
		return err
	}
	if err := x.forms(ctx, dir, it, revs, trs, history.Transitions); err != nil {
		return err
	}
	x.sum.Revisions += len(revs)
	return x.attachments(ctx, revs)
}

// forms writes the approval form of each revision that was published.
func (x *exporter) forms(ctx context.Context, dir string, it *cms.Item, revs []cms.Revision, trs []cms.Transition, recs []transitionRecord) error {
	for i := range revs {
		if !x.published(&revs[i], trs) {
			continue
		}
		form, err := x.approvalForm(ctx, it, &revs[i], trs, recs)
		if err != nil {
			return err
		}
		if _, err := x.bag.payload(dir+"approval-"+strconv.Itoa(revs[i].Number)+".html", zip.Deflate, form.write); err != nil {
			return err
		}
	}
	return nil
}

// inPeriod keeps the history up to the end of the period: what happened
// later belongs to a later archive, and leaving it out makes the record of
// a period the same whenever it is exported.
func (x *exporter) inPeriod(revs []cms.Revision, trs []cms.Transition) ([]cms.Revision, []cms.Transition) {
	keptRevs := make([]cms.Revision, 0, len(revs)) // not in place: the slices are the source's
	for _, r := range revs {
		if r.CreatedAt.Before(x.opt.To) {
			keptRevs = append(keptRevs, r)
		}
	}
	keptTrs := make([]cms.Transition, 0, len(trs))
	for _, t := range trs {
		if t.At.Before(x.opt.To) {
			keptTrs = append(keptTrs, t)
		}
	}
	return keptRevs, keptTrs
}

func (x *exporter) itemRecord(it *cms.Item, revs []cms.Revision, trs []cms.Transition) itemRecord {
	rec := itemRecord{ID: it.ID, Column: it.Column, ColumnTitle: x.columns[it.Column], Department: it.Department,
		DepartmentName: x.departments[it.Department], ContentType: it.ContentType,
		CreatedBy: it.CreatedBy, CreatedAt: stamp(it.CreatedAt), FirstPublishedAt: stamp(it.PublishedAt),
		Revisions: []int{}, Approvals: []int{},
		Current: currentRecord{AsOf: stamp(x.at), Title: it.Title, State: it.State, HeadRevisionID: it.HeadRevisionID,
			LiveRevisionID: it.LiveRevisionID, UpdatedAt: stamp(it.UpdatedAt)}}
	for i := range revs {
		rec.Revisions = append(rec.Revisions, revs[i].Number)
		if x.published(&revs[i], trs) {
			rec.Approvals = append(rec.Approvals, revs[i].Number)
		}
	}
	return rec
}

// history resolves the actors of an item's transitions.
func (x *exporter) history(ctx context.Context, itemID int64, trs []cms.Transition) (historyRecord, error) {
	h := historyRecord{ItemID: itemID, Transitions: make([]transitionRecord, 0, len(trs))}
	for _, t := range trs {
		u, err := x.user(ctx, t.ActorID)
		if err != nil {
			return h, err
		}
		h.Transitions = append(h.Transitions, transitionRecord{ID: t.ID, RevisionID: t.RevisionID,
			RevisionNumber: t.RevisionNumber, Version: t.Version, Event: t.Event, From: t.From, To: t.To,
			ActorID: t.ActorID, ActorUsername: u.Username, ActorDisplayName: u.DisplayName, ActorDepartment: u.Department,
			ActorRole: t.ActorRole, Comment: t.Comment, ContentHash: t.ContentHash, SignoffStep: t.SignoffStep, At: stamp(t.At)})
	}
	return h, nil
}

// systemUser stands for the scheduler, the actor of transitions with no user.
var systemUser = &cms.User{Username: "system", DisplayName: "系统（定时任务）"}

// user returns an actor, from the cache when it was seen before. An actor
// the store no longer knows is recorded by id alone rather than failing
// the export.
func (x *exporter) user(ctx context.Context, id int64) (*cms.User, error) {
	if id == 0 {
		return systemUser, nil
	}
	if u, ok := x.users[id]; ok {
		return u, nil
	}
	u, err := x.src.User(ctx, id)
	switch {
	case errors.Is(err, cms.ErrNotFound):
		u = &cms.User{ID: id}
	case err != nil:
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	x.users[id] = u
	return u, nil
}

// attachments copies each blob the revisions use that is not in the bag yet.
func (x *exporter) attachments(ctx context.Context, revs []cms.Revision) error {
	for i := range revs {
		for _, a := range revs[i].Attachments {
			if x.blobs[a.Key] {
				continue
			}
			if err := x.blob(ctx, &a); err != nil {
				return fmt.Errorf("attachment %q of revision %d: %w", a.Name, revs[i].Number, err)
			}
			x.blobs[a.Key] = true
			x.sum.Attachments++
		}
	}
	return nil
}

// blob streams one blob into the bag and checks that its bytes are the
// ones its key names: a bag must not carry a corrupt file under a good name.
func (x *exporter) blob(ctx context.Context, a *cms.Attachment) error {
	if !cms.ValidBlobKey(a.Key) {
		return fmt.Errorf("invalid blob key %q", a.Key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := x.src.OpenBlob(ctx, a.Key)
	if err != nil {
		return err
	}
	defer b.Close()
	sum, err := x.bag.payload(attachmentsDir+a.Key, methodFor(a.ContentType), func(w io.Writer) error {
		_, err := io.CopyBuffer(w, onlyReader{b}, x.buf)
		return err
	})
	if err != nil {
		return err
	}
	if sum != a.Key {
		return fmt.Errorf("blob %s is corrupt: its bytes hash to %s", a.Key, sum)
	}
	return nil
}

// onlyReader hides a reader's WriterTo, so that io.CopyBuffer uses the
// buffer it is given rather than one of its own.
type onlyReader struct{ io.Reader }

// json writes v as an indented JSON payload file.
func (x *exporter) json(path string, v any) error {
	_, err := x.bag.payload(path, zip.Deflate, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
	return err
}

// audit writes the audit entries of the period, one JSON object a line,
// and returns the ends of the chain segment.
func (x *exporter) audit(ctx context.Context) (chainSegment, error) {
	seg := emptyChain
	_, err := x.bag.payload(auditLogFile, zip.Deflate, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return x.src.AuditRange(ctx, x.opt.From, x.opt.To, func(e cms.AuditEntry) error {
			if seg.entries == 0 {
				seg.start = e.PrevHash
			}
			seg.end = e.Hash
			seg.entries++
			return enc.Encode(newAuditRecord(&e))
		})
	})
	x.sum.AuditEntries = seg.entries
	return seg, err
}

// published reports whether a revision went live before the end of the
// period: it has a publish transition there (trs are those of the period),
// or a publication time, for revisions older than the recorded history.
func (x *exporter) published(rev *cms.Revision, trs []cms.Transition) bool {
	if publishTransition(rev, trs) >= 0 {
		return true
	}
	return !rev.PublishedAt.IsZero() && rev.PublishedAt.Before(x.opt.To)
}

// publishTransition returns the index of the transition that published rev,
// or -1.
func publishTransition(rev *cms.Revision, trs []cms.Transition) int {
	for i := range trs {
		if trs[i].RevisionID == rev.ID && trs[i].Event == cms.EventPublish {
			return i
		}
	}
	return -1
}

// tampered says why a revision's content no longer matches what was
// recorded of it, or "": the hash stored when it was last saved, the hash
// approved at the secrecy review, or the hash the last clear in its
// (append-only) history recorded while it stays approved.
func tampered(rev *cms.Revision, trs []cms.Transition) string {
	h := rev.Hash()
	switch {
	case h != rev.ContentHash:
		return "its content no longer matches the hash recorded when it was last saved"
	case rev.ApprovedHash != "" && h != rev.ApprovedHash:
		return "its content no longer matches the hash approved at the secrecy review"
	}
	if rev.ApprovedHash == "" {
		return ""
	}
	for i := len(trs) - 1; i >= 0; i-- {
		if t := trs[i]; t.RevisionID == rev.ID && t.Event == cms.EventClear {
			if t.ContentHash != h {
				return "its content no longer matches the hash its clearance recorded in the history"
			}
			break
		}
	}
	return ""
}

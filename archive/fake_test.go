package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tlhpf/cms/cms"
)

// fakeSource is an in-memory archive.Source over cms types.
type fakeSource struct {
	items       []*cms.Item
	revisions   map[int64][]*cms.Revision
	transitions map[int64][]cms.Transition
	users       map[int64]*cms.User
	audit       []cms.AuditEntry
	blobs       map[string][]byte
}

func (s *fakeSource) PublishedItems(ctx context.Context, from, to time.Time, fn func(cms.Item) error) error {
	for _, it := range s.items {
		if s.publishedIn(it.ID, from, to) {
			if err := fn(*it); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *fakeSource) publishedIn(itemID int64, from, to time.Time) bool {
	for _, t := range s.transitions[itemID] {
		if t.Event == cms.EventPublish && !t.At.Before(from) && t.At.Before(to) {
			return true
		}
	}
	return false
}

func (s *fakeSource) CountPublishedItems(ctx context.Context, from, to time.Time) (int, error) {
	n := 0
	for _, it := range s.items {
		if s.publishedIn(it.ID, from, to) {
			n++
		}
	}
	return n, nil
}

func (s *fakeSource) Revisions(ctx context.Context, itemID int64) ([]cms.Revision, error) {
	var out []cms.Revision
	for _, r := range s.revisions[itemID] {
		out = append(out, *r)
	}
	return out, nil
}

func (s *fakeSource) Transitions(ctx context.Context, itemID int64) ([]cms.Transition, error) {
	return s.transitions[itemID], nil
}

func (s *fakeSource) User(ctx context.Context, id int64) (*cms.User, error) {
	if u, ok := s.users[id]; ok {
		return u, nil
	}
	return nil, cms.Errorf(cms.ENOTFOUND, "no user %d", id)
}

func (s *fakeSource) AuditRange(ctx context.Context, from, to time.Time, fn func(cms.AuditEntry) error) error {
	for _, e := range s.audit {
		if !e.At.Before(from) && e.At.Before(to) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *fakeSource) OpenBlob(ctx context.Context, key string) (cms.Blob, error) {
	b, ok := s.blobs[key]
	if !ok {
		return nil, cms.Errorf(cms.ENOTFOUND, "no blob %s", key)
	}
	return memBlob{bytes.NewReader(b)}, nil
}

// fakeStructure is a source that also names columns and departments.
type fakeStructure struct{ *fakeSource }

func (fakeStructure) Columns(ctx context.Context) ([]cms.Column, error) {
	return []cms.Column{{Slug: "zxdt", Title: "中心动态"}, {Slug: "zcfg", Title: "政策法规"}, {Slug: "tzgg", Title: "通知公告"}}, nil
}

func (fakeStructure) Departments(ctx context.Context) ([]cms.Department, error) {
	return []cms.Department{{Slug: "guiji", Name: "归集管理科"}, {Slug: "office", Name: "综合科"}}, nil
}

// memBlob is a blob held in memory; bytes.Reader has Size already.
type memBlob struct{ *bytes.Reader }

func (memBlob) Close() error { return nil }

// world builds a fake source the way the services would fill a store:
// items, revisions moved through the workflow, and an audit entry chained
// for each change.
type world struct {
	src    *fakeSource
	now    time.Time
	nextID int64
}

// Staff of the fixture, by id.
const (
	editor   int64 = 1 // 王芳
	deptHead int64 = 2 // 李强
	leader   int64 = 3 // 张伟
	director int64 = 4 // 陈静
	secrecy  int64 = 5 // 刘洋
	pub      int64 = 6 // 赵敏
)

func newWorld(start time.Time) *world {
	staff := []struct {
		id             int64
		username, name string
		dept           string
		role           cms.Role
	}{
		{editor, "wangfang", "王芳", "guiji", cms.RoleEditor},
		{deptHead, "liqiang", "李强", "guiji", cms.RoleDeptHead},
		{leader, "zhangwei", "张伟", "leaders", cms.RoleLeader},
		{director, "chenjing", "陈静", "leaders", cms.RoleDirector},
		{secrecy, "liuyang", "刘洋", "office", cms.RoleSecrecyReviewer},
		{pub, "zhaomin", "赵敏", "office", cms.RolePublisher},
	}
	src := &fakeSource{revisions: map[int64][]*cms.Revision{}, transitions: map[int64][]cms.Transition{},
		users: map[int64]*cms.User{}, blobs: map[string][]byte{}}
	for _, s := range staff {
		src.users[s.id] = &cms.User{ID: s.id, Username: s.username, DisplayName: s.name, Department: s.dept,
			Roles: []cms.RoleBinding{{Role: s.role, Department: s.dept}}, CreatedAt: start}
	}
	return &world{src: src, now: start, nextID: 100}
}

// at moves the clock to t.
func (w *world) at(t time.Time) *world { w.now = t; return w }

func (w *world) tick() time.Time {
	w.now = w.now.Add(47*time.Minute + 13*time.Second + 250*time.Microsecond)
	return w.now
}

func (w *world) id() int64 { w.nextID++; return w.nextID }

// blob stores bytes and returns the attachment that refers to them.
func (w *world) blob(name, contentType string, data []byte) cms.Attachment {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	w.src.blobs[key] = data
	return cms.Attachment{ID: w.id(), Key: key, Name: name, ContentType: contentType, Size: int64(len(data)), CreatedAt: w.now}
}

func (w *world) item(column, dept, contentType string) *cms.Item {
	it := &cms.Item{ID: int64(len(w.src.items) + 1), Column: column, Department: dept, ContentType: contentType,
		CreatedBy: editor, CreatedAt: w.tick()}
	w.src.items = append(w.src.items, it)
	w.record(editor, cms.AuditItemCreated, fmt.Sprintf("item:%d", it.ID), map[string]any{"department": dept})
	return it
}

// revise adds a draft revision to an item.
func (w *world) revise(it *cms.Item, action, title, body string, fields map[string]any, files ...cms.Attachment) *cms.Revision {
	at := w.tick()
	rev := &cms.Revision{ID: w.id(), ItemID: it.ID, Number: len(w.src.revisions[it.ID]) + 1, Action: action,
		State: cms.StateDraft, Version: 1, Title: title, Body: body, BodyFormat: cms.FormatMarkdown, Fields: fields,
		AuthorID: editor, CreatedAt: at, UpdatedAt: at, StateSince: at}
	for i, a := range files {
		a.RevisionID, a.Position = rev.ID, i
		rev.Attachments = append(rev.Attachments, a)
	}
	rev.ContentHash = rev.Hash()
	w.src.revisions[it.ID] = append(w.src.revisions[it.ID], rev)
	it.Title, it.State, it.HeadRevisionID, it.UpdatedAt = title, rev.State, rev.ID, at
	w.record(editor, cms.AuditRevisionCreated, fmt.Sprintf("revision:%d", rev.ID), map[string]any{"content_hash": rev.ContentHash})
	return rev
}

// fire moves a revision through one event, as WorkflowService does.
func (w *world) fire(it *cms.Item, rev *cms.Revision, ev cms.Event, actor int64, role cms.Role, comment string) {
	at := w.tick()
	to := map[cms.Event]cms.State{cms.EventSubmit: cms.StateDeptReview, cms.EventApprove: cms.StateLeadershipSignoff,
		cms.EventSign: cms.StateSecrecyReview, cms.EventClear: cms.StateScheduled, cms.EventPublish: cms.StatePublished,
		cms.EventReject: cms.StateDraft, cms.EventWithdraw: cms.StateDraft, cms.EventArchive: cms.StateArchived}[ev]
	if ev == cms.EventSign && role != cms.RoleDirector {
		to = rev.State
	}
	if ev == cms.EventPublish && rev.Action == cms.ActionUnpublish {
		to = cms.StateArchived
	}
	hash := rev.Hash()
	tr := cms.Transition{ID: w.id(), RevisionID: rev.ID, ItemID: it.ID, RevisionNumber: rev.Number, Version: rev.Version + 1,
		Event: ev, From: rev.State, To: to, ActorID: actor, ActorRole: role, Comment: comment, ContentHash: hash,
		SignoffStep: rev.SignoffStep, At: at}
	w.src.transitions[it.ID] = append(w.src.transitions[it.ID], tr)
	rev.State, rev.Version, rev.UpdatedAt = to, rev.Version+1, at
	switch ev {
	case cms.EventSign:
		rev.SignoffStep++
	case cms.EventClear:
		rev.ApprovedHash = hash
	case cms.EventReject, cms.EventWithdraw:
		rev.ApprovedHash, rev.SignoffStep = "", 0
	case cms.EventPublish:
		w.goLive(it, rev, at)
	}
	it.State = w.src.revisions[it.ID][len(w.src.revisions[it.ID])-1].State
	detail := map[string]any{"event": string(ev), "from": string(tr.From), "to": string(to), "role": string(role),
		"item_id": it.ID, "content_hash": hash}
	if comment != "" {
		detail["comment"] = comment
	}
	w.record(actor, cms.AuditTransition, fmt.Sprintf("revision:%d", rev.ID), detail)
}

func (w *world) goLive(it *cms.Item, rev *cms.Revision, at time.Time) {
	for _, old := range w.src.revisions[it.ID] {
		if old.ID == it.LiveRevisionID && old != rev {
			old.State = cms.StateSuperseded
			if rev.Action == cms.ActionUnpublish {
				old.State = cms.StateArchived
			}
		}
	}
	rev.PublishedAt = at
	it.LiveRevisionID = rev.ID
	if rev.Action == cms.ActionUnpublish {
		it.LiveRevisionID = 0
	}
	if it.PublishedAt.IsZero() {
		it.PublishedAt = at
	}
}

// approve takes a draft through the whole chain to publication.
func (w *world) approve(it *cms.Item, rev *cms.Revision, comments [5]string) {
	w.fire(it, rev, cms.EventSubmit, editor, cms.RoleEditor, comments[0])
	w.fire(it, rev, cms.EventApprove, deptHead, cms.RoleDeptHead, comments[1])
	w.fire(it, rev, cms.EventSign, leader, cms.RoleLeader, comments[2])
	w.fire(it, rev, cms.EventSign, director, cms.RoleDirector, comments[3])
	w.fire(it, rev, cms.EventClear, secrecy, cms.RoleSecrecyReviewer, comments[4])
	w.fire(it, rev, cms.EventPublish, pub, cms.RolePublisher, "")
}

// record appends an audit entry chained to the last one, as the store does.
func (w *world) record(actor int64, action, subject string, detail map[string]any) {
	e := cms.NewAuditEntry(w.now, actor, action, subject, detail)
	e.Seq, e.PrevHash = int64(len(w.src.audit)+1), cms.AuditGenesis
	if n := len(w.src.audit); n > 0 {
		e.PrevHash = w.src.audit[n-1].Hash
	}
	e.Hash = e.ChainHash(e.PrevHash)
	w.src.audit = append(w.src.audit, e)
}

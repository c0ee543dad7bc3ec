package storage_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestItemRoundTripKeepsTheContentHash(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := newItem(t, db, ed, "policies-general", "关于调整住房公积金缴存基数的通知", "# 通知\n\n正文")
	// Numbers must come back exactly as written, or the hash recorded at
	// approval would no longer match the stored content.
	rev.Fields = map[string]any{"document_number": "皖公积金〔2026〕1号", "rate": json.Number("0.1"),
		"ceiling": json.Number("35000"), "tags": []any{"缴存", "基数"}}
	rev.PublishAt, rev.ExpireAt = t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	rev.ContentHash = rev.Hash()
	if err := db.CreateItem(ctx, it, rev, note(cms.AuditItemCreated, "")); err != nil {
		t.Fatal(err)
	}
	if it.ID == 0 || rev.ID == 0 || rev.ItemID != it.ID || it.HeadRevisionID != rev.ID {
		t.Fatalf("ids not set: item %+v revision %d/%d", it, rev.ID, rev.ItemID)
	}
	gotIt, err := db.Item(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotIt.HeadRevisionID != rev.ID || gotIt.LiveRevisionID != 0 || gotIt.Title != rev.Title ||
		gotIt.State != cms.StateDraft || gotIt.ContentType != cms.TypePolicy || !gotIt.CreatedAt.Equal(it.CreatedAt) {
		t.Errorf("item read back as %+v", gotIt)
	}
	got, err := db.Revision(ctx, rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != rev.ContentHash || got.ContentHash != rev.ContentHash {
		t.Errorf("hash after round trip %s (stored %s), want %s; fields %#v", got.Hash(), got.ContentHash, rev.ContentHash, got.Fields)
	}
	if !got.PublishAt.Equal(rev.PublishAt) || !got.ExpireAt.Equal(rev.ExpireAt) || got.Number != 1 || got.Version != 1 {
		t.Errorf("revision read back as %+v", got)
	}
}

func TestItemNotFound(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "t", "")
	_, err := db.Item(ctx, it.ID+1)
	wantCode(t, err, cms.ENOTFOUND)
	_, err = db.Revision(ctx, rev.ID+1)
	wantCode(t, err, cms.ENOTFOUND)
	revs, err := db.Revisions(ctx, it.ID+1)
	if err != nil || len(revs) != 0 {
		t.Errorf("revisions of a missing item: %v %v", revs, err)
	}
}

func TestCreateItemRefusalLeavesNothing(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := newItem(t, db, ed, "news", "标题", "")
	it.Column = "no-such-column"
	seq := auditSeq(t, db)
	wantCode(t, db.CreateItem(ctx, it, rev, note(cms.AuditItemCreated, "")), cms.EINVALID)
	if auditSeq(t, db) != seq {
		t.Error("a refused item left an audit entry")
	}
	items, _ := db.Items(ctx, cms.ItemFilter{Departments: []string{"office"}, Limit: 10})
	if len(items) != 0 {
		t.Errorf("a refused item is listed: %+v", items)
	}
}

func TestItemsKeysetPagination(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	var ids []int64
	for i := range 5 {
		it, _ := mustItem(t, db, ed, "news", "新闻"+itoa(int64(i)), "")
		ids = append([]int64{it.ID}, ids...) // newest first
	}
	list := func(before int64, limit int) []int64 {
		items, err := db.Items(context.Background(), cms.ItemFilter{Departments: []string{"office"}, Before: before, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	cases := []struct {
		name   string
		before int64
		limit  int
		want   []int64
	}{
		{"first page", 0, 2, ids[:2]},
		{"second page", ids[1], 2, ids[2:4]},
		{"short last page", ids[3], 2, ids[4:]},
		{"after the oldest", ids[4], 2, nil},
		{"all at once", 0, 10, ids},
		{"cursor beyond the newest", ids[0] + 1, 1, ids[:1]},
	}
	for _, c := range cases {
		if got := list(c.before, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestItemsFilter(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	fin := mustUser(t, db, "fin", "finance")
	news, _ := mustItem(t, db, ed, "news", "100% 提取_通知", "")
	policy, _ := mustItem(t, db, ed, "policies-general", "Loan RULES 贷款 1000", "")
	finNews, _ := mustItem(t, db, fin, "news", "提取公告", "")
	sent, sentRev := mustItem(t, db, ed, "news", "领取及通告", "")
	mustFire(t, db, sent, sentRev, cms.EventSubmit, cms.StateDeptReview)
	both := []string{"office", "finance"}
	cases := []struct {
		name   string
		filter cms.ItemFilter
		want   []int64
	}{
		{"readable departments only", cms.ItemFilter{Departments: []string{"finance"}}, []int64{finNews.ID}},
		{"no readable department", cms.ItemFilter{}, nil},
		{"column", cms.ItemFilter{Departments: both, Column: "news"}, []int64{sent.ID, finNews.ID, news.ID}},
		{"department", cms.ItemFilter{Departments: both, Department: "office"}, []int64{sent.ID, policy.ID, news.ID}},
		{"department outside the readable ones", cms.ItemFilter{Departments: []string{"office"}, Department: "finance"}, nil},
		{"state", cms.ItemFilter{Departments: both, State: cms.StateDeptReview}, []int64{sent.ID}},
		{"query in Chinese", cms.ItemFilter{Departments: both, Query: "提取"}, []int64{finNews.ID, news.ID}},
		{"query ignores case", cms.ItemFilter{Departments: both, Query: "loan rules"}, []int64{policy.ID}},
		{"percent is literal", cms.ItemFilter{Departments: both, Query: "100%"}, []int64{news.ID}},
		{"underscore is literal", cms.ItemFilter{Departments: both, Query: "取_通"}, []int64{news.ID}},
		{"wildcard alone matches no title without it", cms.ItemFilter{Departments: both, Query: "%贷"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.filter.Limit = 10
			items, err := db.Items(context.Background(), c.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestUpdateRevisionIsCompareAndSet(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "初稿", "")
	edit := func(base *cms.Revision, title string) *cms.Revision {
		r := *base
		r.Title, r.Version, r.UpdatedAt = title, base.Version+1, tick()
		r.ContentHash = r.Hash()
		return &r
	}
	v2 := edit(rev, "二稿")
	if err := db.UpdateRevision(ctx, v2, editNote(v2, cms.AuditRevisionEdited)); err != nil {
		t.Fatal(err)
	}
	seq := auditSeq(t, db)
	cases := []struct {
		name string
		rev  *cms.Revision
	}{
		{"stale version", edit(rev, "基于初稿")},
		{"future version", edit(edit(v2, "x"), "跳过一版")},
		{"other state", func() *cms.Revision { r := edit(v2, "审核中"); r.State = cms.StateDeptReview; return r }()},
	}
	for _, c := range cases {
		wantCode(t, db.UpdateRevision(ctx, c.rev, editNote(c.rev, cms.AuditRevisionEdited)), cms.EPRECONDITION)
	}
	if auditSeq(t, db) != seq {
		t.Error("a refused edit left an audit entry")
	}
	got, _ := db.Revision(ctx, rev.ID)
	gotIt, _ := db.Item(ctx, it.ID)
	if got.Title != "二稿" || got.Version != 2 || got.ContentHash != v2.ContentHash || gotIt.Title != "二稿" {
		t.Errorf("after refused edits: revision %q v%d, item %q", got.Title, got.Version, gotIt.Title)
	}
}

func TestUpdateRevisionConcurrentWritersOneWins(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	_, rev := mustItem(t, db, ed, "news", "初稿", "")
	titles := []string{"甲的修改", "乙的修改"}
	errs := race(func() error {
		r := *rev
		r.Title, r.Version = titles[0], 2
		return db.UpdateRevision(ctx, &r, editNote(&r, cms.AuditRevisionEdited))
	}, func() error {
		r := *rev
		r.Title, r.Version = titles[1], 2
		return db.UpdateRevision(ctx, &r, editNote(&r, cms.AuditRevisionEdited))
	})
	w := oneWinner(t, errs, cms.EPRECONDITION)
	if got, _ := db.Revision(ctx, rev.ID); got.Title != titles[w] || got.Version != 2 {
		t.Errorf("stored %q v%d, want the winner's %q v2", got.Title, got.Version, titles[w])
	}
}

func TestUpdateOfAnOldRevisionLeavesTheItemTitle(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, first := mustItem(t, db, ed, "news", "第一版", "")
	mustNewHead(t, db, it, first, "第二版")
	r := *first
	r.Title, r.Version = "改了第一版", first.Version+1
	if err := db.UpdateRevision(ctx, &r, editNote(&r, cms.AuditRevisionEdited)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Item(ctx, it.ID); got.Title != "第二版" {
		t.Errorf("item title %q, want the head's 第二版", got.Title)
	}
}

func TestAddRevision(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, first := mustItem(t, db, ed, "news", "第一版", "")
	mustAttach(t, db, first, "a.pdf", blobKey("a"))
	second := mustNewHead(t, db, it, first, "第二版")
	if second.Number != 2 || it.HeadRevisionID != second.ID {
		t.Fatalf("second revision %d (#%d), head %d", second.ID, second.Number, it.HeadRevisionID)
	}
	revs, err := db.Revisions(ctx, it.ID)
	if err != nil || len(revs) != 2 || revs[0].ID != first.ID || revs[1].ID != second.ID {
		t.Fatalf("revisions oldest first: %+v %v", revs, err)
	}
	if len(revs[1].Attachments) != 1 || revs[1].Attachments[0].Key != blobKey("a") || revs[1].Attachments[0].ID == first.Attachments[0].ID {
		t.Errorf("the new revision's attachments %+v, want a copy of %+v", revs[1].Attachments, first.Attachments)
	}
	if got, _ := db.Item(ctx, it.ID); got.HeadRevisionID != second.ID || got.Title != "第二版" {
		t.Errorf("item %+v", got)
	}

	seq := auditSeq(t, db)
	stale := *second
	stale.ID, stale.Number = 0, 3
	staleIt := *it
	wantCode(t, db.AddRevision(ctx, &staleIt, &stale, first.ID, note(cms.AuditRevisionCreated, "")), cms.ECONFLICT)
	dup := *second
	dup.ID = 0
	dupIt := *it
	wantCode(t, db.AddRevision(ctx, &dupIt, &dup, second.ID, note(cms.AuditRevisionCreated, "")), cms.ECONFLICT)
	if revs, _ := db.Revisions(ctx, it.ID); len(revs) != 2 || auditSeq(t, db) != seq {
		t.Errorf("refused revisions left %d revisions and %d audit entries", len(revs), auditSeq(t, db)-seq)
	}
}

func TestAddRevisionConcurrentWritersOneWins(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, first := mustItem(t, db, ed, "news", "第一版", "")
	add := func(title string) func() error {
		return func() error {
			r := *first
			r.ID, r.Number, r.Title = 0, 2, title
			i := *it
			return db.AddRevision(ctx, &i, &r, first.ID, note(cms.AuditRevisionCreated, ""))
		}
	}
	oneWinner(t, race(add("甲"), add("乙")), cms.ECONFLICT)
	if revs, _ := db.Revisions(ctx, it.ID); len(revs) != 2 {
		t.Errorf("%d revisions, want 2", len(revs))
	}
	db2 := storagetest.Open(t) // the same race where the numbers differ: only the head check can stop it
	ed2 := mustUser(t, db2, "e", "office")
	it2, first2 := mustItem(t, db2, ed2, "news", "第一版", "")
	add2 := func(n int) func() error {
		return func() error {
			r := *first2
			r.ID, r.Number = 0, n
			i := *it2
			return db2.AddRevision(ctx, &i, &r, first2.ID, note(cms.AuditRevisionCreated, ""))
		}
	}
	oneWinner(t, race(add2(2), add2(3)), cms.ECONFLICT)
	if revs, _ := db2.Revisions(ctx, it2.ID); len(revs) != 2 {
		t.Errorf("%d revisions after racing heads, want 2", len(revs))
	}
}

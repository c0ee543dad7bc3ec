package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// mustLive stores an item in column and publishes it at at.
func mustLive(tb testing.TB, db *storage.DB, author *cms.User, column, title, body string, at time.Time) (*cms.Item, *cms.Revision) {
	tb.Helper()
	it, rev := mustItem(tb, db, author, column, title, body)
	mustPublish(tb, db, it, rev, at)
	return it, rev
}

func TestPublicItemProjection(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	it, rev := newItem(t, db, ed, "policies-general", "住房公积金管理条例", "第一条 为了加强住房公积金的管理。")
	rev.Fields = map[string]any{"document_number": "国务院令第350号", "validity": "现行有效", "body_only": "不在摘要里"}
	rev.ContentHash = rev.Hash()
	if err := db.CreateItem(ctx, it, rev, note(cms.AuditItemCreated, "")); err != nil {
		t.Fatal(err)
	}
	at := tick()
	mustPublish(t, db, it, rev, at)
	p, err := db.PublicItem(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ItemID != it.ID || p.RevisionID != rev.ID || p.Column != "policies-general" || p.ContentType != cms.TypePolicy ||
		p.Title != rev.Title || p.ContentHash != rev.ContentHash || !p.PublishedAt.Equal(at) || !p.UpdatedAt.Equal(at) {
		t.Errorf("projection %+v", p)
	}
	if len(p.Summary) != 2 || p.Summary["document_number"] != "国务院令第350号" || p.Summary["validity"] != "现行有效" {
		t.Errorf("summary %v, want the policy's listing fields only", p.Summary)
	}
	if rows, err := db.ProjectionRows(ctx, 0, 10); err != nil || len(rows) != 1 || rows[0].PlainText == "" || rows[0].SearchText == "" {
		t.Errorf("the patrol's rows lack the plain text or the search text: %+v %v", rows, err)
	}
	_, err = db.PublicItem(ctx, it.ID+1)
	wantCode(t, err, cms.ENOTFOUND)
	draft, _ := mustItem(t, db, ed, "news", "未发布", "")
	_, err = db.PublicItem(ctx, draft.ID)
	wantCode(t, err, cms.ENOTFOUND)
}

func TestPublicItemsOrderAndKeyset(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	tie := t0.Add(time.Hour)
	a, _ := mustLive(t, db, ed, "news", "甲", "", tie)
	b, _ := mustLive(t, db, ed, "news", "乙", "", tie) // same instant: the larger id first
	c, _ := mustLive(t, db, ed, "news", "丙", "", tie.Add(time.Microsecond))
	d, _ := mustLive(t, db, ed, "policies-general", "丁", "", tie.Add(-time.Second))
	e, _ := mustLive(t, db, ed, "faq-loan", "戊", "", tie.Add(-time.Minute))
	all := []int64{c.ID, b.ID, a.ID, d.ID, e.ID}
	cases := []struct {
		name    string
		filter  cms.PublicFilter
		want    []int64
		columns []string
	}{
		{"newest publication first", cms.PublicFilter{Limit: 10}, all, nil},
		{"first page", cms.PublicFilter{Limit: 2}, all[:2], nil},
		{"page inside a tie", cms.PublicFilter{Limit: 2, BeforeTime: b.PublishedAt, BeforeID: b.ID}, []int64{a.ID, d.ID}, nil},
		{"page after the newest", cms.PublicFilter{Limit: 10, BeforeTime: c.PublishedAt, BeforeID: c.ID}, all[1:], nil},
		{"page after the oldest", cms.PublicFilter{Limit: 10, BeforeTime: e.PublishedAt, BeforeID: e.ID}, nil, nil},
		{"one column", cms.PublicFilter{Limit: 10, Columns: []string{"news"}}, all[:3], nil},
		{"two columns", cms.PublicFilter{Limit: 10, Columns: []string{"faq-loan", "policies-general"}}, all[3:], nil},
		{"column with nothing", cms.PublicFilter{Limit: 10, Columns: []string{"guides-loan"}}, nil, nil},
	}
	for _, k := range cases {
		ps, err := db.PublicItems(ctx, k.filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, p := range ps {
			got = append(got, p.ItemID)
		}
		if !slices.Equal(got, k.want) {
			t.Errorf("%s: got %v, want %v", k.name, got, k.want)
		}
	}
	// Walking page by page visits every item once.
	var walked []int64
	f := cms.PublicFilter{Limit: 2}
	for {
		ps, err := db.PublicItems(ctx, f)
		if err != nil || len(ps) == 0 {
			break
		}
		for _, p := range ps {
			walked = append(walked, p.ItemID)
		}
		last := ps[len(ps)-1]
		f.BeforeTime, f.BeforeID = last.PublishedAt, last.ItemID
	}
	if !slices.Equal(walked, all) {
		t.Errorf("walk by pages of 2: %v, want %v", walked, all)
	}
}

func TestSearchChinese(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	title, _ := mustLive(t, db, ed, "news", "住房公积金缴存基数调整", "每年七月调整一次。", tick())
	body, _ := mustLive(t, db, ed, "news", "办事指南", "提取住房公积金需要携带身份证。", tick())
	loan, _ := mustLive(t, db, ed, "policies-general", "贷款利率", "公积金贷款利率下调。", tick())
	latin, _ := mustLive(t, db, ed, "news", "App Release", "Hello World 2026", tick())
	mustLive(t, db, ed, "news", "公积、积金", "两个词分开：住房 公积", tick()) // every bigram of 公积金, none adjacent
	mustItem(t, db, ed, "news", "住房公积金草稿", "未发布的住房公积金")
	cases := []struct {
		name    string
		query   string
		columns []string
		offset  int
		limit   int
		want    []int64
		ranked  bool // the order of want matters
	}{
		{"phrase, title before body", "住房公积金", nil, 0, 10, []int64{title.ID, body.ID}, true},
		{"bigrams must be adjacent", "公积金", nil, 0, 10, []int64{title.ID, body.ID, loan.ID}, false},
		{"one character", "贷", nil, 0, 10, []int64{loan.ID}, false},
		{"every phrase must occur", "公积金 身份证", nil, 0, 10, []int64{body.ID}, false},
		{"column", "公积金", []string{"policies-general"}, 0, 10, []int64{loan.ID}, false},
		{"latin words ignore case", "hello", nil, 0, 10, []int64{latin.ID}, false},
		{"offset", "住房公积金", nil, 1, 10, []int64{body.ID}, true},
		{"limit", "住房公积金", nil, 0, 1, []int64{title.ID}, true},
		{"no match", "商业贷款", nil, 0, 10, nil, false},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			hits, err := db.Search(ctx, cms.QueryPhrases(k.query), cms.PublicFilter{Columns: k.columns, Offset: k.offset, Limit: k.limit})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range hits {
				got = append(got, h.Item.ItemID)
				if h.Item.PlainText == "" || h.Item.Title == "" {
					t.Errorf("hit %d lacks its title or text: %+v", h.Item.ItemID, h.Item)
				}
			}
			if !k.ranked {
				slices.Sort(got)
			}
			if !slices.Equal(got, k.want) {
				t.Errorf("got %v, want %v", got, k.want)
			}
		})
	}
	if hits, err := db.Search(ctx, nil, cms.PublicFilter{Limit: 10}); err != nil || len(hits) != 0 {
		t.Errorf("empty query: %v %v", hits, err)
	}
}

// TestSearchRanksTheNewestMatches: a search ranks (and finds) only the
// newest SearchRanked matches, in every column or in some.
func TestSearchRanksTheNewestMatches(t *testing.T) {
	t.Parallel()
	url := storagetest.URL(t)
	db := storagetest.OpenURL(t, url)
	ed := mustUser(t, db, "editor", "office", cms.RoleBinding{Role: cms.RoleEditor, Department: "office"})
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		it, _ := mustLive(t, db, ed, "news", fmt.Sprintf("公积金通知 %d", i), "正文", tick())
		ids = append(ids, it.ID)
	}
	capped, err := storage.Open(ctx, url, storage.SearchRanked(3))
	if err != nil {
		t.Fatal(err)
	}
	defer capped.Close()
	for _, cols := range [][]string{nil, {"news"}} {
		for _, k := range []struct {
			db   *storage.DB
			want []int64
		}{{db, ids}, {capped, ids[2:]}} {
			hits, err := k.db.Search(ctx, cms.QueryPhrases("公积金"), cms.PublicFilter{Columns: cols, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range hits {
				got = append(got, h.Item.ItemID)
			}
			slices.Sort(got)
			if !slices.Equal(got, k.want) {
				t.Errorf("columns %v: found %v, want %v", cols, got, k.want)
			}
		}
	}
}

// TestListingPageFollowsItsColumn: a stored first page is handed out while
// its version is its column's: a change in another column leaves it, one
// in its column or of the structure retires it; a page of an older
// version does not replace a newer one.
func TestListingPageFollowsItsColumn(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	mustLive(t, db, ed, "news", "甲", "", tick())
	save := func(doc string) int64 {
		t.Helper()
		v, err := db.ColumnVersion(ctx, "news")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveListingPage(ctx, &cms.ListingPage{Column: "news", Version: v, Doc: []byte(doc), MAC: "m"}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	stored := func() string {
		t.Helper()
		p, err := db.ListingPage(ctx, "news")
		if cms.ErrorCode(err) == cms.ENOTFOUND {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(p.Doc)
	}
	v1 := save("page 1")
	if got := stored(); got != "page 1" {
		t.Fatalf("stored page %q", got)
	}
	mustLive(t, db, ed, "policies-general", "乙", "", tick())
	if got := stored(); got != "page 1" {
		t.Errorf("after a publication in another column: %q", got)
	}
	mustLive(t, db, ed, "news", "丙", "", tick())
	if got := stored(); got != "" {
		t.Errorf("after a publication in the column: %q", got)
	}
	v2 := save("page 2")
	if v2 <= v1 {
		t.Fatalf("versions %d then %d", v1, v2)
	}
	if err := db.SaveListingPage(ctx, &cms.ListingPage{Column: "news", Version: v1, Doc: []byte("old"), MAC: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != "page 2" {
		t.Errorf("after saving an older page: %q", got)
	}
	ch, err := db.Channel(ctx, "wechat")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMaintenance(ctx, ch, note(cms.AuditMaintenanceChanged, "channel:wechat")); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != "" {
		t.Errorf("after a change of structure: %q", got)
	}
}

func TestRepublishAndTakeDownUpdateTheIndex(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	search := func(q string) []int64 {
		hits, err := db.Search(ctx, cms.QueryPhrases(q), cms.PublicFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range hits {
			ids = append(ids, h.Item.ItemID)
		}
		return ids
	}
	it, first := mustLive(t, db, ed, "news", "旧标题缴存", "旧正文", tick())
	second := mustNewHead(t, db, it, first, "新标题提取")
	mustPublish(t, db, it, second, tick())
	if got := search("缴存"); len(got) != 0 {
		t.Errorf("the superseded title is still found: %v", got)
	}
	if got := search("提取"); !slices.Equal(got, []int64{it.ID}) {
		t.Errorf("the new title is not found: %v", got)
	}
	if ps, _ := db.PublicItems(ctx, cms.PublicFilter{Limit: 10}); len(ps) != 1 || ps[0].Title != "新标题提取" || ps[0].RevisionID != second.ID {
		t.Errorf("listing after republication: %+v", ps)
	}
	mustTakeDown(t, db, it, second)
	if got := search("提取"); len(got) != 0 {
		t.Errorf("an item taken down is still found: %v", got)
	}
	if ps, _ := db.PublicItems(ctx, cms.PublicFilter{Limit: 10}); len(ps) != 0 {
		t.Errorf("an item taken down is still listed: %+v", ps)
	}
}

func TestChangeLog(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	v0 := mustVersion(t, db)
	a, aRev := mustLive(t, db, ed, "news", "甲", "", tick())
	b, _ := mustLive(t, db, ed, "news", "乙", "", tick())
	vB := mustVersion(t, db)
	if err := db.SetMaintenance(ctx, withNotice(t, db, "app", cms.Maintenance{Notice: "维护"}), note(cms.AuditMaintenanceChanged, "")); err != nil {
		t.Fatal(err)
	}
	if v := mustVersion(t, db); v != vB+1 {
		t.Errorf("a structural change moved the version %d -> %d, want one step", vB, v)
	}
	mustTakeDown(t, db, a, aRev)
	vEnd := mustVersion(t, db)
	if vEnd != v0+4 {
		t.Errorf("content version %d -> %d after four changes", v0, vEnd)
	}
	cases := []struct {
		name  string
		after int64
		limit int
		want  []int64 // item ids, oldest latest change first
	}{
		{"everything, each item once", v0, 10, []int64{b.ID, a.ID}},
		{"limit", v0, 1, []int64{b.ID}},
		{"after b", vB, 10, []int64{a.ID}},
		{"up to date", vEnd, 10, nil},
	}
	for _, k := range cases {
		cs, err := db.Changes(ctx, k.after, k.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, c := range cs {
			got = append(got, c.ItemID)
			if c.Seq <= k.after {
				t.Errorf("%s: change %d is not after %d", k.name, c.Seq, k.after)
			}
		}
		if !slices.Equal(got, k.want) {
			t.Errorf("%s: got %v, want %v", k.name, got, k.want)
		}
	}
	if cs, _ := db.Changes(ctx, v0, 10); len(cs) == 2 && cs[1].Seq != vEnd {
		t.Errorf("item %d's latest change is %d, want %d", a.ID, cs[1].Seq, vEnd)
	}
}

// TestStoredDocuments: item detail and listings read the documents the
// projection stores, by item and by keyset, in the order and pages
// PublicItems gives on both databases; a new publication replaces them.
func TestStoredDocuments(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	tie := t0.Add(time.Hour)
	a, ra := mustLive(t, db, ed, "news", "甲", "", tie)
	b, _ := mustLive(t, db, ed, "news", "乙", "", tie) // same instant: the larger id first
	c, _ := mustLive(t, db, ed, "news", "丙", "", tie.Add(time.Microsecond))
	mustLive(t, db, ed, "policies-general", "丁", "", tie.Add(-time.Second))
	d, _ := mustLive(t, db, ed, "news", "戊", "", tie.Add(-time.Minute))

	p, err := db.ItemDocument(ctx, a.ID)
	if err != nil || p.ItemID != a.ID || p.RevisionID != ra.ID || string(p.Doc) != fmt.Sprintf(`{"id":%d,"rev":%d}`+"\n", a.ID, ra.ID) ||
		p.DocMAC != fmt.Sprintf("doc-mac-%d", a.ID) {
		t.Errorf("document %+v %v", p, err)
	}
	_, err = db.ItemDocument(ctx, a.ID+100)
	wantCode(t, err, cms.ENOTFOUND)

	news := []int64{c.ID, b.ID, a.ID, d.ID}
	for _, limit := range []int{1, 2, 3, 10} {
		var walked []int64
		f := cms.PublicFilter{Columns: []string{"news"}, Limit: limit}
		for {
			ps, err := db.ListEntries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.PublicItems(ctx, f)
			if err != nil || len(want) != len(ps) {
				t.Fatalf("limit %d: %d entries, %d rows (%v)", limit, len(ps), len(want), err)
			}
			for i, p := range ps {
				if p.ItemID != want[i].ItemID || p.RevisionID != want[i].RevisionID || !p.PublishedAt.Equal(want[i].PublishedAt) ||
					string(p.Entry) != fmt.Sprintf(`{"id":%d}`, p.ItemID) || p.EntryMAC != fmt.Sprintf("entry-mac-%d", p.ItemID) {
					t.Errorf("limit %d: entry %+v, row %+v", limit, p, want[i])
				}
				walked = append(walked, p.ItemID)
			}
			if len(ps) < limit {
				break
			}
			f.BeforeTime, f.BeforeID = ps[len(ps)-1].PublishedAt, ps[len(ps)-1].ItemID
		}
		if !slices.Equal(walked, news) {
			t.Errorf("limit %d: walked %v, want %v", limit, walked, news)
		}
	}

	rev := mustNewHead(t, db, a, ra, "甲（修订）")
	mustPublish(t, db, a, rev, tick())
	if p, err := db.ItemDocument(ctx, a.ID); err != nil || p.RevisionID != rev.ID || !strings.Contains(string(p.Doc), fmt.Sprintf(`"rev":%d`, rev.ID)) {
		t.Errorf("after a new publication: %+v %v", p, err)
	}

	// Rows without documents are found and given theirs, unless they
	// changed since they were read.
	for _, q := range []string{"DELETE FROM public_docs WHERE item_id IN (?, ?)", "DELETE FROM public_entries WHERE item_id IN (?, ?)",
		"UPDATE public_items SET docs_revision_id = 0 WHERE item_id IN (?, ?)"} {
		if _, err := db.Bun().ExecContext(ctx, q, b.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if ps, err := db.ListEntries(ctx, cms.PublicFilter{Columns: []string{"news"}, Limit: 10}); err != nil || len(ps) != 4 ||
		ps[0].ItemID != c.ID || ps[0].Entry != nil || ps[1].Entry != nil || ps[2].Entry == nil {
		t.Errorf("entries with two missing: %+v %v", ps, err)
	}
	_, err = db.ItemDocument(ctx, b.ID)
	wantCode(t, err, cms.ENOTFOUND)
	page, err := db.Undocumented(ctx, 0, 10)
	if err != nil || len(page) != 2 || page[0].ItemID != b.ID || page[1].ItemID != c.ID {
		t.Fatalf("undocumented %+v %v", page, err)
	}
	page[0].Doc, page[0].Entry, page[0].DocMAC, page[0].EntryMAC = []byte("{}\n"), []byte("{}"), "m1", "m2"
	page[1].Doc, page[1].Entry, page[1].MAC = []byte("{}\n"), []byte("{}"), "resealed meanwhile"
	if n, err := db.SaveDocuments(ctx, page); err != nil || n != 1 {
		t.Fatalf("saved %d, %v; want 1", n, err)
	}
	if p, err := db.ItemDocument(ctx, b.ID); err != nil || string(p.Doc) != "{}\n" || p.DocMAC != "m1" {
		t.Errorf("saved document %+v %v", p, err)
	}
	if page, err := db.Undocumented(ctx, 0, 10); err != nil || len(page) != 1 || page[0].ItemID != c.ID {
		t.Errorf("still undocumented %+v %v", page, err)
	}
	// A row moved to another revision by a server that stores no
	// documents loses the previous revision's.
	if _, err := db.Bun().ExecContext(ctx, "UPDATE public_items SET revision_id = ? WHERE item_id = ?", c.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.ItemDocument(ctx, b.ID)
	wantCode(t, err, cms.ENOTFOUND)
	if ps, err := db.ListEntries(ctx, cms.PublicFilter{Columns: []string{"news"}, Limit: 10}); err != nil || len(ps) != 4 || ps[1].Entry != nil {
		t.Errorf("entries after the move: %+v %v", ps, err)
	}
}

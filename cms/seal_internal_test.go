package cms

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// echoRenderer renders a body as itself, in a paragraph.
type echoRenderer struct{}

func (echoRenderer) HTML(body, _ string) string { return "<p>" + body + "</p>\n" }
func (echoRenderer) Text(body, _ string) string { return body }

func testKeys(tb testing.TB) *Keys {
	tb.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{0x5a}, MasterKeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// sealedItem is a published guide's projection row, sealed.
func sealedItem(tb testing.TB, bodyLen int) *PublicItem {
	tb.Helper()
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	it := &Item{ID: 7, Column: "guides-deposit", ContentType: TypeGuide, PublishedAt: at}
	rev := &Revision{ID: 9, ItemID: 7, Title: "住房公积金缴存登记", Body: strings.Repeat("单位为职工办理缴存登记，", bodyLen/12+1)[:bodyLen],
		BodyFormat: FormatMarkdown, PublishedAt: at, ContentHash: strings.Repeat("ab", 32),
		Fields: map[string]any{"conditions": []any{"新设立的单位"}, "time_limit": "即时办结", "place": "市政务服务中心 <3 楼>",
			"fees": json.Number("0"), "steps": []any{map[string]any{"title": "提交材料"}}}}
	p := NewPublicItem(it, rev, echoRenderer{})
	testKeys(tb).SealPublicItem(p)
	return p
}

// roundTrip stores p's JSON maps and times as the stores do and reads them
// back: the seal must still hold.
func roundTrip(tb testing.TB, p *PublicItem) *PublicItem {
	tb.Helper()
	q := *p
	for _, m := range []*map[string]any{&q.Summary, &q.Fields} {
		b, err := json.Marshal(*m)
		if err != nil {
			tb.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		*m = nil
		if err := dec.Decode(m); err != nil {
			tb.Fatal(err)
		}
	}
	q.PublishedAt = q.PublishedAt.Truncate(time.Microsecond).In(time.FixedZone("CST", 8*3600))
	q.UpdatedAt = q.UpdatedAt.Truncate(time.Microsecond)
	return &q
}

// TestPublicItemSeal: a sealed row checks at every level after a round trip
// through storage; changing any field it serves breaks the level that
// serves it.
func TestPublicItemSeal(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	p := roundTrip(t, sealedItem(t, 600))
	for _, l := range []checkLevel{checkHeader, checkText, checkDetail, checkAll} {
		if reason := k.checkPublicItem(p, l); reason != "" {
			t.Fatalf("level %d after a round trip: %s", l, reason)
		}
	}
	all := []checkLevel{checkHeader, checkText, checkDetail, checkAll}
	text, detail, patrol := []checkLevel{checkText, checkAll}, []checkLevel{checkDetail, checkAll}, []checkLevel{checkAll}
	tests := []struct {
		name   string
		change func(p *PublicItem)
		levels []checkLevel // those that must notice
	}{
		{"title", func(p *PublicItem) { p.Title = "【篡改】假通知" }, all},
		{"column", func(p *PublicItem) { p.Column = "news" }, all},
		{"revision", func(p *PublicItem) { p.RevisionID++ }, all},
		{"content hash", func(p *PublicItem) { p.ContentHash = strings.Repeat("cd", 32) }, all},
		{"published at", func(p *PublicItem) { p.PublishedAt = p.PublishedAt.Add(time.Hour) }, all},
		{"digest with its text", func(p *PublicItem) { p.PlainText = "假"; p.TextDigest = textDigest(p) }, all},
		{"plain text", func(p *PublicItem) { p.PlainText += "请拨打 400" }, text},
		{"html", func(p *PublicItem) { p.BodyHTML = `<p><a href="https://evil.example">办理</a></p>` }, detail},
		{"fields", func(p *PublicItem) { p.FieldsJSON = strings.Replace(p.FieldsJSON, "即时办结", "30个工作日", 1) }, detail},
		{"summary text", func(p *PublicItem) {
			p.SummaryJSON = strings.Replace(p.SummaryJSON, "即时办结", "30个工作日", 1)
		}, all},
		{"search text", func(p *PublicItem) { p.SearchText += " 假冒" }, patrol},
		{"served revision", func(p *PublicItem) { p.RevisionDigest = digest("another") }, all},
		{"no MAC", func(p *PublicItem) { p.MAC = "" }, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := roundTrip(t, sealedItem(t, 600))
			tc.change(q)
			for l := checkHeader; l <= checkAll; l++ {
				if got := k.checkPublicItem(q, l) != ""; got != slices.Contains(tc.levels, l) {
					t.Errorf("level %d noticed: %v", l, got)
				}
			}
		})
	}
	other, _ := NewKeys(bytes.Repeat([]byte{0x5b}, MasterKeySize))
	if other.checkPublicItem(p, checkHeader) == "" {
		t.Error("another key accepts the seal")
	}
}

// TestStructureSeals: each structure row's MAC covers every field served.
func TestStructureSeals(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	e := MenuEntry{ID: 3, Channel: "app", Slug: "news", Title: "新闻动态", Path: "news", Column: "news", Enabled: true}
	k.SealMenuEntry(&e)
	ch := Channel{Slug: "wechat", Name: "铜陵公积金", Maintenance: Maintenance{Notice: "升级", StartsAt: time.Unix(1e9, 5000)}}
	k.SealChannel(&ch)
	c := Column{Slug: "news", Title: "新闻动态", Kind: ColumnContent, ContentType: TypeArticle, DeclaredOwners: []string{"office"}}
	k.SealColumn(&c)
	if !k.menuEntryOK(&e) || !k.channelOK(&ch) || !k.columnOK(&c) {
		t.Fatal("a sealed row does not check")
	}
	for name, change := range map[string]func(){
		"entry title": func() { e.Title = "假冒菜单" }, "entry enabled": func() { e.Enabled = false },
		"entry column": func() { e.Column = "faq-loan" }, "entry parent": func() { e.ParentID = 9 },
	} {
		saved := e
		change()
		if k.menuEntryOK(&e) {
			t.Errorf("%s: still checks", name)
		}
		e = saved
	}
	for name, change := range map[string]func(){
		"notice": func() { ch.Maintenance.Notice = "假公告" }, "ends": func() { ch.Maintenance.EndsAt = time.Unix(2e9, 0) },
		"name": func() { ch.Name = "x" },
	} {
		saved := ch
		change()
		if k.channelOK(&ch) {
			t.Errorf("%s: still checks", name)
		}
		ch = saved
	}
	c.Kind = ColumnFunction
	if k.columnOK(&c) {
		t.Error("column kind: still checks")
	}
}

// BenchmarkSealCheck measures what a cache miss pays for the checks: the
// MAC of a listing's rows, search's text digest too, and for item detail
// the whole row plus the live revision's content hash.
func BenchmarkSealCheck(b *testing.B) {
	k := testKeys(b)
	p := roundTrip(b, sealedItem(b, 3000))
	rev := &Revision{ID: 9, ItemID: 7, Title: p.Title, Body: strings.Repeat("单位为职工办理缴存登记，", 250), BodyFormat: FormatMarkdown,
		Fields: p.Fields}
	d := &PublicItem{ItemID: 7, RevisionID: 9, PublishedAt: p.PublishedAt, Doc: bytes.Repeat([]byte("x"), 4096),
		Entry: bytes.Repeat([]byte("y"), 400)}
	k.SealDocuments(d)
	for _, bc := range []struct {
		name string
		fn   func()
	}{
		{"listing row", func() { _ = k.checkPublicItem(p, checkHeader) }},
		{"search hit", func() { _ = k.checkPublicItem(p, checkText) }},
		{"detail row", func() { _ = k.checkPublicItem(p, checkDetail) }},
		{"detail revision", func() { _ = revisionMismatch(p, rev, false) }},
		{"patrol row and revision", func() { _, _ = k.checkPublicItem(p, checkAll), revisionMismatch(p, rev, true) }},
		{"stored document (4 KB)", func() { _, _ = k.checkDoc(d) }},
		{"stored listing entry", func() { _ = k.checkEntry(d) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.fn()
			}
		})
	}
}

// jsonDocuments encodes stand-in documents, for the seal's tests.
type jsonDocuments struct{}

func (jsonDocuments) ItemDocument(p *PublicItem, rev *Revision) ([]byte, error) {
	return json.Marshal(map[string]any{"id": p.ItemID, "title": p.Title, "body_html": p.BodyHTML, "revision": rev.Number})
}

func (jsonDocuments) ListEntry(p *PublicItem) ([]byte, error) {
	return json.Marshal(map[string]any{"id": p.ItemID, "title": p.Title})
}

func (jsonDocuments) ListingDocument(column string, entries [][]byte, next string) []byte {
	b, _ := json.Marshal(map[string]any{"column": column, "items": len(entries), "next_cursor": next})
	return b
}

// TestStoredPagesAreSealed: a stored first page matches its MAC; a change
// to its bytes, or to the column or version it is bound to, does not;
// another key does not.
func TestStoredPagesAreSealed(t *testing.T) {
	k := testKeys(t)
	p := &ListingPage{Column: "news", Version: 41, Doc: []byte(`{"column":"news","items":[],"next_cursor":null}` + "\n")}
	sum := sha256.Sum256(p.Doc)
	p.MAC = k.pageMAC(p, &sum)
	if got, ok := k.checkPage(p); !ok || got != sum {
		t.Fatal("a fresh page does not check")
	}
	for name, change := range map[string]func(q *ListingPage){
		"bytes":   func(q *ListingPage) { q.Doc = []byte(`{"column":"news","items":[],"next_cursor":"x"}` + "\n") },
		"column":  func(q *ListingPage) { q.Column = "notices" },
		"version": func(q *ListingPage) { q.Version = 42 },
		"no MAC":  func(q *ListingPage) { q.MAC = "" },
		"empty":   func(q *ListingPage) { q.Doc = nil },
	} {
		q := *p
		change(&q)
		if _, ok := k.checkPage(&q); ok {
			t.Errorf("a page with its %s changed checks", name)
		}
	}
	other, err := NewKeys(bytes.Repeat([]byte{0xa5}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := other.checkPage(p); ok {
		t.Error("a page checks under another key")
	}
}

// TestStoredDocumentsAreSealed: the documents a publication stores match
// their MACs, also once read back; any change to their bytes, or to the
// item, revision or publication time they are bound to, does not; another
// key does not.
func TestStoredDocumentsAreSealed(t *testing.T) {
	k := testKeys(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	it := &Item{ID: 7, Column: "news", ContentType: TypeArticle, PublishedAt: at}
	rev := &Revision{ID: 9, ItemID: 7, Number: 2, Title: "缴存通知", Body: "正文", BodyFormat: FormatMarkdown, PublishedAt: at}
	p, err := Project(it, rev, echoRenderer{}, jsonDocuments{}, k)
	if err != nil {
		t.Fatal(err)
	}
	if p.MAC == "" || len(p.Doc) == 0 || len(p.Entry) == 0 || !p.PublishedAt.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("projected %+v", p)
	}
	sum, ok := k.checkDoc(p)
	if !ok || sum != sha256.Sum256(p.Doc) || !k.checkEntry(p) {
		t.Fatal("fresh documents do not check")
	}
	if q := roundTrip(t, p); !k.checkEntry(q) {
		t.Error("the entry read back does not check")
	}
	for name, edit := range map[string]func(q *PublicItem){
		"doc bytes":      func(q *PublicItem) { q.Doc = bytes.Replace(q.Doc, []byte("缴存"), []byte("提取"), 1) },
		"doc item":       func(q *PublicItem) { q.ItemID++ },
		"doc revision":   func(q *PublicItem) { q.RevisionID++ },
		"doc missing":    func(q *PublicItem) { q.Doc = nil },
		"doc no MAC":     func(q *PublicItem) { q.DocMAC = "" },
		"entry bytes":    func(q *PublicItem) { q.Entry = bytes.Replace(q.Entry, []byte("缴存"), []byte("提取"), 1) },
		"entry time":     func(q *PublicItem) { q.PublishedAt = q.PublishedAt.Add(time.Microsecond) },
		"entry revision": func(q *PublicItem) { q.RevisionID++ },
		"entry no MAC":   func(q *PublicItem) { q.EntryMAC = "" },
	} {
		q := *p
		edit(&q)
		_, docOK := k.checkDoc(&q)
		if strings.HasPrefix(name, "doc") && docOK || strings.HasPrefix(name, "entry") && k.checkEntry(&q) {
			t.Errorf("%s: still checks", name)
		}
	}
	other, _ := NewKeys(bytes.Repeat([]byte{0x33}, MasterKeySize))
	if _, ok := other.checkDoc(p); ok || other.checkEntry(p) {
		t.Error("another key accepts the documents")
	}
	if p, err := Project(it, rev, echoRenderer{}, nil, k); err != nil || p.Doc != nil || p.MAC == "" {
		t.Errorf("without documents: %+v %v", p, err)
	}
}

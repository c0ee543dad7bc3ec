package main

// The generator: deterministic items across the annex columns, projected
// with cms.Project exactly as a publication projects them.

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/api"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/render"
)

// columnPlan says which columns items go to: mostly news, the rest spread
// over the guides, policies and FAQ columns.
type columnPlan struct {
	slug, contentType, department, topic string
}

var otherColumns = []columnPlan{
	{"guides-deposit", cms.TypeGuide, "collection", "deposit"},
	{"guides-loan", cms.TypeGuide, "licensing", "loan"},
	{"guides-repayment", cms.TypeGuide, "finance", "repayment"},
	{"guides-withdrawal", cms.TypeGuide, "licensing", "withdrawal"},
	{"policies-loan", cms.TypePolicy, "office", "loan"},
	{"policies-deposit", cms.TypePolicy, "office", "deposit"},
	{"policies-withdrawal", cms.TypePolicy, "office", "withdrawal"},
	{"policies-general", cms.TypePolicy, "office", "general"},
	{"faq-withdrawal", cms.TypeFAQ, "licensing", "withdrawal"},
	{"faq-loan", cms.TypeFAQ, "licensing", "loan"},
	{"faq-repayment", cms.TypeFAQ, "finance", "repayment"},
}

var newsDepartments = []string{"office", "collection", "finance", "licensing", "information"}

type generator struct {
	db       *bun.DB // formats the INSERT statements
	n        int
	author   int64
	now      time.Time
	first    time.Time     // publication time of item 1
	step     time.Duration // between consecutive publications
	renderer render.Renderer
	keys     *cms.Keys // seal the projection rows as a publication does
}

func newGenerator(db *bun.DB, n int, author int64, now time.Time) *generator {
	// Items are published over the last ten years, oldest first, so that ids
	// and publication times grow together as they do in a live system.
	span := 10 * 365 * 24 * time.Hour
	step := span / time.Duration(n)
	return &generator{db: db, n: n, author: author, now: now, first: now.Add(-span), step: step}
}

// rng is a small deterministic generator (splitmix64) per item.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// plan decides an item's column from its id alone.
func (g *generator) plan(id int) columnPlan {
	r := rng(uint64(id) * 7919)
	if r.intn(100) < 88 {
		topic := "general"
		switch x := r.intn(100); {
		case x < 1:
			topic = "withdrawal"
		case x < 3:
			topic = "loan"
		case x < 5:
			topic = "deposit"
		}
		return columnPlan{"news", cms.TypeArticle, newsDepartments[r.intn(len(newsDepartments))], topic}
	}
	return otherColumns[r.intn(len(otherColumns))]
}

// middleNews returns the id of the news item nearest the middle.
func (g *generator) middleNews() int {
	for d := 0; d < g.n; d++ {
		for _, id := range []int{g.n/2 + 1 + d, g.n/2 + 1 - d} {
			if id >= 1 && id <= g.n && g.plan(id).slug == "news" {
				return id
			}
		}
	}
	return 1
}

func (g *generator) batch(lo, hi int) (*rowBatch, error) {
	var (
		items   []itemRow
		revs    []revisionRow
		public  []publicItemRow
		docs    []publicDocRow
		entries []publicEntryRow
		changes []contentChangeRow
	)
	for id := lo; id <= hi; id++ {
		it, rev := g.item(id)
		p, err := cms.Project(it, rev, g.renderer, api.Documents{}, g.keys)
		if err != nil {
			return nil, err
		}
		fields, _ := json.Marshal(rev.Fields)
		items = append(items, itemRow{ID: it.ID, ColumnSlug: it.Column, Department: it.Department, ContentType: it.ContentType,
			CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Title: it.Title, State: string(it.State),
			HeadRevisionID: it.HeadRevisionID, LiveRevisionID: it.LiveRevisionID, PublishedAt: it.PublishedAt})
		revs = append(revs, revisionRow{ID: rev.ID, ItemID: rev.ItemID, Number: rev.Number, Action: rev.Action,
			State: string(rev.State), Version: rev.Version, Title: rev.Title, Body: rev.Body, BodyFormat: rev.BodyFormat,
			Fields: string(fields), AuthorID: rev.AuthorID, CreatedAt: rev.CreatedAt, UpdatedAt: rev.UpdatedAt,
			ContentHash: rev.ContentHash, SubmittedBy: rev.SubmittedBy, StateSince: rev.StateSince,
			ApprovedHash: rev.ApprovedHash, PublishedAt: rev.PublishedAt})
		public = append(public, publicItemRow{ItemID: p.ItemID, ColumnSlug: p.Column, ContentType: p.ContentType,
			RevisionID: p.RevisionID, Title: p.Title, Summary: p.SummaryJSON, TitleTokens: p.TitleTokens,
			SearchText: p.SearchText, PlainText: p.PlainText, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt,
			ContentHash: p.ContentHash, BodyHTML: p.BodyHTML, Fields: p.FieldsJSON, RenderedRevisionID: p.RenderedRevisionID,
			RevisionDigest: p.RevisionDigest, TextDigest: p.TextDigest, BodyDigest: p.BodyDigest, IndexDigest: p.IndexDigest, MAC: p.MAC,
			DocsRevisionID: p.RevisionID})
		docs = append(docs, publicDocRow{ItemID: p.ItemID, RevisionID: p.RevisionID, DocMAC: p.DocMAC, Doc: string(p.Doc)})
		entries = append(entries, publicEntryRow{ItemID: p.ItemID, RevisionID: p.RevisionID, EntryMAC: p.EntryMAC, Entry: string(p.Entry)})
		changes = append(changes, contentChangeRow{ItemID: int64(id), At: p.UpdatedAt})
	}
	return &rowBatch{count: len(items), stmts: g.statements(items, revs, public, docs, entries, changes)}, nil
}

// item builds item id with its one published revision (same id).
func (g *generator) item(id int) (*cms.Item, *cms.Revision) {
	pl := g.plan(id)
	r := rng(uint64(id)*0x2545f4914f6cdd1d + 1)
	jitter := time.Duration(r.intn(int(min(g.step/2, 10*time.Minute)/time.Second)+1)) * time.Second
	published := g.first.Add(time.Duration(id-1) * g.step).Add(jitter).UTC().Truncate(time.Microsecond)
	created := published.Add(-time.Duration(1+r.intn(72)) * time.Hour)
	title, body, fields := compose(&r, pl, id, published)
	rev := &cms.Revision{ID: int64(id), ItemID: int64(id), Number: 1, Action: cms.ActionPublish, State: cms.StatePublished,
		Version: 1, Title: title, Body: body, BodyFormat: cms.FormatMarkdown, Fields: fields, AuthorID: g.author,
		CreatedAt: created, UpdatedAt: published, SubmittedBy: g.author, StateSince: published, PublishedAt: published}
	rev.ContentHash = rev.Hash()
	rev.ApprovedHash = rev.ContentHash
	it := &cms.Item{ID: int64(id), Column: pl.slug, Department: pl.department, ContentType: pl.contentType,
		CreatedBy: g.author, CreatedAt: created, UpdatedAt: published, Title: title, State: cms.StatePublished,
		HeadRevisionID: int64(id), LiveRevisionID: int64(id), PublishedAt: published}
	return it, rev
}

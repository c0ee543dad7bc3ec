package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.ContentStore = (*DB)(nil)

type publicItemRow struct {
	bun.BaseModel `bun:"table:public_items"`
	ItemID        int64 `bun:",pk"`
	ColumnSlug    string
	ContentType   string
	RevisionID    int64
	Title         string
	Summary       string
	TitleTokens   string
	SearchText    string
	PlainText     string
	PublishedAt   time.Time
	UpdatedAt     time.Time
	ContentHash   string
	// The HTML rendered when the revision went live; only item detail
	// reads it (see cms.PublicItem).
	BodyHTML           string
	Fields             string
	RenderedRevisionID int64
	// What detail serves from the live revision, and the seal (see
	// cms.Keys.SealPublicItem).
	RevisionDigest string
	TextDigest     string
	BodyDigest     string
	IndexDigest    string
	MAC            string `bun:"mac"`
	// DocsRevisionID is the revision the content API's documents stored
	// beside the row (public_docs, public_entries) were encoded from; 0
	// when there are none.
	DocsRevisionID int64
}

// publicDocRow and publicEntryRow are the content API's documents of a
// projection row (cms.PublicItem.Doc and Entry), each in a table of its
// own, so that a read touches its pages only.
type publicDocRow struct {
	bun.BaseModel `bun:"table:public_docs"`
	ItemID        int64 `bun:",pk"`
	RevisionID    int64
	DocMAC        string `bun:"doc_mac"`
	Doc           string
}

type publicEntryRow struct {
	bun.BaseModel `bun:"table:public_entries"`
	ItemID        int64 `bun:",pk"`
	RevisionID    int64
	EntryMAC      string `bun:"entry_mac"`
	Entry         string
}

func newPublicItemRow(p *cms.PublicItem) (*publicItemRow, error) {
	summary, err := jsonText(p.SummaryJSON, p.Summary)
	if err != nil {
		return nil, err
	}
	fields, err := jsonText(p.FieldsJSON, p.Fields)
	if err != nil {
		return nil, err
	}
	return &publicItemRow{ItemID: p.ItemID, ColumnSlug: p.Column, ContentType: p.ContentType, RevisionID: p.RevisionID,
		Title: p.Title, Summary: summary, TitleTokens: p.TitleTokens, SearchText: p.SearchText, PlainText: p.PlainText,
		PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt, ContentHash: p.ContentHash,
		BodyHTML: p.BodyHTML, Fields: fields, RenderedRevisionID: p.RenderedRevisionID, RevisionDigest: p.RevisionDigest,
		TextDigest: p.TextDigest, BodyDigest: p.BodyDigest, IndexDigest: p.IndexDigest, MAC: p.MAC,
		DocsRevisionID: documented(p)}, nil
}

// documented is the revision p's documents were encoded from, or 0.
func documented(p *cms.PublicItem) int64 {
	if len(p.Doc) == 0 || len(p.Entry) == 0 {
		return 0
	}
	return p.RevisionID
}

// putDocuments stores p's documents beside its row, or removes those of
// an earlier revision when p has none.
func putDocuments(ctx context.Context, tx bun.Tx, p *cms.PublicItem) error {
	// The column's stored first page may hold the entry this replaces.
	if _, err := tx.NewDelete().Model((*publicPageRow)(nil)).Where("column_slug = ?", p.Column).Exec(ctx); err != nil {
		return err
	}
	if documented(p) == 0 {
		for _, m := range []any{(*publicDocRow)(nil), (*publicEntryRow)(nil)} {
			if _, err := tx.NewDelete().Model(m).Where("item_id = ?", p.ItemID).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	doc := publicDocRow{ItemID: p.ItemID, RevisionID: p.RevisionID, DocMAC: p.DocMAC, Doc: string(p.Doc)}
	if _, err := tx.NewInsert().Model(&doc).On("CONFLICT (item_id) DO UPDATE").
		Set("revision_id = EXCLUDED.revision_id, doc_mac = EXCLUDED.doc_mac, doc = EXCLUDED.doc").Exec(ctx); err != nil {
		return err
	}
	entry := publicEntryRow{ItemID: p.ItemID, RevisionID: p.RevisionID, EntryMAC: p.EntryMAC, Entry: string(p.Entry)}
	_, err := tx.NewInsert().Model(&entry).On("CONFLICT (item_id) DO UPDATE").
		Set("revision_id = EXCLUDED.revision_id, entry_mac = EXCLUDED.entry_mac, entry = EXCLUDED.entry").Exec(ctx)
	return err
}

// jsonText is the text a JSON column stores: the sealed text when there is
// one (the seal covers those bytes), else m encoded.
func jsonText(text string, m map[string]any) (string, error) {
	if text != "" {
		return text, nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func (r *publicItemRow) domain() cms.PublicItem {
	p := cms.PublicItem{ItemID: r.ItemID, Column: r.ColumnSlug, ContentType: r.ContentType, RevisionID: r.RevisionID,
		Title: r.Title, TitleTokens: r.TitleTokens, SearchText: r.SearchText, PlainText: r.PlainText,
		PublishedAt: r.PublishedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ContentHash: r.ContentHash,
		BodyHTML: r.BodyHTML, RenderedRevisionID: r.RenderedRevisionID, RevisionDigest: r.RevisionDigest,
		SummaryJSON: r.Summary, FieldsJSON: r.Fields,
		TextDigest: r.TextDigest, BodyDigest: r.BodyDigest, IndexDigest: r.IndexDigest, MAC: r.MAC}
	_ = decodeFields(r.Summary, &p.Summary)
	if r.Fields != "" {
		_ = decodeFields(r.Fields, &p.Fields)
	}
	return p
}

// columnVersionRow is a column's version (see ColumnVersion).
type columnVersionRow struct {
	bun.BaseModel `bun:"table:column_versions"`
	ColumnSlug    string `bun:",pk"`
	Version       int64
}

type contentChangeRow struct {
	bun.BaseModel `bun:"table:content_changes"`
	Seq           int64 `bun:",pk,autoincrement"`
	ItemID        int64
	// ColumnSlug is the changed item's column, so that other processes
	// drop only its answers; empty when the change is not one item's, or
	// its column cannot be trusted.
	ColumnSlug string
	At         time.Time
}

// publish keeps the public projection of one item of column (empty: not
// known for certain): upserts or removes its row and search entry, then
// appends to the change log and announces the change to other processes.
// It runs after the audit append, under the audit head's row lock, so
// change sequence numbers are in commit order and sync never skips one.
func publish(ctx context.Context, tx bun.Tx, itemID int64, column string, p *cms.PublicItem, at time.Time) error {
	index := searchIndexOf(tx)
	switch {
	case itemID == 0:
		// A structural change (menus, maintenance): only the log entry and
		// the announcement.
	case p == nil:
		for _, m := range []any{(*publicDocRow)(nil), (*publicEntryRow)(nil), (*publicItemRow)(nil)} {
			if _, err := tx.NewDelete().Model(m).Where("item_id = ?", itemID).Exec(ctx); err != nil {
				return err
			}
		}
		if err := index.remove(ctx, tx, itemID); err != nil {
			return err
		}
	default:
		row, err := newPublicItemRow(p)
		if err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (item_id) DO UPDATE").
			Set("column_slug = EXCLUDED.column_slug, content_type = EXCLUDED.content_type, revision_id = EXCLUDED.revision_id").
			Set("title = EXCLUDED.title, summary = EXCLUDED.summary, title_tokens = EXCLUDED.title_tokens").
			Set("search_text = EXCLUDED.search_text, plain_text = EXCLUDED.plain_text, published_at = EXCLUDED.published_at").
			Set("updated_at = EXCLUDED.updated_at, content_hash = EXCLUDED.content_hash").
			Set("body_html = EXCLUDED.body_html, fields = EXCLUDED.fields, rendered_revision_id = EXCLUDED.rendered_revision_id").
			Set("revision_digest = EXCLUDED.revision_digest, text_digest = EXCLUDED.text_digest").
			Set("body_digest = EXCLUDED.body_digest, index_digest = EXCLUDED.index_digest, mac = EXCLUDED.mac").
			Set("docs_revision_id = EXCLUDED.docs_revision_id").
			Exec(ctx); err != nil {
			return err
		}
		if err := index.put(ctx, tx, p); err != nil {
			return err
		}
		if err := putDocuments(ctx, tx, p); err != nil {
			return err
		}
	}
	if itemID == 0 {
		column = ""
	}
	change := contentChangeRow{ItemID: itemID, ColumnSlug: column, At: at}
	if _, err := tx.NewInsert().Model(&change).ExcludeColumn("seq").Returning("seq").Exec(ctx); err != nil {
		return err
	}
	// The column's version moves with the change: the stored first page of
	// its listing (of every column, for the empty one) is then out of date.
	version := columnVersionRow{ColumnSlug: column, Version: change.Seq}
	if _, err := tx.NewInsert().Model(&version).On("CONFLICT (column_slug) DO UPDATE").
		Set("version = EXCLUDED.version").Exec(ctx); err != nil {
		return err
	}
	return announce(ctx, tx, change)
}

// PublicItem returns the projection of a visible item as detail serves
// it, with its HTML and the seal over it; the plain text and the search
// tokens stay in the database.
func (db *DB) PublicItem(ctx context.Context, itemID int64) (*cms.PublicItem, error) {
	var row publicItemRow
	if err := db.bun.NewSelect().Model(&row).Column(listColumns...).Column("body_html", "fields").
		Where("item_id = ?", itemID).Scan(ctx); err != nil {
		return nil, translate(err, "item")
	}
	p := row.domain()
	return &p, nil
}

// ProjectionRows returns up to limit whole projection rows after item
// afterID, by item id, for the patrol.
func (db *DB) ProjectionRows(ctx context.Context, afterID int64, limit int) ([]cms.PublicItem, error) {
	var rows []publicItemRow
	if err := db.bun.NewSelect().Model(&rows).Where("item_id > ?", afterID).OrderExpr("item_id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.PublicItem, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, db.attachDocuments(ctx, out)
}

// attachDocuments sets the stored documents of rows, those encoded from
// each row's revision.
func (db *DB) attachDocuments(ctx context.Context, ps []cms.PublicItem) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]int64, len(ps))
	at := make(map[int64]*cms.PublicItem, len(ps))
	for i := range ps {
		ids[i], at[ps[i].ItemID] = ps[i].ItemID, &ps[i]
	}
	var docs []publicDocRow
	if err := db.bun.NewSelect().Model(&docs).Where("item_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	for _, d := range docs {
		if p := at[d.ItemID]; p.RevisionID == d.RevisionID {
			p.Doc, p.DocMAC = []byte(d.Doc), d.DocMAC
		}
	}
	var entries []publicEntryRow
	if err := db.bun.NewSelect().Model(&entries).Where("item_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	for _, e := range entries {
		if p := at[e.ItemID]; p.RevisionID == e.RevisionID {
			p.Entry, p.EntryMAC = []byte(e.Entry), e.EntryMAC
		}
	}
	return nil
}

// Unsealed returns visible items after afterID, by item id, whose
// projection row carries no MAC: rows written before publication sealed
// them (and, older still, before it rendered their HTML).
func (db *DB) Unsealed(ctx context.Context, afterID int64, limit int) ([]cms.PublicItem, error) {
	return db.projectionRowsWhere(ctx, "mac = ''", afterID, limit)
}

// Undocumented returns visible items after afterID, by item id, whose
// projection row has no stored documents of its revision: rows written
// before publication stored them, or by a server that did not.
func (db *DB) Undocumented(ctx context.Context, afterID int64, limit int) ([]cms.PublicItem, error) {
	return db.projectionRowsWhere(ctx, "docs_revision_id <> revision_id", afterID, limit)
}

// projectionRowsWhere pages whole rows by item id through a partial index
// whose condition is cond.
func (db *DB) projectionRowsWhere(ctx context.Context, cond string, afterID int64, limit int) ([]cms.PublicItem, error) {
	var rows []publicItemRow
	if err := db.bun.NewSelect().Model(&rows).Where(cond).Where("item_id > ?", afterID).
		OrderExpr("item_id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.PublicItem, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// SaveProjection rewrites an item's projection row from p, sealed, while
// the item's live revision is still p.RevisionID, and reports whether it
// did. It records no change: what clients are served stays the approved
// content.
func (db *DB) SaveProjection(ctx context.Context, p *cms.PublicItem) (bool, error) {
	row, err := newPublicItemRow(p)
	if err != nil {
		return false, err
	}
	n := int64(0)
	err = db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).ExcludeColumn("item_id").
			Where("item_id = ?", p.ItemID).Where("revision_id = ?", p.RevisionID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := searchIndexOf(tx).put(ctx, tx, p); err != nil {
			return err
		}
		return putDocuments(ctx, tx, p)
	})
	return n > 0, err
}

// SaveDocuments stores the documents of projection rows that still hold
// what they were encoded from (the same revision and seal), in one
// transaction, and reports how many it stored. It records no change:
// clients are served the same either way.
func (db *DB) SaveDocuments(ctx context.Context, ps []cms.PublicItem) (int, error) {
	n := 0
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n = 0
		for i := range ps {
			p := &ps[i]
			if documented(p) == 0 {
				continue
			}
			res, err := tx.NewUpdate().Model((*publicItemRow)(nil)).Set("docs_revision_id = ?", p.RevisionID).
				Where("item_id = ?", p.ItemID).Where("revision_id = ?", p.RevisionID).Where("mac = ?", p.MAC).Exec(ctx)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				if err != nil {
					return err
				}
				continue
			}
			if err := putDocuments(ctx, tx, p); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// listColumns are the columns listings read: what they serve and the seal
// over it; the bodies and the search text stay in the database.
var listColumns = []string{"item_id", "column_slug", "content_type", "revision_id", "title", "summary", "published_at",
	"updated_at", "content_hash", "rendered_revision_id", "revision_digest", "text_digest", "body_digest", "index_digest", "mac"}

// PublicItems lists visible items, newest publication first, by keyset.
func (db *DB) PublicItems(ctx context.Context, f cms.PublicFilter) ([]cms.PublicItem, error) {
	var rows []publicItemRow
	q := db.bun.NewSelect().Model(&rows).Column(listColumns...).
		OrderExpr("published_at DESC, item_id DESC").Limit(int64(f.Limit))
	if len(f.Columns) == 1 {
		q = q.Where("column_slug = ?", f.Columns[0])
	} else if len(f.Columns) > 1 {
		q = q.Where("column_slug IN (?)", bun.In(f.Columns))
	}
	if f.BeforeID > 0 {
		// A row value seeks the index to the cursor (see ListEntries).
		q = q.Where("(published_at, item_id) < (?, ?)", f.BeforeTime, f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.PublicItem, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// Changes returns each changed item's latest change after seq, oldest first.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]cms.ContentChange, error) {
	var rows []struct {
		ItemID int64 `bun:"item_id"`
		Seq    int64 `bun:"seq"`
	}
	if err := db.bun.NewSelect().TableExpr("content_changes").ColumnExpr("item_id, MAX(seq) AS seq").
		Where("seq > ?", after).Where("item_id <> 0").GroupExpr("item_id").OrderExpr("MAX(seq)").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]cms.ContentChange, len(rows))
	for i, r := range rows {
		out[i] = cms.ContentChange{Seq: r.Seq, ItemID: r.ItemID}
	}
	return out, nil
}

// ContentVersion returns the latest change's sequence number.
func (db *DB) ContentVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.bun.NewSelect().TableExpr("content_changes").ColumnExpr("COALESCE(MAX(seq), 0)").Scan(ctx, &v)
	return v, err
}

// bumpContent records a change that is not about one item (menus,
// maintenance) so that caches of every process are dropped; item 0 in the
// change log means "structure".
func bumpContent(ctx context.Context, tx bun.Tx, at time.Time) error {
	return publish(ctx, tx, 0, "", nil, at)
}

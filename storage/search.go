package storage

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/tlhpf/cms/cms"
)

// searchIndex is the full-text index of the public projection, the one
// concern where the two databases differ most: an FTS5 table ranked with
// BM25 on SQLite (title weighted 4:1), a weighted tsvector column ranked
// with ts_rank_cd on PostgreSQL. Both index the same pre-split tokens
// (cms.SearchTokens), so they find the same items.
type searchIndex interface {
	// put and remove keep an item's entry, inside the publication's transaction.
	put(ctx context.Context, tx bun.Tx, p *cms.PublicItem) error
	remove(ctx context.Context, tx bun.Tx, itemID int64) error
	// candidates selects (id, rank) of the newest SearchCandidates items
	// matching every phrase, lower rank better, ranking no others.
	candidates(b *bun.DB, phrases [][]string, columns []string) *bun.SelectQuery
}

// searchIndexOf returns the index of a database or transaction.
func searchIndexOf(db bun.IDB) searchIndex {
	if db.Dialect().Name() == dialect.PG {
		return tsvectorIndex{}
	}
	return fts5Index{}
}

// fts5Index is SQLite's: the public_search FTS5 table, keyed by item id.
type fts5Index struct{}

func (fts5Index) put(ctx context.Context, tx bun.Tx, p *cms.PublicItem) error {
	if err := (fts5Index{}).remove(ctx, tx, p.ItemID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO public_search (rowid, title_tokens, search_text) VALUES (?, ?, ?)",
		p.ItemID, p.TitleTokens, p.SearchText)
	return err
}

func (fts5Index) remove(ctx context.Context, tx bun.Tx, itemID int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM public_search WHERE rowid = ?", itemID)
	return err
}

func (fts5Index) candidates(b *bun.DB, phrases [][]string, columns []string) *bun.SelectQuery {
	var parts []string
	for _, ph := range phrases {
		parts = append(parts, `"`+strings.Join(ph, " ")+`"`)
	}
	cands := b.NewSelect().TableExpr("public_search").ColumnExpr("rowid AS id").
		ColumnExpr("bm25(public_search, 4.0, 1.0) AS rank").Where("public_search MATCH ?", strings.Join(parts, " AND ")).
		OrderExpr("rowid DESC").Limit(SearchCandidates)
	if len(columns) > 0 {
		cands = cands.Where("rowid IN (?)", b.NewSelect().TableExpr("public_items").Column("item_id").
			Where("column_slug IN (?)", bun.In(columns)))
	}
	return cands
}

// tsvectorIndex is PostgreSQL's: public_items.search_vector, a generated
// column, so the row's upsert and delete keep it.
type tsvectorIndex struct{}

func (tsvectorIndex) put(context.Context, bun.Tx, *cms.PublicItem) error { return nil }

func (tsvectorIndex) remove(context.Context, bun.Tx, int64) error { return nil }

func (tsvectorIndex) candidates(b *bun.DB, phrases [][]string, columns []string) *bun.SelectQuery {
	var parts []string
	for _, ph := range phrases {
		parts = append(parts, "("+strings.Join(quoteAll(ph), " <-> ")+")")
	}
	tsq := strings.Join(parts, " & ")
	// The newest matches are chosen in the GIN index and the heap first,
	// and only they are ranked: ts_rank_cd reads (and decompresses) each
	// row's whole vector, which for every match of a common word costs
	// more than all the rest of a search.
	newest := b.NewSelect().TableExpr("public_items").Column("item_id").
		Where("search_vector @@ to_tsquery('simple', ?)", tsq).OrderExpr("item_id DESC").Limit(SearchCandidates)
	if len(columns) > 0 {
		newest = newest.Where("column_slug IN (?)", bun.In(columns))
	}
	return b.NewSelect().TableExpr("public_items AS s").ColumnExpr("s.item_id AS id").
		ColumnExpr("-ts_rank_cd(s.search_vector, to_tsquery('simple', ?)) AS rank", tsq).
		Where("s.item_id IN (?)", newest)
}

// Search finds visible items holding every phrase, best first, ranking the
// newest SearchCandidates matches in the dialect's index.
func (db *DB) Search(ctx context.Context, phrases [][]string, f cms.PublicFilter) ([]cms.SearchHit, error) {
	if len(phrases) == 0 {
		return nil, nil
	}
	type hitRow struct {
		publicItemRow
		Rank float64
	}
	// Only the newest SearchCandidates matches are ranked (the same ones on
	// both databases), and the page is ranked in the index alone before its
	// rows are joined with their projection: the cost follows the page and
	// the cap, not how many items match.
	cands := searchIndexOf(db.bun).candidates(db.bun, phrases, f.Columns)
	page := db.bun.NewSelect().TableExpr("(?) AS c", cands).ColumnExpr("c.id, c.rank").
		OrderExpr("c.rank, c.id DESC").Limit(int64(f.Limit)).Offset(int64(f.Offset))
	var rows []hitRow
	if err := db.bun.NewSelect().TableExpr("(?) AS h", page).Join("JOIN public_items AS p ON p.item_id = h.id").
		ColumnExpr("p.item_id, p.column_slug, p.content_type, p.revision_id, p.title, p.summary, p.plain_text, p.published_at, p.updated_at, p.content_hash").
		ColumnExpr("p.rendered_revision_id, p.revision_digest, p.text_digest, p.body_digest, p.index_digest, p.mac").
		ColumnExpr("h.rank").OrderExpr("h.rank, h.id DESC").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]cms.SearchHit, len(rows))
	for i := range rows {
		out[i] = cms.SearchHit{Item: rows[i].domain(), Rank: rows[i].Rank}
	}
	return out, nil
}

// SearchCandidates is how many of the newest matching items a search ranks.
const SearchCandidates = 1000

// quoteAll quotes tokens as tsquery lexemes (tokens hold only letters and
// digits, but quoting keeps any of them literal).
func quoteAll(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
	}
	return out
}

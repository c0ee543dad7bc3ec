package storage

import (
	"context"
	"encoding/json"
	"strconv"
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
	// query is the query text of phrases as the index's matching takes it.
	query(phrases [][]string) string
	// candidates is the SQL selecting (id, rank) of the newest ranked
	// items matching the query text (parameter 1), lower rank better,
	// ranking no others; inColumns: only items of the columns of the JSON
	// array in parameter 4.
	candidates(inColumns bool, ranked int) string
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

func (fts5Index) query(phrases [][]string) string {
	parts := make([]string, len(phrases))
	for i, ph := range phrases {
		parts[i] = `"` + strings.Join(ph, " ") + `"`
	}
	return strings.Join(parts, " AND ")
}

func (fts5Index) candidates(inColumns bool, ranked int) string {
	q := `SELECT rowid AS id, bm25(public_search, 4.0, 1.0) AS rank FROM public_search WHERE public_search MATCH ?1`
	if inColumns {
		q += ` AND rowid IN (SELECT item_id FROM public_items WHERE column_slug IN (SELECT value FROM json_each(?4)))`
	}
	return q + ` ORDER BY rowid DESC LIMIT ` + strconv.Itoa(ranked)
}

// tsvectorIndex is PostgreSQL's: public_items.search_vector, a generated
// column, so the row's upsert and delete keep it.
type tsvectorIndex struct{}

func (tsvectorIndex) put(context.Context, bun.Tx, *cms.PublicItem) error { return nil }

func (tsvectorIndex) remove(context.Context, bun.Tx, int64) error { return nil }

func (tsvectorIndex) query(phrases [][]string) string {
	parts := make([]string, len(phrases))
	for i, ph := range phrases {
		parts[i] = "(" + strings.Join(quoteAll(ph), " <-> ") + ")"
	}
	return strings.Join(parts, " & ")
}

func (tsvectorIndex) candidates(inColumns bool, ranked int) string {
	// The newest matches are chosen in the GIN index and the heap first,
	// and only they are ranked: ts_rank_cd reads (and decompresses) each
	// row's whole vector, which for every match of a common word costs
	// more than all the rest of a search.
	newest := `SELECT item_id FROM public_items WHERE search_vector @@ to_tsquery('simple', $1)`
	if inColumns {
		newest += ` AND column_slug IN (SELECT jsonb_array_elements_text($4::jsonb))`
	}
	newest += ` ORDER BY item_id DESC LIMIT ` + strconv.Itoa(ranked)
	return `SELECT s.item_id AS id, -ts_rank_cd(s.search_vector, to_tsquery('simple', $1)) AS rank
		FROM public_items AS s WHERE s.item_id IN (` + newest + `)`
}

// searchSQL is the statement of a search: the page (parameters 2 and 3:
// its size and offset) is ranked in the index alone before its rows are
// joined with their projection, so the cost follows the page and the cap,
// not how many items match. It reads what a hit serves and the seal over
// it; the bodies and search text stay in the database.
func searchSQL(ix searchIndex, pg, inColumns bool, ranked int) string {
	page := ` ORDER BY c.rank, c.id DESC LIMIT +?2 OFFSET +?3` // see hot: LIMIT +?
	if pg {
		page = ` ORDER BY c.rank, c.id DESC LIMIT $2 OFFSET $3`
	}
	return `SELECT p.item_id, p.column_slug, p.content_type, p.revision_id, p.title, p.summary, p.plain_text,
		p.published_at, p.updated_at, p.content_hash, p.rendered_revision_id, p.revision_digest, p.text_digest,
		p.body_digest, p.index_digest, p.mac, h.rank
		FROM (SELECT c.id, c.rank FROM (` + ix.candidates(inColumns, ranked) + `) AS c` + page + `) AS h
		JOIN public_items AS p ON p.item_id = h.id ORDER BY h.rank, h.id DESC`
}

// Search finds visible items holding every phrase, best first, ranking the
// newest matches (SearchRanked) in the dialect's index, through a
// statement prepared once and a scan without reflection. A hit's Summary
// is left as its stored JSON text (SummaryJSON): search does not serve it.
func (db *DB) Search(ctx context.Context, phrases [][]string, f cms.PublicFilter) ([]cms.SearchHit, error) {
	if len(phrases) == 0 {
		return nil, nil
	}
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	h, err := db.hot(ctx)
	if err != nil {
		return nil, err
	}
	args := []any{searchIndexOf(db.bun).query(phrases), f.Limit, f.Offset}
	stmt := h.search
	if len(f.Columns) > 0 {
		cols, err := json.Marshal(f.Columns)
		if err != nil {
			return nil, err
		}
		stmt, args = h.searchIn, append(args, string(cols))
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]cms.SearchHit, 0, min(f.Limit, 128)) // the limit may be "all"
	for rows.Next() {
		var hit cms.SearchHit
		p := &hit.Item
		if err := rows.Scan(&p.ItemID, &p.Column, &p.ContentType, &p.RevisionID, &p.Title, &p.SummaryJSON, &p.PlainText,
			&p.PublishedAt, &p.UpdatedAt, &p.ContentHash, &p.RenderedRevisionID, &p.RevisionDigest, &p.TextDigest,
			&p.BodyDigest, &p.IndexDigest, &p.MAC, &hit.Rank); err != nil {
			return nil, err
		}
		p.PublishedAt, p.UpdatedAt = p.PublishedAt.UTC(), p.UpdatedAt.UTC()
		out = append(out, hit)
	}
	return out, rows.Err()
}

// DefaultSearchRanked is how many of the newest matching items a search
// ranks unless told otherwise (SearchRanked). Ranking costs per item
// ranked (BM25 reads each candidate's column sizes; ts_rank_cd its whole
// vector), so the cap, not the number of matches, bounds a search's cost;
// older matches of a query that matches more are not found by it, and a
// more precise query finds them.
const DefaultSearchRanked = 250

// quoteAll quotes tokens as tsquery lexemes (tokens hold only letters and
// digits, but quoting keeps any of them literal).
func quoteAll(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
	}
	return out
}

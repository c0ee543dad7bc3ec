package storage

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// The content API's cache misses read the documents the projection stores
// through statements prepared once per connection, in SQL written by hand:
// one indexed read of the bytes that are the answer, with no query
// building, no reflection and no JSON decoding in between. Everything else
// goes through bun.

// hotReads are the prepared statements of the content API's reads,
// prepared on first use (and again after a failure).
type hotReads struct {
	mu    sync.Mutex
	ready atomic.Pointer[hotStmts]
}

// hotStmts: doc reads an item's detail document; entries the first page
// of a column's listing entries, entriesAfter a page after a keyset
// cursor; page a column's stored first page at its current version, and
// version that version.
type hotStmts struct {
	doc, entries, entriesAfter, page, version *sql.Stmt
	// search and searchIn: a search, in every column or in some (searchSQL).
	search, searchIn *sql.Stmt
}

// hot returns the prepared statements.
func (db *DB) hot(ctx context.Context) (*hotStmts, error) {
	if h := db.hotReads.ready.Load(); h != nil {
		return h, nil
	}
	db.hotReads.mu.Lock()
	defer db.hotReads.mu.Unlock()
	if h := db.hotReads.ready.Load(); h != nil {
		return h, nil
	}
	pg := db.Dialect == Postgres
	// SQLite numbers ? placeholders itself; PostgreSQL wants $n.
	ph := func(sqlite, postgres string) string {
		if pg {
			return postgres
		}
		return sqlite
	}
	// A listing reads the projection through its listing index alone
	// (which holds the revision) and each item's entry beside it; item
	// detail reads the document alone: when a row moves to another
	// revision, a trigger removes the documents of the previous one.
	const entries = `SELECT p.item_id, p.revision_id, p.published_at, e.revision_id, e.entry_mac, e.entry
		FROM public_items p LEFT JOIN public_entries e ON e.item_id = p.item_id WHERE p.column_slug = `
	// LIMIT +? rather than LIMIT ?: SQLite plans with the value of a
	// bare parameter there, and so prepares the statement again whenever
	// it is bound anew, that is at every read.
	const order = ` ORDER BY p.published_at DESC, p.item_id DESC LIMIT +`
	// A column's version: its latest change, or the structure's (the
	// empty column), whichever is later (see publish).
	version := `SELECT MAX(COALESCE((SELECT version FROM column_versions WHERE column_slug = ?1), 0),
		COALESCE((SELECT version FROM column_versions WHERE column_slug = ''), 0))`
	if pg {
		version = `SELECT GREATEST(COALESCE((SELECT version FROM column_versions WHERE column_slug = $1), 0),
			COALESCE((SELECT version FROM column_versions WHERE column_slug = ''), 0))`
	}
	h := &hotStmts{}
	for _, s := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&h.doc, `SELECT revision_id, doc_mac, doc FROM public_docs WHERE item_id = ` + ph(`?`, `$1`)},
		{&h.entries, entries + ph(`?`+order+`?`, `$1`+order+`$2`)},
		// A row value, not published_at < ? OR (…): both databases then
		// seek the index to the cursor instead of stepping over every newer row.
		{&h.entriesAfter, entries + ph(`? AND (p.published_at, p.item_id) < (?, ?)`+order+`?`,
			`$1 AND (p.published_at, p.item_id) < ($2, $3)`+order+`$4`)},
		{&h.version, version},
		// One statement, so one snapshot: the page and the version it is
		// compared with.
		{&h.page, `SELECT version, doc_mac, doc FROM public_pages WHERE column_slug = ` + ph(`?1`, `$1`) +
			` AND version = (` + version + `)`},
		{&h.search, searchSQL(searchIndexOf(db.bun), pg, false, db.searchRanked)},
		{&h.searchIn, searchSQL(searchIndexOf(db.bun), pg, true, db.searchRanked)},
	} {
		stmt, err := db.bun.DB.PrepareContext(ctx, s.query)
		if err != nil {
			h.close()
			return nil, err
		}
		*s.dst = stmt
	}
	db.hotReads.ready.Store(h)
	return h, nil
}

func (h *hotStmts) close() {
	for _, s := range []*sql.Stmt{h.doc, h.entries, h.entriesAfter, h.page, h.version, h.search, h.searchIn} {
		if s != nil {
			_ = s.Close()
		}
	}
}

// ItemDocument returns a visible item's stored detail document (the live
// revision's: see hot). An item without one is not found here; the
// content service then reads its projection row.
func (db *DB) ItemDocument(ctx context.Context, itemID int64) (*cms.PublicItem, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	h, err := db.hot(ctx)
	if err != nil {
		return nil, err
	}
	p := &cms.PublicItem{ItemID: itemID}
	if err := h.doc.QueryRowContext(ctx, itemID).Scan(&p.RevisionID, &p.DocMAC, &p.Doc); err != nil {
		return nil, translate(err, "item")
	}
	return p, nil
}

// ListEntries returns visible items of one column, newest publication
// first, by keyset, with their stored listing entries when they have ones
// of their live revisions (Entry is nil otherwise). The listing index
// serves every page at the cost of the first, without reading the
// projection's rows.
func (db *DB) ListEntries(ctx context.Context, f cms.PublicFilter) ([]cms.PublicItem, error) {
	if len(f.Columns) != 1 || f.Offset != 0 {
		return nil, cms.Errorf(cms.EINTERNAL, "ListEntries lists one column by keyset")
	}
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	h, err := db.hot(ctx)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	switch {
	case f.BeforeID == 0:
		rows, err = h.entries.QueryContext(ctx, f.Columns[0], f.Limit)
	case db.Dialect == Postgres:
		rows, err = h.entriesAfter.QueryContext(ctx, f.Columns[0], f.BeforeTime, f.BeforeID, f.Limit)
	default:
		rows, err = h.entriesAfter.QueryContext(ctx, f.Columns[0], sqliteTime(f.BeforeTime), f.BeforeID, f.Limit)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]cms.PublicItem, 0, min(f.Limit, 128))
	for rows.Next() {
		var p cms.PublicItem
		var entryRev sql.NullInt64
		var mac sql.NullString
		if err := rows.Scan(&p.ItemID, &p.RevisionID, &p.PublishedAt, &entryRev, &mac, &p.Entry); err != nil {
			return nil, err
		}
		if entryRev.Int64 != p.RevisionID {
			p.Entry = nil
		}
		p.PublishedAt, p.EntryMAC = p.PublishedAt.UTC(), mac.String
		out = append(out, p)
	}
	return out, rows.Err()
}

// sqliteTime is a time as bun writes it into SQLite, so that a bound
// parameter compares with stored values as text does.
func sqliteTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
}

// ColumnVersion returns a column's version: the sequence number of the
// latest change of one of its items or of the structure (column_versions,
// kept by publish beside the change log).
func (db *DB) ColumnVersion(ctx context.Context, column string) (int64, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	h, err := db.hot(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	err = h.version.QueryRowContext(ctx, column).Scan(&v)
	return v, err
}

// ListingPage returns a column's stored first listing page if it was built
// at the column's current version.
func (db *DB) ListingPage(ctx context.Context, column string) (*cms.ListingPage, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	h, err := db.hot(ctx)
	if err != nil {
		return nil, err
	}
	p := &cms.ListingPage{Column: column}
	if err := h.page.QueryRowContext(ctx, column).Scan(&p.Version, &p.MAC, &p.Doc); err != nil {
		return nil, translate(err, "listing page")
	}
	return p, nil
}

// publicPageRow is a stored first listing page (see cms.ListingPage).
type publicPageRow struct {
	bun.BaseModel `bun:"table:public_pages"`
	ColumnSlug    string `bun:",pk"`
	Version       int64
	DocMAC        string `bun:"doc_mac"`
	Doc           string
}

// SaveListingPage stores a column's first listing page unless one built
// at a later version is stored already (one of the same version is
// replaced: it may be one that failed its check).
func (db *DB) SaveListingPage(ctx context.Context, p *cms.ListingPage) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	row := publicPageRow{ColumnSlug: p.Column, Version: p.Version, DocMAC: p.MAC, Doc: string(p.Doc)}
	_, err := db.bun.NewInsert().Model(&row).On("CONFLICT (column_slug) DO UPDATE").
		Set("version = EXCLUDED.version, doc_mac = EXCLUDED.doc_mac, doc = EXCLUDED.doc").
		Where("?TableAlias.version <= EXCLUDED.version").Exec(ctx)
	return err
}

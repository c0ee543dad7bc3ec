package main

// The rows the seeder writes: they mirror the projection and workflow tables
// of package storage, so a schema change there must be followed here.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/storage"
)

type itemRow struct {
	bun.BaseModel  `bun:"table:items"`
	ID             int64 `bun:",pk"`
	ColumnSlug     string
	Department     string
	ContentType    string
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Title          string
	State          string
	HeadRevisionID int64     `bun:",nullzero"`
	LiveRevisionID int64     `bun:",nullzero"`
	PublishedAt    time.Time `bun:",nullzero"`
}

type revisionRow struct {
	bun.BaseModel `bun:"table:revisions"`
	ID            int64 `bun:",pk"`
	ItemID        int64
	Number        int
	Action        string
	State         string
	Version       int
	Title         string
	Body          string
	BodyFormat    string
	Fields        string
	PublishAt     time.Time `bun:",nullzero"`
	ExpireAt      time.Time `bun:",nullzero"`
	AuthorID      int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ContentHash   string
	SubmittedBy   int64 `bun:",nullzero"`
	StateSince    time.Time
	SignoffStep   int
	ApprovedHash  string
	PublishedAt   time.Time `bun:",nullzero"`
}

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
	BodyHTML      string
	Fields        string
	// RenderedRevisionID is the revision the HTML comes from.
	RenderedRevisionID int64
	// The seal, with the key the server reads: rows without it would be
	// rebuilt by the server's backfill at start.
	RevisionDigest string
	TextDigest     string
	BodyDigest     string
	IndexDigest    string
	MAC            string `bun:"mac"`
	// DocsRevisionID names the revision of the content API's documents
	// stored beside the row (public_docs, public_entries).
	DocsRevisionID int64
}

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

type contentChangeRow struct {
	bun.BaseModel `bun:"table:content_changes"`
	Seq           int64 `bun:",pk,autoincrement"`
	ItemID        int64
	At            time.Time
}

// rowBatch is one batch of items as the multi-row INSERT statements that
// store them, formatted by the builders so that the writer only executes.
type rowBatch struct {
	count int
	stmts []string
}

func (g *generator) statements(items []itemRow, revs []revisionRow, public []publicItemRow, docs []publicDocRow,
	entries []publicEntryRow, changes []contentChangeRow) []string {
	b := g.db
	return []string{
		b.NewInsert().Model(&items).String(),
		b.NewInsert().Model(&revs).String(),
		b.NewInsert().Model(&public).String(),
		b.NewInsert().Model(&docs).String(),
		b.NewInsert().Model(&entries).String(),
		b.NewInsert().Model(&changes).ExcludeColumn("seq").String(),
	}
}

func insertBatch(ctx context.Context, b *bun.DB, rb *rowBatch) error {
	return b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range rb.stmts {
			// Straight to the driver: the values are already in the SQL.
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// ftsChunk is how many items go into the SQLite full-text index at a time.
const ftsChunk = 10_000

// indexSearch adds items lo..hi to the SQLite full-text index, in one
// transaction, from their projection rows.
func indexSearch(ctx context.Context, b *bun.DB, lo, hi int) error {
	return b.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO public_search (rowid, title_tokens, search_text)
			SELECT item_id, title_tokens, search_text FROM public_items WHERE item_id BETWEEN ? AND ? ORDER BY item_id`, lo, hi)
		return err
	})
}

var schemaName = regexp.MustCompile(`^cms_bench_[0-9a-f]{12}$`)

func pgNewSchema(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("-pg-new-schema needs a postgres:// URL")
	}
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "cms_bench_" + hex.EncodeToString(suffix)
	if _, err := db.Bun().ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	fmt.Printf("PG_SCHEMA=%s\nPG_SCHEMA_URL=%s\n", name, u.String())
	return nil
}

func pgDropSchema(ctx context.Context, dbURL, name string) error {
	if !schemaName.MatchString(name) {
		return fmt.Errorf("refusing to drop %q: not a schema -pg-new-schema made", name)
	}
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Bun().ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
	return err
}

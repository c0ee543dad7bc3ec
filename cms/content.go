package cms

import (
	"context"
	"strings"
	"time"
)

// PublicItem is the public projection of a live, published item: what the
// content API lists and searches. The store keeps one row per visible item,
// updated in the transaction of the transition that changes it.
type PublicItem struct {
	ItemID      int64
	Column      string
	ContentType string
	RevisionID  int64
	Title       string
	Summary     map[string]any // typed summary fields for listings
	TitleTokens string         // SearchTokens of the title
	SearchText  string         // SearchTokens of the body and text fields
	PlainText   string         // body and text fields without markup, for snippets
	PublishedAt time.Time      // first publication of the item; listings are ordered by it
	UpdatedAt   time.Time      // when the live revision went live
	ContentHash string
}

// summaryFields names, per content type, the fields a listing shows.
var summaryFields = map[string][]string{
	TypeArticle:    {"summary", "source", "author", "tags"},
	TypePolicy:     {"document_number", "issuing_body", "issued_on", "effective_date", "validity", "summary"},
	TypeGuide:      {"time_limit", "place", "fees"},
	TypeOutlet:     {"address", "phone", "opening_hours", "business_types", "district", "coordinates"},
	TypeFAQ:        {"question"},
	TypeCalculator: {"max_amount", "max_term_months"},
	TypeAppRelease: {"platform", "version", "min_supported_version", "released_on"},
}

// NewPublicItem builds the projection of a live revision.
func NewPublicItem(it *Item, rev *Revision, r Renderer) *PublicItem {
	sum := map[string]any{}
	for _, f := range summaryFields[it.ContentType] {
		if v, ok := rev.Fields[f]; ok {
			sum[f] = v
		}
	}
	text := r.Text(rev.Body, rev.BodyFormat)
	for _, f := range []string{"question", "answer", "summary", "document_number", "issuing_body", "address", "place", "notes"} {
		if s, ok := rev.Fields[f].(string); ok {
			text += " " + PlainText(s)
		}
	}
	return &PublicItem{ItemID: it.ID, Column: it.Column, ContentType: it.ContentType, RevisionID: rev.ID, Title: rev.Title,
		Summary: sum, TitleTokens: SearchTokens(rev.Title), SearchText: SearchTokens(text), PlainText: strings.TrimSpace(text),
		PublishedAt: it.PublishedAt, UpdatedAt: rev.PublishedAt, ContentHash: rev.ContentHash}
}

// ContentChange is one entry of the public change log that sync replays.
type ContentChange struct {
	Seq    int64
	ItemID int64
}

// PublicFilter narrows a public listing or search.
type PublicFilter struct {
	Columns []string // empty: every column
	// Keyset cursor for listings: items published before (PublishedAt, ItemID).
	BeforeTime time.Time
	BeforeID   int64
	Offset     int // for search
	Limit      int
}

// SearchHit is one search result.
type SearchHit struct {
	Item PublicItem
	Rank float64 // lower is better
}

// ContentStore reads the public projection.
type ContentStore interface {
	PublicItem(ctx context.Context, itemID int64) (*PublicItem, error)
	PublicItems(ctx context.Context, f PublicFilter) ([]PublicItem, error)
	Search(ctx context.Context, phrases [][]string, f PublicFilter) ([]SearchHit, error)
	// Changes returns, for items changed after seq, each item's latest change, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]ContentChange, error)
	// ContentVersion is the sequence number of the latest public change.
	ContentVersion(ctx context.Context) (int64, error)
	Channel(ctx context.Context, slug string) (*Channel, error)
}

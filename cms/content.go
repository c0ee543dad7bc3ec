package cms

import (
	"maps"
	"strings"
	"time"
)

// PublicItem is the public projection of a live, published item: what the
// content API lists, searches and serves. The store keeps one row per
// visible item, updated in the transaction of the transition that changes it.
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

	// BodyHTML and Fields are the revision as the content API serves it:
	// the body as sanitised HTML, and the fields with text fields rendered
	// the same way. They are rendered once, when the revision goes live,
	// and are derived data: they come from revision RenderedRevisionID,
	// whose content the patrol re-hashes against the approved hash, and are
	// only ever rendered from content that matched it. Never edit them;
	// render the revision again. Listings and search leave them out.
	BodyHTML string
	Fields   map[string]any
	// RenderedRevisionID is the revision BodyHTML and Fields were rendered
	// from. It differs from RevisionID on rows projected before rendering
	// moved to publication (which carry no MAC either), until
	// WorkflowService.BackfillProjection rebuilds them.
	RenderedRevisionID int64

	// RevisionDigest is the digest of what the content API serves from
	// the live revision beside this row: its number and files.
	RevisionDigest string

	// The seal, set when the row is published (Keys.SealPublicItem; see
	// seal.go): the JSON text Summary and Fields are stored as, the digests
	// of PlainText, of BodyHTML and Fields, and of the search tokens, and
	// the MAC over the rest and the digests.
	SummaryJSON string
	FieldsJSON  string
	TextDigest  string
	BodyDigest  string
	IndexDigest string
	MAC         string

	// Doc and Entry are what the content API serves for the item, encoded
	// once by the Documents port when the revision goes live: the bytes of
	// its item detail response and of its entry in listings. DocMAC and
	// EntryMAC seal them apart from the row (see seal.go), so that a read
	// of either checks what it serves without reading the rest. Rows from
	// before documents were stored hold none until the backfill.
	Doc, Entry       []byte
	DocMAC, EntryMAC string
}

// Rendered reports whether p holds the HTML of its live revision.
func (p *PublicItem) Rendered() bool {
	return p.RevisionID != 0 && p.RenderedRevisionID == p.RevisionID
}

// render sets the HTML of p from rev, through r.
func (p *PublicItem) render(rev *Revision, r Renderer) {
	p.BodyHTML = r.HTML(rev.Body, rev.BodyFormat)
	if ct := LookupContentType(p.ContentType); ct != nil {
		p.Fields = ct.RenderFields(rev.Fields, r)
	} else {
		p.Fields = maps.Clone(rev.Fields)
	}
	if p.Fields == nil {
		p.Fields = map[string]any{}
	}
	p.RenderedRevisionID = rev.ID
}

// NewPublicItem builds the projection of a live revision, rendered through
// r. Its content type says which fields a listing shows and which are
// indexed for search.
func NewPublicItem(it *Item, rev *Revision, r Renderer) *PublicItem {
	sum := map[string]any{}
	text := r.Text(rev.Body, rev.BodyFormat)
	if ct := LookupContentType(it.ContentType); ct != nil {
		for _, f := range ct.Summary {
			if v, ok := rev.Fields[f]; ok {
				sum[f] = v
			}
		}
		text += ct.searchText(rev.Fields)
	}
	p := &PublicItem{ItemID: it.ID, Column: it.Column, ContentType: it.ContentType, RevisionID: rev.ID, Title: rev.Title,
		Summary: sum, TitleTokens: SearchTokens(rev.Title), SearchText: SearchTokens(text), PlainText: strings.TrimSpace(text),
		PublishedAt: stored(it.PublishedAt), UpdatedAt: stored(rev.PublishedAt), ContentHash: rev.ContentHash,
		RevisionDigest: servedRevision(rev)}
	p.render(rev, r)
	return p
}

// stored is t as the stores keep it, and read it back: UTC, to the
// microsecond. The documents encoded at publication hold the times a read
// of the row would give.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
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

package cms

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContentService answers the public content API: menus, listings, item
// detail, search, sync, the loan calculator and the app update check. Only
// published content is ever visible here.
type ContentService struct {
	Content   ContentStore
	Structure StructureStore
	Items     ItemStore
	Clock     Clock
	Previews  PreviewSigner
	Blobs     BlobStore
	// Renderer renders what the projection does not hold: previews of
	// unpublished revisions.
	Renderer Renderer
	// Integrity checks every row read here against its MAC before it is
	// served, and takes what fails offline.
	Integrity *IntegrityService
	// Authorizer decides who may render a body being written (staff only).
	Authorizer Authorizer
	// Documents encode what is served for rows that hold no stored
	// documents (see ItemDocument).
	Documents Documents

	columns authoredColumns
	pages   pageSaver
}

// BodyHTML returns a revision's body as the content API serves it, so that
// editors see what clients will.
func (s *ContentService) BodyHTML(rev *Revision) string {
	return s.Renderer.HTML(rev.Body, rev.BodyFormat)
}

// Menu returns a channel with its menu tree and the columns its entries
// show: only rows that match their MACs. An entry that does not is left
// out with its children; a channel whose settings do not is unavailable.
func (s *ContentService) Menu(ctx context.Context, channel string) (*Channel, []*MenuEntry, map[string]*Column, error) {
	ch, entries, cols, err := s.Integrity.menu(ctx, s.Structure, channel)
	if err != nil {
		return nil, nil, nil, err
	}
	return ch, BuildMenuTree(entries), cols, nil
}

// publicColumn returns a column whose items the content API lists.
func (s *ContentService) publicColumn(ctx context.Context, slug string) (*Column, error) {
	col, gen := s.columns.get(slug)
	if col != nil {
		return col, nil
	}
	col, err := s.Structure.Column(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !col.Authored() {
		return nil, Errorf(ENOTFOUND, "column %q has no items", slug)
	}
	s.columns.put(col, gen)
	return col, nil
}

// listCursor encodes a keyset position (published_at, item id).
func listCursor(p *PublicItem) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p:" + strconv.FormatInt(p.PublishedAt.UnixMicro(), 10) + ":" + strconv.FormatInt(p.ItemID, 10)))
}

func parseListCursor(c string) (time.Time, int64, error) {
	if c == "" {
		return time.Time{}, 0, nil
	}
	bad := Invalid("invalid cursor", FieldError{Field: "cursor", Message: "is not a cursor this API issued"})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "p" {
		return time.Time{}, 0, bad
	}
	us, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, bad
	}
	return time.UnixMicro(us).UTC(), id, nil
}

func checkLimit(limit int) (int, error) {
	if limit == 0 {
		return ListDefault, nil
	}
	if limit < 1 || limit > ListMaxLimit {
		return 0, Invalid("invalid limit", FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	return limit, nil
}

// List returns a column's published items, newest publication first. The
// keyset cursor makes paging stable while items are being published: a new
// item goes to the front, never into pages already handed out.
func (s *ContentService) List(ctx context.Context, column, cursor string, limit int) ([]PublicItem, string, error) {
	f, err := s.listFilter(ctx, column, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	limit = f.Limit - 1
	items, err := s.Content.PublicItems(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = listCursor(&items[limit-1])
	}
	// The cursor is the page's last row, checked or not: a row taken
	// offline leaves the page one short, never shifts the next one.
	items, err = s.Integrity.checkItems(ctx, items, checkHeader)
	return items, next, err
}

// Item returns a visible item's projection, with the HTML rendered when
// its revision went live, and the live revision (for its number and
// files). Both are checked: the row with its HTML and fields against its
// MAC, the revision's number and files against the digest the sealed row
// names (the patrol checks the revision's whole content every hour).
func (s *ContentService) Item(ctx context.Context, id int64) (*PublicItem, *Revision, error) {
	return s.item(ctx, id, false)
}

// item is Item; deep also checks the live revision's whole content against
// the approved hash, for reads that serve more of it than its files.
func (s *ContentService) item(ctx context.Context, id int64, deep bool) (*PublicItem, *Revision, error) {
	p, err := s.Content.PublicItem(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.Items.Revision(ctx, p.RevisionID)
	if ErrorCode(err) == ENOTFOUND {
		rev, err = &Revision{}, nil // a row naming no revision fails the check below
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.Integrity.checkItem(ctx, p, rev, deep); err != nil {
		return nil, nil, err
	}
	return p, rev, nil
}

// SearchResult is one page of search hits.
type SearchResult struct {
	Hits []SearchHit
	Next string
}

// Search finds published items matching every word of q, best first, in a
// column or a channel's columns.
func (s *ContentService) Search(ctx context.Context, q, column, channel, cursor string, limit int) (*SearchResult, error) {
	var fe FieldErrors
	q = strings.TrimSpace(q)
	if q == "" {
		fe.Add("q", "is required")
	} else if utf8.RuneCountInString(q) > 100 {
		fe.Add("q", "must be at most 100 characters")
	}
	limit, err := checkLimit(limit)
	if err != nil {
		return nil, err
	}
	offset := 0
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		o, perr := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "o:") || o <= 0 || o > 10_000 {
			fe.Add("cursor", "is not a cursor this API issued")
		}
		offset = o
	}
	if err := fe.Err("invalid search"); err != nil {
		return nil, err
	}
	f := PublicFilter{Offset: offset, Limit: limit + 1}
	if column != "" {
		col, err := s.publicColumn(ctx, column)
		if err != nil {
			return nil, Invalid("unknown column", FieldError{Field: "column", Message: "no published column " + quote(column)})
		}
		f.Columns = []string{col.Slug}
	}
	if channel != "" {
		cols, err := s.channelColumns(ctx, channel)
		if err != nil {
			return nil, err
		}
		f.Columns = intersect(f.Columns, cols, column != "")
		if len(f.Columns) == 0 {
			return &SearchResult{}, nil
		}
	}
	phrases := QueryPhrases(q)
	if len(phrases) == 0 {
		return &SearchResult{}, nil
	}
	hits, err := s.Content.Search(ctx, phrases, f)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{Hits: hits}
	if len(hits) > limit {
		res.Hits = hits[:limit]
		res.Next = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset+limit)))
	}
	res.Hits, err = s.checkHits(ctx, res.Hits)
	return res, err
}

// checkHits keeps the hits whose rows pass the check of what search
// serves: the row and the plain text its snippet comes from.
func (s *ContentService) checkHits(ctx context.Context, hits []SearchHit) ([]SearchHit, error) {
	items := make([]PublicItem, len(hits))
	for i := range hits {
		items[i] = hits[i].Item
	}
	ok, err := s.Integrity.checkItems(ctx, items, checkText)
	if err != nil || len(ok) == len(hits) {
		return hits, err
	}
	out := hits[:0]
	for _, h := range hits {
		for j := range ok {
			if ok[j].ItemID == h.Item.ItemID {
				out = append(out, h)
				break
			}
		}
	}
	return out, nil
}

// channelColumns lists the columns a channel's menu shows, of the entries
// that pass their check.
func (s *ContentService) channelColumns(ctx context.Context, channel string) ([]string, error) {
	entries, err := s.Structure.Menu(ctx, channel)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Invalid("unknown channel", FieldError{Field: "channel", Message: "must be wechat or app"})
	}
	if err != nil {
		return nil, err
	}
	checked, err := s.Integrity.columns(ctx, s.Structure, TriggerRead)
	if err != nil {
		return nil, err
	}
	if entries, err = s.Integrity.menuEntries(ctx, entries, checked); err != nil {
		return nil, err
	}
	var cols []string
	for _, e := range entries {
		if e.Column != "" && e.Enabled {
			cols = append(cols, e.Column)
		}
	}
	return cols, nil
}

// intersect returns b, or a∩b when restrict is set.
func intersect(a, b []string, restrict bool) []string {
	if !restrict {
		return b
	}
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// SyncEntry is an item as it is now: visible (Item and Revision set) or gone.
type SyncEntry struct {
	ItemID   int64
	Item     *PublicItem
	Revision *Revision
}

// SyncPage is one page of changes since a token.
type SyncPage struct {
	Changed []SyncEntry
	Deleted []int64
	Next    string
	More    bool
}

// SyncLimit is the most items one sync page returns.
const SyncLimit = 200

// Sync returns every item published, changed, unpublished, suspended or
// archived since the token, as it is now, with the token to continue from.
// An empty token starts from the beginning, which gives a full copy.
func (s *ContentService) Sync(ctx context.Context, since string) (*SyncPage, error) {
	var after int64
	if since != "" {
		b, err := base64.RawURLEncoding.DecodeString(since)
		v, perr := strconv.ParseInt(strings.TrimPrefix(string(b), "s:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "s:") || v < 0 {
			return nil, Invalid("invalid token", FieldError{Field: "since", Message: "is not a token this API issued"})
		}
		after = v
	}
	// The high-water mark is read first: a change committed after it is
	// either in the page below or past the token, never skipped.
	version, err := s.Content.ContentVersion(ctx)
	if err != nil {
		return nil, err
	}
	changes, err := s.Content.Changes(ctx, after, SyncLimit+1)
	if err != nil {
		return nil, err
	}
	page := &SyncPage{}
	if len(changes) > SyncLimit {
		changes, page.More = changes[:SyncLimit], true
	}
	next := after
	if len(changes) == 0 && version > after {
		// Nothing item-related changed up to the mark: structural changes
		// only, which the token may skip.
		next = version
	}
	for _, ch := range changes {
		next = max(next, ch.Seq)
		p, rev, err := s.Item(ctx, ch.ItemID)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			page.Deleted = append(page.Deleted, ch.ItemID)
		case err != nil:
			return nil, err
		default:
			page.Changed = append(page.Changed, SyncEntry{ItemID: ch.ItemID, Item: p, Revision: rev})
		}
	}
	page.Next = base64.RawURLEncoding.EncodeToString([]byte("s:" + strconv.FormatInt(next, 10)))
	return page, nil
}

// AppUpdate answers an app's update check: the newest published release for
// its platform, whether it is newer than the client's version, and whether
// the client is below the minimum supported version.
func (s *ContentService) AppUpdate(ctx context.Context, platform, version string) (*PublicItem, *Revision, bool, bool, error) {
	var fe FieldErrors
	if platform != "android" && platform != "ios" {
		fe.Add("platform", "must be android or ios")
	}
	cur, ok := parseVersion(version)
	if !ok {
		fe.Add("version", "must be a version such as 2.4 or 2.4.1")
	}
	if err := fe.Err("invalid update check"); err != nil {
		return nil, nil, false, false, err
	}
	var best *PublicItem
	var bestV [3]int
	for before := (PublicFilter{Columns: []string{"check-update"}, Limit: 100}); ; {
		page, err := s.Content.PublicItems(ctx, before)
		if err != nil {
			return nil, nil, false, false, err
		}
		items, err := s.Integrity.checkItems(ctx, page, checkHeader)
		if err != nil {
			return nil, nil, false, false, err
		}
		for i := range items {
			it := &items[i]
			v, ok := parseVersion(str(it.Summary["version"]))
			if it.ContentType != TypeAppRelease || str(it.Summary["platform"]) != platform || !ok {
				continue
			}
			if best == nil || compareVersions(v, bestV) > 0 {
				best, bestV = it, v
			}
		}
		if len(page) < before.Limit {
			break
		}
		before.BeforeTime, before.BeforeID = page[len(page)-1].PublishedAt, page[len(page)-1].ItemID
	}
	if best == nil {
		return nil, nil, false, false, Errorf(ENOTFOUND, "no release for %s is published", platform)
	}
	p, rev, err := s.Item(ctx, best.ItemID)
	if err != nil {
		return nil, nil, false, false, err
	}
	minV, _ := parseVersion(str(best.Summary["min_supported_version"]))
	return p, rev, compareVersions(bestV, cur) > 0, compareVersions(cur, minV) < 0, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	if !versionPattern.MatchString(s) {
		return v, false
	}
	for i, p := range strings.SplitN(s, ".", 3) {
		v[i], _ = strconv.Atoi(p)
	}
	return v, true
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// PreviewAttachment opens a file of the revision a preview token names.
func (s *ContentService) PreviewAttachment(ctx context.Context, token string, attachmentID int64) (*Attachment, Blob, error) {
	_, rev, err := s.previewRevision(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	return openAttachment(ctx, s.Blobs, rev, attachmentID)
}

// Attachment returns a file of a published item, for the content API.
// Files of unpublished, suspended or archived revisions are not found.
func (s *ContentService) Attachment(ctx context.Context, itemID, attachmentID int64) (*Attachment, error) {
	_, rev, err := s.Item(ctx, itemID) // checked as item detail is
	if err != nil {
		return nil, err
	}
	for i := range rev.Attachments {
		if rev.Attachments[i].ID == attachmentID {
			return &rev.Attachments[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "no such attachment")
}

// listFilter checks a column listing's column, cursor and page size and
// returns the filter that reads one row more than the page, to tell
// whether another page follows.
func (s *ContentService) listFilter(ctx context.Context, column, cursor string, limit int) (PublicFilter, error) {
	col, err := s.publicColumn(ctx, column)
	if err != nil {
		return PublicFilter{}, err
	}
	if limit, err = checkLimit(limit); err != nil {
		return PublicFilter{}, err
	}
	t, id, err := parseListCursor(cursor)
	if err != nil {
		return PublicFilter{}, err
	}
	return PublicFilter{Columns: []string{col.Slug}, BeforeTime: t, BeforeID: id, Limit: limit + 1}, nil
}

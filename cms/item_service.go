package cms

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on item content.
const (
	TitleMaxLength = 200
	BodyMaxLength  = 200_000
	ListMaxLimit   = 100
	ListDefault    = 20
)

// ItemService creates, lists and edits items and their draft revisions.
type ItemService struct {
	Items      ItemStore
	Structure  StructureStore
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Previews   PreviewSigner
	// PreviewStore ends a revision's preview links.
	PreviewStore PreviewStore
}

func (s *ItemService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// Content is the editable content of a revision. Nil pointers leave a value
// as it is when patching.
type Content struct {
	Title      *string
	Body       *string
	BodyFormat *string
	// Fields, when set, replace the revision's fields. A nil value in the map
	// removes that field when patching.
	Fields    map[string]any
	PublishAt *time.Time
	ExpireAt  *time.Time
}

// NewItem is the input for creating an item.
type NewItem struct {
	Column string
	// Department that will own the item; empty means the author's own
	// department, or the only owning department the author edits for.
	Department string
	Content
}

// ItemView is an item with its live and head revisions and the list of all its revisions.
type ItemView struct {
	Item      *Item
	Live      *Revision
	Head      *Revision
	Revisions []Revision
}

// Create starts an item in a column with its first draft revision.
func (s *ItemService) Create(ctx context.Context, p *Principal, in NewItem) (*Item, *Revision, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, nil, err
	}
	col, err := s.authoredColumn(ctx, in.Column)
	if err != nil {
		return nil, nil, err
	}
	dept, err := s.authorDepartment(ctx, p, col, in.Department)
	if err != nil {
		return nil, nil, err
	}
	if err := s.guard().write(ctx, p, ActItemCreate, Resource{Department: dept, Column: col.Slug}, "column:"+col.Slug); err != nil {
		return nil, nil, err
	}
	ct := LookupContentType(col.ContentType)
	now := s.Clock.Now()
	rev := &Revision{Number: 1, Action: ActionPublish, State: StateDraft, Version: 1, BodyFormat: FormatMarkdown,
		Fields: map[string]any{}, AuthorID: p.User.ID, CreatedAt: now, UpdatedAt: now, StateSince: now}
	if in.Title == nil {
		return nil, nil, Invalid("title is required", FieldError{Field: "title", Message: "is required"})
	}
	if err := applyContent(ct, rev, in.Content, true); err != nil {
		return nil, nil, err
	}
	rev.ContentHash = rev.Hash()
	it := &Item{Column: col.Slug, Department: dept, ContentType: ct.Name, CreatedBy: p.User.ID,
		CreatedAt: now, UpdatedAt: now, Title: rev.Title, State: rev.State}
	audit := NewAuditEntry(now, p.User.ID, AuditItemCreated, "column:"+col.Slug,
		map[string]any{"department": dept, "title": rev.Title, "content_hash": rev.ContentHash})
	if err := s.Items.CreateItem(ctx, it, rev, audit); err != nil {
		return nil, nil, err
	}
	return it, rev, nil
}

// authoredColumn returns the column called slug when items can be authored in it.
func (s *ItemService) authoredColumn(ctx context.Context, slug string) (*Column, error) {
	if slug == "" {
		return nil, Invalid("column is required", FieldError{Field: "column", Message: "is required"})
	}
	col, err := s.Structure.Column(ctx, slug)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Invalid("unknown column", FieldError{Field: "column", Message: "no column " + quote(slug)})
	}
	if err != nil {
		return nil, err
	}
	if !col.Authored() {
		return nil, Invalid("column takes no content", FieldError{Field: "column",
			Message: "column " + quote(slug) + " is a " + col.Kind + " column; its content is not authored here"})
	}
	return col, nil
}

// authorDepartment decides which department a new item belongs to: the one
// asked for, else the author's own if they edit for it and it owns the
// column, else the only owner of the column the author edits for.
func (s *ItemService) authorDepartment(ctx context.Context, p *Principal, col *Column, asked string) (string, error) {
	if asked != "" {
		return asked, nil
	}
	u := p.User
	var candidates []string
	for _, b := range u.Roles {
		if b.Role == RoleEditor && col.OwnedBy(b.Department) {
			if b.Department == u.Department {
				return u.Department, nil
			}
			candidates = append(candidates, b.Department)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	if len(candidates) > 1 {
		return "", Invalid("department is ambiguous", FieldError{Field: "department",
			Message: "you edit for several owners of this column: " + strings.Join(candidates, ", ")})
	}
	return u.Department, nil
}

func quote(s string) string { return "\"" + s + "\"" }

// applyContent validates c and writes it into rev. On create every field of
// c is taken; on patch only the non-nil ones, and fields merge.
func applyContent(ct *ContentType, rev *Revision, c Content, create bool) error {
	var fe FieldErrors
	if c.Title != nil {
		t := strings.TrimSpace(*c.Title)
		switch {
		case t == "":
			fe.Add("title", "must not be empty")
		case utf8.RuneCountInString(t) > TitleMaxLength:
			fe.Add("title", "must be at most %d characters", TitleMaxLength)
		case strings.ContainsAny(t, "\r\n"):
			fe.Add("title", "must be a single line")
		}
		rev.Title = t
	}
	if c.Body != nil {
		if utf8.RuneCountInString(*c.Body) > BodyMaxLength {
			fe.Add("body", "must be at most %d characters", BodyMaxLength)
		}
		rev.Body = *c.Body
	}
	if c.BodyFormat != nil {
		if *c.BodyFormat != FormatMarkdown && *c.BodyFormat != FormatHTML {
			fe.Add("body_format", "must be markdown or html")
		}
		rev.BodyFormat = *c.BodyFormat
	}
	if c.Fields != nil {
		merged := c.Fields
		if !create {
			merged = make(map[string]any, len(rev.Fields)+len(c.Fields))
			for k, v := range rev.Fields {
				merged[k] = v
			}
			for k, v := range c.Fields {
				merged[k] = v
			}
		}
		norm, errs := ct.NormalizeFields(merged)
		fe = append(fe, errs...)
		rev.Fields = norm
	}
	if c.PublishAt != nil {
		rev.PublishAt = c.PublishAt.UTC().Truncate(time.Second)
	}
	if c.ExpireAt != nil {
		rev.ExpireAt = c.ExpireAt.UTC().Truncate(time.Second)
	}
	if !rev.ExpireAt.IsZero() && !rev.PublishAt.IsZero() && !rev.ExpireAt.After(rev.PublishAt) {
		fe.Add("expire_at", "must be after publish_at")
	}
	return fe.Err("invalid content")
}

// List returns items the caller may read, newest first, and the cursor of the next page.
func (s *ItemService) List(ctx context.Context, p *Principal, f ItemFilter, cursor string) ([]Item, string, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, "", err
	}
	var fe FieldErrors
	before, err := DecodeCursor("cursor", cursor)
	if err != nil {
		return nil, "", err
	}
	f.Before = before
	if f.Limit == 0 {
		f.Limit = ListDefault
	}
	if f.Limit < 1 || f.Limit > ListMaxLimit {
		fe.Add("limit", "must be between 1 and %d", ListMaxLimit)
	}
	if f.State != "" && !f.State.Valid() {
		fe.Add("state", "unknown state %q", f.State)
	}
	if f.Live != "" && f.Live != StatePublished && f.Live != StateSuspended {
		fe.Add("live", "must be published or suspended")
	}
	if utf8.RuneCountInString(f.Query) > 100 {
		fe.Add("q", "must be at most 100 characters")
	}
	if err := fe.Err("invalid filter"); err != nil {
		return nil, "", err
	}
	depts, err := s.Authorizer.Departments(ctx, p.User, ActItemRead)
	if err != nil {
		return nil, "", err
	}
	f.Departments = depts
	if len(depts) == 0 {
		return nil, "", nil
	}
	limit := f.Limit
	f.Limit = limit + 1
	items, err := s.Items.Items(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = EncodeCursor(items[limit-1].ID)
	}
	return items, next, nil
}

// Get returns an item with its revisions when the caller may read it.
func (s *ItemService) Get(ctx context.Context, p *Principal, id int64) (*ItemView, error) {
	it, err := s.Items.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, s.Authorizer, p, ActItemRead, Resource{Department: it.Department}); err != nil {
		return nil, err
	}
	revs, err := s.Items.Revisions(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &ItemView{Item: it, Revisions: revs}
	for i := range revs {
		if revs[i].ID == it.LiveRevisionID {
			v.Live = &revs[i]
		}
		if revs[i].ID == it.HeadRevisionID {
			v.Head = &revs[i]
		}
	}
	return v, nil
}

// Revision returns one revision and its item when the caller may read it.
func (s *ItemService) Revision(ctx context.Context, p *Principal, id int64) (*Revision, *Item, error) {
	return readRevision(ctx, s.Items, s.Authorizer, p, id)
}

// readRevision loads a revision and its item for a caller who may read it.
func readRevision(ctx context.Context, items ItemStore, az Authorizer, p *Principal, id int64) (*Revision, *Item, error) {
	rev, err := items.Revision(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	it, err := items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, nil, err
	}
	if err := authorize(ctx, az, p, ActItemRead, Resource{Department: it.Department}); err != nil {
		return nil, nil, err
	}
	return rev, it, nil
}

// UpdateDraft changes the content of a draft revision. version is the
// version the caller last saw (If-Match); a stale one is refused.
func (s *ItemService) UpdateDraft(ctx context.Context, p *Principal, id int64, version int, c Content) (*Revision, *Item, error) {
	rev, it, err := s.Revision(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.guard().write(ctx, p, ActItemEdit, Resource{Department: it.Department, Column: it.Column}, revisionSubject(rev.ID)); err != nil {
		return nil, nil, err
	}
	if rev.Version != version {
		return nil, nil, Errorf(EPRECONDITION, "revision changed since you read it (version %d, now %d)", version, rev.Version)
	}
	if rev.State != StateDraft {
		return nil, nil, Errorf(ECONFLICT, "only a draft can be edited; this revision is %s", rev.State)
	}
	if err := applyContent(LookupContentType(it.ContentType), rev, c, false); err != nil {
		return nil, nil, err
	}
	rev.Version++
	rev.UpdatedAt = s.Clock.Now()
	rev.ContentHash = rev.Hash()
	audit := NewAuditEntry(rev.UpdatedAt, p.User.ID, AuditRevisionEdited, revisionSubject(rev.ID),
		map[string]any{"item_id": it.ID, "version": rev.Version, "content_hash": rev.ContentHash})
	if err := s.Items.UpdateRevision(ctx, rev, audit); err != nil {
		return nil, nil, err
	}
	return rev, it, nil
}

// NewRevision drafts a change to a live item: an edit (action publish),
// starting from the live content, or a deletion request (action unpublish).
// The live revision stays online until the new one is published.
func (s *ItemService) NewRevision(ctx context.Context, p *Principal, itemID int64, action string, c Content) (*Revision, *Item, error) {
	it, err := s.Items.Item(ctx, itemID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.guard().write(ctx, p, ActItemEdit, Resource{Department: it.Department, Column: it.Column}, itemSubject(it.ID)); err != nil {
		return nil, nil, err
	}
	if action != ActionPublish && action != ActionUnpublish {
		return nil, nil, Invalid("invalid action", FieldError{Field: "action", Message: "must be publish or unpublish"})
	}
	if it.State.InFlight() {
		return nil, nil, Errorf(ECONFLICT, "the item already has revision %d in flight (%s)", it.HeadRevisionID, it.State)
	}
	if it.LiveRevisionID == 0 {
		return nil, nil, Errorf(ECONFLICT, "the item is not live; only a live item can be changed or deleted")
	}
	live, err := s.Items.Revision(ctx, it.LiveRevisionID)
	if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	head, err := s.Items.Revision(ctx, it.HeadRevisionID)
	if err != nil {
		return nil, nil, err
	}
	rev := &Revision{ItemID: it.ID, Number: head.Number + 1, Action: action, State: StateDraft, Version: 1,
		Title: live.Title, Body: live.Body, BodyFormat: live.BodyFormat, Fields: live.Fields, ExpireAt: live.ExpireAt,
		Attachments: append([]Attachment(nil), live.Attachments...),
		AuthorID:    p.User.ID, CreatedAt: now, UpdatedAt: now, StateSince: now}
	if action == ActionUnpublish && (c.Title != nil || c.Body != nil || c.Fields != nil || c.BodyFormat != nil) {
		return nil, nil, Invalid("a deletion request carries no content", FieldError{Field: "action", Message: "unpublish takes no content"})
	}
	if err := applyContent(LookupContentType(it.ContentType), rev, c, false); err != nil {
		return nil, nil, err
	}
	rev.ContentHash = rev.Hash()
	prev := it.HeadRevisionID
	it.Title, it.State, it.UpdatedAt = rev.Title, rev.State, now
	audit := NewAuditEntry(now, p.User.ID, AuditRevisionCreated, itemSubject(it.ID),
		map[string]any{"action": action, "number": rev.Number, "content_hash": rev.ContentHash})
	if err := s.Items.AddRevision(ctx, it, rev, prev, audit); err != nil {
		return nil, nil, err
	}
	return rev, it, nil
}

func itemSubject(id int64) string     { return "item:" + strconv.FormatInt(id, 10) }
func revisionSubject(id int64) string { return "revision:" + strconv.FormatInt(id, 10) }

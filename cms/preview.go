package cms

import (
	"context"
	"time"
)

// PreviewTTL is how long a preview link works.
const PreviewTTL = 24 * time.Hour

// ActRevisionPreview lets those in a revision's review chain share and
// revoke preview links to it; its authors may too.
const ActRevisionPreview Action = "revision.preview"

// Audit actions of preview links.
const (
	AuditPreviewIssued  = "preview_issued"
	AuditPreviewRevoked = "preview_revoked"
)

// previewGone says why a revision may no longer be previewed, or "".
func previewGone(rev *Revision) string {
	switch rev.State {
	case StateSuspended:
		return "the revision was suspended; its preview links no longer work"
	case StateArchived:
		return "the revision was withdrawn from publication; its preview links no longer work"
	case StateSuperseded:
		return "a newer revision replaced this one; its preview links no longer work"
	}
	return ""
}

// authored reports whether u wrote the revision: created its item, wrote
// the revision or submitted it.
func authored(u *User, it *Item, rev *Revision) bool {
	return u.ID != 0 && (u.ID == it.CreatedBy || u.ID == rev.AuthorID || u.ID == rev.SubmittedBy)
}

// previewer loads a revision for someone who may share or revoke links to
// it: who may read it and either wrote it or is in its review chain.
// Auditors read every revision but share none.
func (s *ItemService) previewer(ctx context.Context, p *Principal, revID int64) (*Revision, *Item, error) {
	rev, it, err := s.Revision(ctx, p, revID)
	if err != nil {
		return nil, nil, err
	}
	if authored(p.User, it, rev) {
		return rev, it, nil
	}
	ok, err := s.Authorizer.Allowed(ctx, p.User, ActRevisionPreview, Resource{Department: it.Department, Column: it.Column})
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		detail := map[string]any{"action": string(ActRevisionPreview), "department": it.Department, "column": it.Column}
		if err := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditPermissionDenied, revisionSubject(rev.ID), detail)); err != nil {
			return nil, nil, err
		}
		return nil, nil, Errorf(EFORBIDDEN, "only the revision's authors and those in its review chain may share or revoke its preview links")
	}
	return rev, it, nil
}

// Preview issues a signed, expiring link to one revision, so that its
// authors and reviewers can see it as clients would before it is
// published. The link shows that revision and nothing else, and stops
// working when the links are revoked or the revision is withdrawn or
// suspended. Issuing one is audited.
func (s *ItemService) Preview(ctx context.Context, p *Principal, revID int64) (string, time.Time, error) {
	rev, it, err := s.previewer(ctx, p, revID)
	if err != nil {
		return "", time.Time{}, err
	}
	if why := previewGone(rev); why != "" {
		return "", time.Time{}, Errorf(ECONFLICT, "%s", why)
	}
	now := s.Clock.Now()
	exp := now.Add(PreviewTTL)
	tok, err := s.Previews.Sign(rev.ID, rev.PreviewGeneration, exp)
	if err != nil {
		return "", time.Time{}, err
	}
	detail := map[string]any{"item_id": it.ID, "generation": rev.PreviewGeneration, "expires_at": formatTime(exp)}
	if err := s.Audit.Append(ctx, NewAuditEntry(now, p.User.ID, AuditPreviewIssued, revisionSubject(rev.ID), detail)); err != nil {
		return "", time.Time{}, err
	}
	return tok, exp, nil
}

// RevokePreviews ends every preview link to a revision at once, for its
// authors and those in its review chain.
func (s *ItemService) RevokePreviews(ctx context.Context, p *Principal, revID int64) error {
	rev, it, err := s.previewer(ctx, p, revID)
	if err != nil {
		return err
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditPreviewRevoked, revisionSubject(rev.ID),
		map[string]any{"item_id": it.ID, "generation": rev.PreviewGeneration + 1})
	_, err = s.PreviewStore.RevokePreviews(ctx, rev.ID, audit)
	return err
}

// Preview returns the revision a preview token names, rendered as the
// content API would serve it once published. Its PublishedAt is the item's
// first publication or, for an item never published, when the revision
// was last saved; its UpdatedAt is when the revision was last saved.
func (s *ContentService) Preview(ctx context.Context, token string) (*PublicItem, *Revision, error) {
	it, rev, err := s.previewRevision(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	p := &PublicItem{ItemID: it.ID, Column: it.Column, ContentType: it.ContentType, RevisionID: rev.ID, Title: rev.Title,
		PublishedAt: it.PublishedAt, UpdatedAt: rev.UpdatedAt, ContentHash: rev.ContentHash}
	if p.PublishedAt.IsZero() {
		p.PublishedAt = rev.UpdatedAt
	}
	p.render(rev, s.Renderer)
	return p, rev, nil
}

// previewRevision returns the revision a preview token names, with its
// item: 410 when its links were revoked (the token's generation is past)
// or the revision was withdrawn or suspended since.
func (s *ContentService) previewRevision(ctx context.Context, token string) (*Item, *Revision, error) {
	id, gen, err := s.Previews.Verify(token, s.Clock.Now())
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.Items.Revision(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if gen != rev.PreviewGeneration {
		return nil, nil, Errorf(EGONE, "the preview link was revoked, or the revision withdrawn or suspended; ask for a new one")
	}
	if why := previewGone(rev); why != "" {
		return nil, nil, Errorf(EGONE, "%s", why)
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, nil, err
	}
	return it, rev, nil
}

// RenderedFields returns a revision's typed fields as the content API
// serves them once published (text fields as sanitised HTML), so that staff
// review what clients will show.
func (s *ContentService) RenderedFields(rev *Revision, contentType string) map[string]any {
	ct := LookupContentType(contentType)
	if ct == nil {
		return rev.Fields
	}
	return ct.RenderFields(rev.Fields, s.Renderer)
}

package cms

import (
	"context"
	"time"
)

// PreviewTTL is how long a preview link works.
const PreviewTTL = 24 * time.Hour

// PreviewSigner signs and checks preview tokens: a revision id and an expiry.
type PreviewSigner interface {
	Sign(revisionID int64, expires time.Time) (string, error)
	// Verify returns the revision id of a valid, unexpired token.
	Verify(token string, now time.Time) (int64, error)
}

// Preview issues a signed, expiring link to one revision for someone who
// may read it, so that editors and reviewers can see it as clients would
// before it is published. The link shows that revision and nothing else.
func (s *ItemService) Preview(ctx context.Context, p *Principal, revID int64) (string, time.Time, error) {
	rev, _, err := s.Revision(ctx, p, revID)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.Clock.Now().Add(PreviewTTL)
	tok, err := s.Previews.Sign(rev.ID, exp)
	return tok, exp, err
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

// previewRevision returns the revision a preview token names, with its item.
func (s *ContentService) previewRevision(ctx context.Context, token string) (*Item, *Revision, error) {
	id, err := s.Previews.Verify(token, s.Clock.Now())
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.Items.Revision(ctx, id)
	if err != nil {
		return nil, nil, err
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

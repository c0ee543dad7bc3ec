package cms

import "context"

// ProjectionStore fills in the HTML of projection rows written before
// bodies were rendered at publication.
type ProjectionStore interface {
	// Unrendered returns up to limit visible items after item afterID, by
	// item id, whose projection holds no HTML of their live revision.
	Unrendered(ctx context.Context, afterID int64, limit int) ([]PublicItem, error)
	// SaveRendered stores p's BodyHTML, Fields and RenderedRevisionID,
	// unless the item's live revision is no longer p.RevisionID; it
	// reports whether it did.
	SaveRendered(ctx context.Context, p *PublicItem) (bool, error)
}

// backfillBatch is how many projection rows the backfill reads at a time.
const backfillBatch = 100

// BackfillProjection renders the HTML of every projection row that lacks
// it: rows written before bodies were rendered at publication. Run it at
// start, after migrating; it returns how many rows it rendered, and finds
// nothing to do once they all are.
//
// It is derived data only, so it writes no audit entry and no public
// change: clients were served the same HTML, rendered at each read. It is
// safe while revisions go live (a row whose live revision changed is left
// to the publication that changed it) and on several processes at once.
// A revision whose content no longer matches its approved hash is skipped:
// the projection is only ever rendered from approved content, and the
// patrol suspends the revision.
func (s *WorkflowService) BackfillProjection(ctx context.Context) (int, error) {
	done := 0
	for after := int64(0); ; {
		page, err := s.Flow.Unrendered(ctx, after, backfillBatch)
		if err != nil {
			return done, err
		}
		for i := range page {
			p := &page[i]
			after = p.ItemID
			ok, err := s.rerender(ctx, p)
			if err != nil {
				return done, err
			}
			if ok {
				done++
			}
		}
		if len(page) < backfillBatch {
			return done, nil
		}
	}
}

// rerender renders one projection row from its live revision.
func (s *WorkflowService) rerender(ctx context.Context, p *PublicItem) (bool, error) {
	rev, err := s.Items.Revision(ctx, p.RevisionID)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if rev.Hash() != rev.ApprovedHash {
		return false, nil
	}
	p.render(rev, s.Renderer)
	return s.Flow.SaveRendered(ctx, p)
}

package cms

import "context"

// backfillBatch is how many projection rows the backfill reads at a time.
const backfillBatch = 100

// BackfillProjection renders and seals every projection row written before
// publication did both: it rebuilds the row from its live revision, the
// way publication builds it, and seals it. Run it at start, after
// migrating; it returns how many rows it rewrote, and finds nothing to do
// once they all are.
//
// A row is rebuilt only from a revision that is still published, still the
// item's live revision and whose content still matches its approved hash:
// the projection is only ever sealed over approved content. Whatever the
// old row held (a title edited in the database before the key existed, a
// missing rendering) is replaced by what the approved revision gives. A row
// left unsealed is never served: the first read or the patrol takes it
// offline.
//
// It writes no audit entry and no public change: clients are served the
// approved content either way. It is safe while revisions go live (a row
// whose live revision changed is left to the publication that changed it)
// and on several processes at once.
func (s *WorkflowService) BackfillProjection(ctx context.Context) (int, error) {
	done := 0
	for after := int64(0); ; {
		page, err := s.Flow.Unsealed(ctx, after, backfillBatch)
		if err != nil {
			return done, err
		}
		for i := range page {
			p := &page[i]
			after = p.ItemID
			ok, err := s.rebuild(ctx, p)
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

// rebuild rewrites one projection row from its live revision, sealed.
func (s *WorkflowService) rebuild(ctx context.Context, p *PublicItem) (bool, error) {
	it, err := s.Items.Item(ctx, p.ItemID)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rev, err := s.Items.Revision(ctx, p.RevisionID)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if rev.ItemID != it.ID || it.LiveRevisionID != rev.ID || rev.State != StatePublished || rev.Hash() != rev.ApprovedHash {
		return false, nil
	}
	fresh := NewPublicItem(it, rev, s.Renderer)
	s.Keys.SealPublicItem(fresh)
	return s.Flow.SaveProjection(ctx, fresh)
}

package cms

import (
	"context"
	"fmt"
)

// backfillBatch is how many projection rows the backfill reads at a time.
const backfillBatch = 100

// Project builds the public projection of a live revision as publication
// stores it: rendered through r, sealed with k, with the content API's
// documents encoded by d and sealed too. Without keys (tests of the
// workflow alone) the row is left unsealed; without d it holds no
// documents and reads build them.
func Project(it *Item, rev *Revision, r Renderer, d Documents, k *Keys) (*PublicItem, error) {
	p := NewPublicItem(it, rev, r)
	if k == nil {
		return p, nil
	}
	k.SealPublicItem(p) // first: the documents are encoded from the stored JSON
	if d == nil {
		return p, nil
	}
	var err error
	if p.Doc, err = d.ItemDocument(p, rev); err != nil {
		return nil, fmt.Errorf("encode the document of item %d: %w", p.ItemID, err)
	}
	if p.Entry, err = d.ListEntry(p); err != nil {
		return nil, fmt.Errorf("encode the listing entry of item %d: %w", p.ItemID, err)
	}
	k.SealDocuments(p)
	return p, nil
}

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
	fresh, err := Project(it, rev, s.Renderer, s.Documents, s.Keys)
	if err != nil {
		return false, err
	}
	return s.Flow.SaveProjection(ctx, fresh)
}

// BackfillDocuments stores the content API's documents in every projection
// row written before publication stored them, and returns how many it
// stored. Until then reads of those rows build the documents themselves,
// so it may run beside the server (app.Run starts it); it writes only the
// documents, a page of rows per transaction, and finds nothing to do once
// every row has them.
//
// A row's documents are encoded from the row and its live revision only
// when both are intact: the row matches its MAC (its HTML and fields too)
// and was rendered from that revision, which is still published, still
// live, matches its approved hash and gives the number and files the row
// names. Other rows are left to the reads and the patrol, which take them
// offline.
func (s *WorkflowService) BackfillDocuments(ctx context.Context) (int, error) {
	done := 0
	for after := int64(0); ; {
		page, err := s.Flow.Undocumented(ctx, after, backfillBatch)
		if err != nil {
			return done, err
		}
		var ready []PublicItem
		for i := range page {
			p := &page[i]
			after = p.ItemID
			ok, err := s.encodeDocuments(ctx, p)
			if err != nil {
				return done, err
			}
			if ok {
				ready = append(ready, *p)
			}
		}
		n, err := s.Flow.SaveDocuments(ctx, ready)
		done += n
		if err != nil || len(page) < backfillBatch {
			return done, err
		}
	}
}

// encodeDocuments sets p's documents from p and its live revision, sealed,
// when both are intact; it reports whether it did.
func (s *WorkflowService) encodeDocuments(ctx context.Context, p *PublicItem) (bool, error) {
	if s.Documents == nil || s.Keys == nil || !p.Rendered() || s.Keys.checkPublicItem(p, checkDetail) != "" {
		return false, nil
	}
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
	if it.LiveRevisionID != rev.ID || rev.State != StatePublished || rev.Hash() != rev.ApprovedHash || revisionMismatch(p, rev, true) != "" {
		return false, nil
	}
	if p.Doc, err = s.Documents.ItemDocument(p, rev); err != nil {
		return false, err
	}
	if p.Entry, err = s.Documents.ListEntry(p); err != nil {
		return false, err
	}
	s.Keys.SealDocuments(p)
	return true, nil
}

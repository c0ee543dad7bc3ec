package storage

import (
	"context"
	"time"

	"github.com/tlhpf/cms/cms"
)

// ArchiveSource reads what the auditors' archive needs. It reads item ids
// and audit entries in pages, never holding a cursor open while the
// exporter asks for more.
type ArchiveSource struct {
	*DB
	Blobs cms.BlobStore
}

// publishedIn selects the items a publication (or carried-out deletion
// request) happened to in [from, to).
func (s ArchiveSource) publishedIDs(ctx context.Context, from, to time.Time) ([]int64, error) {
	var ids []int64
	err := s.bun.NewSelect().TableExpr("transitions").ColumnExpr("DISTINCT item_id").
		Where("event = ?", cms.EventPublish).Where("at >= ?", from).Where("at < ?", to).
		OrderExpr("item_id").Scan(ctx, &ids)
	return ids, err
}

// PublishedItems calls fn for every item published in [from, to), by id.
func (s ArchiveSource) PublishedItems(ctx context.Context, from, to time.Time, fn func(cms.Item) error) error {
	ids, err := s.publishedIDs(ctx, from, to)
	if err != nil {
		return err
	}
	for _, id := range ids {
		it, err := s.Item(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(*it); err != nil {
			return err
		}
	}
	return nil
}

// CountPublishedItems counts them.
func (s ArchiveSource) CountPublishedItems(ctx context.Context, from, to time.Time) (int, error) {
	ids, err := s.publishedIDs(ctx, from, to)
	return len(ids), err
}

// Transitions returns an item's whole history, oldest first.
func (s ArchiveSource) Transitions(ctx context.Context, itemID int64) ([]cms.Transition, error) {
	return s.DB.Transitions(ctx, cms.TransitionFilter{ItemID: itemID})
}

// User returns one user.
func (s ArchiveSource) User(ctx context.Context, id int64) (*cms.User, error) {
	return s.UserByID(ctx, id)
}

// AuditRange calls fn for the entries of [from, to), in sequence order.
func (s ArchiveSource) AuditRange(ctx context.Context, from, to time.Time, fn func(cms.AuditEntry) error) error {
	var first int64
	if err := s.bun.NewSelect().TableExpr("audit_log").ColumnExpr("COALESCE(MIN(seq), 0)").
		Where("at >= ?", from).Where("at < ?", to).Scan(ctx, &first); err != nil || first == 0 {
		return err
	}
	after := first - 1
	for {
		batch, err := s.AuditEntries(ctx, after, 1000)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if !e.At.Before(to) {
				return nil
			}
			if err := fn(e); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(batch) < 1000 {
			return nil
		}
	}
}

// OpenBlob opens a file from the blob store.
func (s ArchiveSource) OpenBlob(ctx context.Context, key string) (cms.Blob, error) {
	return s.Blobs.Open(ctx, key)
}

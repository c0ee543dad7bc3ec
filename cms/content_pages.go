package cms

import (
	"context"
	"crypto/sha256"
	"sync"
)

// ListingPage is a column's first listing page (the default limit, no
// cursor) as the content API serves it, stored once it has been built:
// its bytes, the column's version they were built at (see
// ContentStore.ColumnVersion) and a MAC over the column, the version and
// the bytes' SHA-256. A store hands it out only while the version is still
// the column's, so a publication, a suspension or a change of structure
// retires it in its own transaction, without anyone writing a page then.
type ListingPage struct {
	Column  string
	Version int64
	Doc     []byte
	MAC     string
}

func (k *Keys) pageMAC(p *ListingPage, sum *[sha256.Size]byte) string {
	return k.rowMAC("public_page/v1", func(w *macWriter) {
		w.str(p.Column)
		w.int(p.Version)
		w.digest(sum)
	})
}

// checkPage reports whether a stored page matches its MAC, and its SHA-256.
func (k *Keys) checkPage(p *ListingPage) ([sha256.Size]byte, bool) {
	if len(p.Doc) == 0 || p.MAC == "" {
		return [sha256.Size]byte{}, false
	}
	sum := sha256.Sum256(p.Doc)
	return sum, equalMAC(p.MAC, k.pageMAC(p, &sum))
}

// ListingDocument is a listing page as the content API serves it. The
// first page of a column is served as stored, once it matches its MAC (one
// indexed read, one hash and one MAC); any other page, and a first page
// not stored at the column's current version, is assembled from the
// items' checked entries (ListEntries), and a first page so assembled is
// stored for the next read.
func (s *ContentService) ListingDocument(ctx context.Context, column, cursor string, limit int) (*Document, error) {
	first := cursor == "" && (limit == 0 || limit == ListDefault)
	var version int64
	if first {
		if _, err := s.publicColumn(ctx, column); err != nil {
			return nil, err
		}
		p, err := s.Content.ListingPage(ctx, column)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil {
			if sum, ok := s.Integrity.Keys.checkPage(p); ok {
				return &Document{Body: p.Doc, Sum: sum}, nil
			}
		}
		// The version before the entries: entries read after a change
		// stored under the version before it are never served as it.
		if version, err = s.Content.ColumnVersion(ctx, column); err != nil {
			return nil, err
		}
	}
	entries, next, err := s.ListEntries(ctx, column, cursor, limit)
	if err != nil {
		return nil, err
	}
	body := s.Documents.ListingDocument(column, entries, next)
	d := &Document{Body: body, Sum: sha256.Sum256(body)}
	if first {
		p := &ListingPage{Column: column, Version: version, Doc: body}
		p.MAC = s.Integrity.Keys.pageMAC(p, &d.Sum)
		s.pages.save(s.Content, p)
	}
	return d, nil
}

// pageSaver stores built first pages in the background, one save per
// column at a time, so that a read never waits for the database's write
// lock. A save that fails is forgotten: the next miss builds the page again.
type pageSaver struct {
	mu     sync.Mutex
	saving map[string]bool
	wg     sync.WaitGroup
}

func (ps *pageSaver) save(store ContentStore, p *ListingPage) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.saving[p.Column] {
		return
	}
	if ps.saving == nil {
		ps.saving = map[string]bool{}
	}
	ps.saving[p.Column] = true
	ps.wg.Add(1)
	go func() {
		defer ps.wg.Done()
		_ = store.SaveListingPage(context.Background(), p)
		ps.mu.Lock()
		delete(ps.saving, p.Column)
		ps.mu.Unlock()
	}()
}

// Wait waits for the pages being stored: before the database is closed.
func (s *ContentService) Wait() { s.pages.wg.Wait() }

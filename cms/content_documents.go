package cms

import (
	"context"
	"crypto/sha256"
	"sync"
)

// Document is a response the content API serves as it was stored: its
// bytes and their SHA-256, from which its entity tag is cut.
type Document struct {
	Body []byte
	Sum  [sha256.Size]byte
}

// ItemDocument is Item as the content API serves it: the item detail
// document the projection stored when the revision went live, once it
// matches its MAC (one indexed read, one hash and one MAC). An item
// without a document that matches (a row written before documents were
// stored or by a server that stores none, a document changed in the
// database, an item that is not visible) is read and checked as Item
// reads it, and its document encoded afresh: nothing unchecked is served.
func (s *ContentService) ItemDocument(ctx context.Context, id int64) (*Document, error) {
	p, err := s.Content.ItemDocument(ctx, id)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if err == nil {
		if sum, ok := s.Integrity.Keys.checkDoc(p); ok {
			return &Document{Body: p.Doc, Sum: sum}, nil
		}
	}
	p, rev, err := s.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	body, err := s.Documents.ItemDocument(p, rev)
	if err != nil {
		return nil, err
	}
	return &Document{Body: body, Sum: sha256.Sum256(body)}, nil
}

// ListEntries is List as the content API serves it: each item's listing
// entry as the projection stored it, checked against its MAC, newest
// publication first, and the cursor of the next page. A page with an
// entry that is missing or does not match is read as List reads it, and
// its entries are encoded afresh.
func (s *ContentService) ListEntries(ctx context.Context, column, cursor string, limit int) ([][]byte, string, error) {
	f, err := s.listFilter(ctx, column, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	limit = f.Limit - 1
	rows, err := s.Content.ListEntries(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = listCursor(&rows[limit-1])
	}
	entries := make([][]byte, len(rows))
	for i := range rows {
		if !s.Integrity.Keys.checkEntry(&rows[i]) {
			return s.encodeEntries(ctx, column, cursor, limit)
		}
		entries[i] = rows[i].Entry
	}
	return entries, next, nil
}

// encodeEntries reads a page as List does and encodes its entries.
func (s *ContentService) encodeEntries(ctx context.Context, column, cursor string, limit int) ([][]byte, string, error) {
	items, next, err := s.List(ctx, column, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	entries := make([][]byte, len(items))
	for i := range items {
		if entries[i], err = s.Documents.ListEntry(&items[i]); err != nil {
			return nil, "", err
		}
	}
	return entries, next, nil
}

// authoredColumns remembers the columns whose items the content API lists,
// so that a listing or a search in a column reads no column row; it
// forgets them at every change of content (Follow).
type authoredColumns struct {
	mu    sync.RWMutex
	gen   int64 // moves on at every change: a column read before one is not kept
	slugs map[string]*Column
}

// get returns a remembered column, or nil and the generation to put the
// column read instead with.
func (a *authoredColumns) get(slug string) (*Column, int64) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.slugs[slug], a.gen
}

func (a *authoredColumns) put(c *Column, gen int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen != a.gen {
		return
	}
	if a.slugs == nil {
		a.slugs = map[string]*Column{}
	}
	a.slugs[c.Slug] = c
}

func (a *authoredColumns) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	a.slugs = nil
}

// Follow makes the service forget what it remembers of the structure at
// every notice on bus that may have changed it, made by this process or
// (through the change watcher) by another: not a step of the review, nor
// a publication that changed some items only.
func (s *ContentService) Follow(bus *Bus) {
	bus.Subscribe(func(n Notice) {
		if !n.PublicUnchanged && !n.Narrow() {
			s.columns.forget()
		}
	})
}

package cms

import "sync"

// Notice is an in-process notice that something a reader or a worker cares
// about may have changed: a revision moved through the workflow, a menu
// entry or a channel's maintenance notice changed, or another server
// process announced a change of its own.
type Notice struct {
	// Revision is the revision that moved, as it stands after the move;
	// nil for changes that are not transitions.
	Revision *Revision
	// PublicUnchanged says that the change left what the content API serves
	// as it was (a revision moving through review): caches of public
	// answers keep them. The zero value, for every other notice, says that
	// public content may have changed.
	PublicUnchanged bool
	// Items narrows a public change to these items: their detail, the
	// listings of their columns and every search may have changed, the
	// rest of what clients see has not. Empty, a public change may have
	// changed anything (a menu, a column, a client key, or a change
	// another process made that the change log cannot tell apart).
	Items []ChangedItem
}

// ChangedItem is an item whose public answers changed, with the column it
// is listed in.
type ChangedItem struct {
	ID     int64
	Column string
}

// Narrow reports whether n is a public change of some items only, which
// leaves menus, columns and other items' answers as they were.
func (n Notice) Narrow() bool { return !n.PublicUnchanged && len(n.Items) > 0 }

// Bus hands every published Notice to its subscribers, synchronously and
// in the order they subscribed. The composition root creates one and gives
// it to the services that publish; delivery adapters and workers subscribe
// (the public response cache drops its entries, the scheduler wakes up).
// The zero value is ready to use; a nil *Bus drops every notice.
type Bus struct {
	mu   sync.RWMutex
	subs []func(Notice)
}

// Subscribe registers fn for every later notice. fn must be quick and must
// not publish.
func (b *Bus) Subscribe(fn func(Notice)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, fn)
}

// Publish hands n to every subscriber.
func (b *Bus) Publish(n Notice) {
	if b == nil {
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.subs {
		fn(n)
	}
}

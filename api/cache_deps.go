package api

import (
	"slices"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

// A change of some items drops only what it may have changed. Each cached
// answer depends on at most one thing a change names (see dependency), and
// the cache finds the answers of each (byDep); changes that name nothing
// (a menu, a column, a client key, or one the change log cannot tell
// apart) drop everything, as before.

// narrowChange is a change of some items: the dependencies it broke.
type narrowChange struct {
	gen  int64
	deps []string
}

// maxRecent is how many changes of items add looks back over; an entry
// built before more changes than that is not kept.
const maxRecent = 64

// Dependencies of cached answers (see dependency).
const (
	depItemPrefix   = "i:" // an item's detail: the item
	depColumnPrefix = "c:" // a column's listing: the column's items
	depAnyItem      = "*"  // a search, the update check: any item
)

// dependency is what an answer of route (with its path parameter) is
// built from that a change of an item may touch: the item for its
// detail, the column for a listing, any item for a search or the update
// check; nothing for a menu, which only a change of structure (which
// drops everything) touches.
func dependency(route, param string) string {
	switch route {
	case routeItem:
		return depItemPrefix + param
	case routeList:
		return depColumnPrefix + param
	case routeMenu:
		return ""
	default:
		return depAnyItem
	}
}

// InvalidateItems drops what a change of these items may have changed:
// their detail, their columns' listings and every search and update
// check. Other items' answers and the menus stay.
func (c *contentCache) InvalidateItems(items []cms.ChangedItem) {
	if len(items) == 0 {
		c.Invalidate()
		return
	}
	deps := make([]string, 0, 2*len(items)+1)
	deps = append(deps, depAnyItem)
	for _, it := range items {
		deps = append(deps, depItemPrefix+strconv.FormatInt(it.ID, 10), depColumnPrefix+it.Column)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.gen.Add(1)
	if len(c.recent) == maxRecent {
		c.recent = append(c.recent[:0], c.recent[1:]...)
	}
	c.recent = append(c.recent, narrowChange{gen: g, deps: deps})
	for _, d := range deps {
		for el := range c.byDep[d] {
			c.remove(el)
		}
	}
}

// changedSince reports whether a change since generation gen may have
// changed what an entry that depends on dep holds, or whether it cannot
// tell (the changes it remembers do not reach back that far).
func (c *contentCache) changedSince(gen int64, dep string) bool {
	if gen < c.fullGen || len(c.recent) == 0 || c.recent[0].gen > gen+1 {
		return true
	}
	if dep == "" {
		return false
	}
	for _, ch := range c.recent {
		if ch.gen > gen && slices.Contains(ch.deps, dep) {
			return true
		}
	}
	return false
}

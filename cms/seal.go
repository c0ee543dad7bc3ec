package cms

import (
	"crypto/sha256"
	"encoding/json"
	"time"
)

// The rows the content API serves from carry a MAC computed with the rows
// key when the legitimate path writes them (publication, the menu service,
// the seal of the annexes' structure at start), over their canonical
// content. A row edited in the database no longer matches it, and nobody
// without the key file can compute a new one. The services that read for
// the content API check it at every cache fill, and the patrol checks
// every row.
//
// A projection row's bulky parts are hashed into digests kept beside it,
// which the MAC covers: a listing checks the MAC without reading bodies it
// does not serve, search also checks the text its snippets come from, item
// detail the HTML and fields and, through a digest of them, the number and
// files it serves from the live revision; the patrol checks everything,
// the search tokens and the live revision's whole content hash too.

// checkLevel says how much of a projection row a read serves, so how much
// of it must be checked.
type checkLevel int

const (
	checkHeader checkLevel = iota // listings: the MAC over what listColumns hold
	checkText                     // search: and the plain text snippets come from
	checkDetail                   // item detail: and the HTML and fields
	checkAll                      // the patrol: all of it, and the search tokens
)

// canonicalJSON is the JSON of a map as the stores keep it: encoding/json
// sorts keys, and a stored value read back (numbers as json.Number)
// encodes to the same bytes.
func canonicalJSON(m map[string]any) string {
	if m == nil {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "!" + err.Error()
	}
	return string(b)
}

// storedJSON is the JSON text a row holds for m: the text it was read
// with, or m encoded.
func storedJSON(text string, m map[string]any) string {
	if text != "" {
		return text
	}
	return canonicalJSON(m)
}

func digest(parts ...string) string {
	return pooled(&shaPool, "digest/v1", func(w *macWriter) {
		for _, p := range parts {
			w.str(p)
		}
	})
}

func textDigest(p *PublicItem) string  { return digest(p.PlainText) }
func bodyDigest(p *PublicItem) string  { return digest(p.BodyHTML, storedJSON(p.FieldsJSON, p.Fields)) }
func indexDigest(p *PublicItem) string { return digest(p.TitleTokens, p.SearchText) }

// servedRevision is the digest of what the content API serves from a live
// revision beside its public row: its number and its files.
func servedRevision(rev *Revision) string {
	return pooled(&shaPool, "served_revision/v1", func(w *macWriter) {
		w.int(rev.ID)
		w.int(int64(rev.Number))
		for _, a := range rev.Attachments {
			w.int(a.ID)
			w.str(a.Key)
			w.str(a.Name)
			w.str(a.ContentType)
			w.int(a.Size)
			w.int(int64(a.Width))
			w.int(int64(a.Height))
		}
	})
}

// publicItemCanon writes a projection row's canonical content: everything
// a listing serves, the stored summary, and the digests of the rest.
func publicItemCanon(p *PublicItem) func(w *macWriter) {
	return func(w *macWriter) {
		w.int(p.ItemID)
		w.str(p.Column)
		w.str(p.ContentType)
		w.int(p.RevisionID)
		w.str(p.Title)
		w.str(storedJSON(p.SummaryJSON, p.Summary))
		w.int(p.PublishedAt.UTC().UnixMicro())
		w.int(p.UpdatedAt.UTC().UnixMicro())
		w.str(p.ContentHash)
		w.int(p.RenderedRevisionID)
		w.str(p.RevisionDigest)
		w.str(p.TextDigest)
		w.str(p.BodyDigest)
		w.str(p.IndexDigest)
	}
}

func (k *Keys) publicItemMAC(p *PublicItem) string {
	return k.rowMAC("public_item/v1", publicItemCanon(p))
}

// SealPublicItem sets the stored JSON, the digests and the MAC of a
// projection row.
func (k *Keys) SealPublicItem(p *PublicItem) {
	p.SummaryJSON, p.FieldsJSON = canonicalJSON(p.Summary), canonicalJSON(p.Fields)
	p.TextDigest, p.BodyDigest, p.IndexDigest = textDigest(p), bodyDigest(p), indexDigest(p)
	p.MAC = k.publicItemMAC(p)
}

// checkPublicItem says what is wrong with a projection row at a level,
// or "" when nothing is.
func (k *Keys) checkPublicItem(p *PublicItem, level checkLevel) string {
	switch {
	case p.MAC == "":
		return "the public row carries no MAC (written outside the publication path)"
	case !equalMAC(p.MAC, k.publicItemMAC(p)):
		return "the public row does not match its MAC (its title, summary, dates or hashes were changed in the database)"
	case (level == checkText || level == checkAll) && textDigest(p) != p.TextDigest:
		return "the public row's plain text (search snippets) does not match the digest its MAC covers"
	case level >= checkDetail && bodyDigest(p) != p.BodyDigest:
		return "the public row's HTML or fields do not match the digest its MAC covers"
	case level == checkAll && indexDigest(p) != p.IndexDigest:
		return "the public row's search tokens do not match the digest its MAC covers"
	}
	return ""
}

// The stored documents (PublicItem.Doc and Entry) are sealed apart from
// the row, each bound to its item and revision, so that item detail and
// listings check what they serve by reading only that. The detail
// document's MAC covers its SHA-256, which also gives its entity tag: a
// read hashes the document once.

func (k *Keys) docMAC(p *PublicItem, sum *[sha256.Size]byte) string {
	return k.rowMAC("public_doc/v1", func(w *macWriter) {
		w.int(p.ItemID)
		w.int(p.RevisionID)
		w.digest(sum)
	})
}

func (k *Keys) entryMAC(p *PublicItem) string {
	return k.rowMAC("public_entry/v1", func(w *macWriter) {
		w.int(p.ItemID)
		w.int(p.RevisionID)
		w.int(p.PublishedAt.UTC().UnixMicro()) // listings are ordered and paged by it
		w.bytes(p.Entry)
	})
}

// SealDocuments sets the MACs of a projection row's stored documents.
func (k *Keys) SealDocuments(p *PublicItem) {
	sum := sha256.Sum256(p.Doc)
	p.DocMAC, p.EntryMAC = k.docMAC(p, &sum), k.entryMAC(p)
}

// checkDoc reports whether a row holds a detail document that matches its
// MAC, and the document's SHA-256.
func (k *Keys) checkDoc(p *PublicItem) ([sha256.Size]byte, bool) {
	if len(p.Doc) == 0 || p.DocMAC == "" {
		return [sha256.Size]byte{}, false
	}
	sum := sha256.Sum256(p.Doc)
	return sum, equalMAC(p.DocMAC, k.docMAC(p, &sum))
}

// checkEntry reports whether a row holds a listing entry that matches its MAC.
func (k *Keys) checkEntry(p *PublicItem) bool {
	return len(p.Entry) > 0 && p.EntryMAC != "" && equalMAC(p.EntryMAC, k.entryMAC(p))
}

func menuEntryCanon(e *MenuEntry) func(w *macWriter) {
	return func(w *macWriter) {
		w.int(e.ID)
		w.str(e.Channel)
		w.int(e.ParentID)
		w.str(e.Slug)
		w.str(e.Title)
		w.str(e.Path)
		w.str(e.Column)
		w.int(boolInt(e.Enabled))
		w.int(int64(e.Position))
	}
}

// SealMenuEntry sets the MAC of a menu entry.
func (k *Keys) SealMenuEntry(e *MenuEntry) { e.MAC = k.rowMAC("menu_entry/v1", menuEntryCanon(e)) }

func (k *Keys) menuEntryOK(e *MenuEntry) bool {
	return e.MAC != "" && equalMAC(e.MAC, k.rowMAC("menu_entry/v1", menuEntryCanon(e)))
}

func channelCanon(ch *Channel) func(w *macWriter) {
	return func(w *macWriter) {
		w.str(ch.Slug)
		w.str(ch.Name)
		w.int(int64(ch.Position))
		w.str(ch.Maintenance.Notice)
		w.int(microOrZero(ch.Maintenance.StartsAt))
		w.int(microOrZero(ch.Maintenance.EndsAt))
	}
}

// SealChannel sets the MAC of a channel's settings.
func (k *Keys) SealChannel(ch *Channel) { ch.MAC = k.rowMAC("channel/v1", channelCanon(ch)) }

func (k *Keys) channelOK(ch *Channel) bool {
	return ch.MAC != "" && equalMAC(ch.MAC, k.rowMAC("channel/v1", channelCanon(ch)))
}

func columnCanon(c *Column) func(w *macWriter) {
	return func(w *macWriter) {
		w.str(c.Slug)
		w.str(c.Title)
		w.str(c.Kind)
		w.str(c.ContentType)
		w.str(c.Description)
		w.int(int64(len(c.DeclaredOwners)))
		for _, o := range c.DeclaredOwners {
			w.str(o)
		}
		w.int(int64(c.Position))
	}
}

// SealColumn sets the MAC of a column.
func (k *Keys) SealColumn(c *Column) { c.MAC = k.rowMAC("column/v1", columnCanon(c)) }

func (k *Keys) columnOK(c *Column) bool {
	return c.MAC != "" && equalMAC(c.MAC, k.rowMAC("column/v1", columnCanon(c)))
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func microOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UTC().UnixMicro()
}

// observed names what a tampered row held (its content and its MAC), so
// that the same finding is recorded once however often it is read.
func observed(kind, mac string, canon func(w *macWriter)) string {
	return pooled(&shaPool, kind, func(w *macWriter) {
		canon(w)
		w.str(mac)
	})[:32]
}

package archive

import (
	"context"
	"io"
	"time"

	"github.com/tlhpf/cms/cms"
)

// Source is where the archive reads from; the storage layer implements it.
// Export calls the other methods from inside PublishedItems' callback, so an
// implementation must allow that (for instance by reading items in pages
// rather than holding a cursor open on a single connection).
type Source interface {
	// PublishedItems calls fn for every item that was published (went live) at least once in [from, to), in id order.
	PublishedItems(ctx context.Context, from, to time.Time, fn func(cms.Item) error) error
	CountPublishedItems(ctx context.Context, from, to time.Time) (int, error)
	Revisions(ctx context.Context, itemID int64) ([]cms.Revision, error)     // oldest first, with Attachments
	Transitions(ctx context.Context, itemID int64) ([]cms.Transition, error) // oldest first
	User(ctx context.Context, id int64) (*cms.User, error)
	// AuditRange calls fn for the audit entries with At in [from, to), in sequence order.
	AuditRange(ctx context.Context, from, to time.Time, fn func(cms.AuditEntry) error) error
	OpenBlob(ctx context.Context, key string) (cms.Blob, error)
}

// Structure is what a Source may also implement so that the approval forms
// and item.json name columns and departments rather than give their slugs;
// the methods are those of cms.StructureStore. Export reads them once.
type Structure interface {
	Departments(ctx context.Context) ([]cms.Department, error)
	Columns(ctx context.Context) ([]cms.Column, error)
}

// Contacts is what a Source may also implement so that each approval form
// names the department's contacts (专人, seed rule 第六条) designated when
// the revision was published; the method is that of cms.ContactStore.
type Contacts interface {
	Contacts(ctx context.Context, at time.Time) ([]cms.Contact, error)
}

// Options of an export.
type Options struct {
	From, To     time.Time
	Organization string                // e.g. 铜陵市住房公积金管理中心
	Progress     func(done, total int) // called after each item; may be nil
	Now          func() time.Time      // for bag-info's Bagging-Date; nil means time.Now
	// AuditAnchor is the audit chain's head as an anchor line, for
	// bag-info.txt's Audit-Anchor; may be empty.
	AuditAnchor string
}

// Summary counts what an export wrote.
type Summary = cms.ArchiveSummary

// Name returns the name of the bag for a period [from, to): its top
// directory, and a good file name for the ZIP with ".zip" added.
func Name(from, to time.Time) string { return cms.ArchiveName(from, to) }

// lastDay is the day the instant before to falls on: the last day of a
// period that ends at midnight.
func lastDay(to time.Time) time.Time { return to.Add(-time.Nanosecond).In(cms.China) }

// Exporter writes bags from its source; it implements cms.ArchiveExporter.
type Exporter struct {
	Source Source
}

var _ cms.ArchiveExporter = Exporter{}

// Export writes the bag of o's period to w.
func (e Exporter) Export(ctx context.Context, w io.Writer, o cms.ArchiveOptions) (*cms.ArchiveSummary, error) {
	return Export(ctx, e.Source, w, Options{From: o.From, To: o.To, Organization: o.Organization, Progress: o.Progress,
		AuditAnchor: o.AuditAnchor})
}

var _ cms.ArchiveVerifier = Exporter{}

// Verify checks a package as Verify does, for the periodic archive.
func (Exporter) Verify(_ context.Context, r io.ReaderAt, size int64) (*cms.ArchiveCheck, error) {
	rep, err := Verify(r, size)
	if err != nil {
		return nil, err
	}
	return &cms.ArchiveCheck{Files: rep.Files, AuditEntries: rep.AuditEntries, Problems: rep.Problems}, nil
}

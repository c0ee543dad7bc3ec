package archive

import (
	"context"
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

// Options of an export.
type Options struct {
	From, To     time.Time
	Organization string                // e.g. 铜陵市住房公积金管理中心
	Progress     func(done, total int) // called after each item; may be nil
	Now          func() time.Time      // for bag-info's Bagging-Date; nil means time.Now
}

// Summary counts what an export wrote.
type Summary struct {
	Items, Revisions, Attachments, AuditEntries int
	// Bytes is the size of the ZIP file written.
	Bytes int64
}

// china is the centre's time zone, used for dates people read (the bag's
// name, Bagging-Date, the approval forms). China has kept UTC+8 without
// daylight saving since 1991, so a fixed zone needs no tz database.
var china = time.FixedZone("CST", 8*3600)

// Name returns the name of the bag for a period [from, to): its top
// directory, and a good file name for the ZIP with ".zip" added. The second
// date is the last day of the period, in China Standard Time.
func Name(from, to time.Time) string {
	return "cms-archive-" + from.In(china).Format("20060102") + "-" + lastDay(to).Format("20060102")
}

// lastDay is the day the instant before to falls on: the last day of a
// period that ends at midnight.
func lastDay(to time.Time) time.Time { return to.Add(-time.Nanosecond).In(china) }

package cms

import (
	"context"
	"io"
	"time"
)

// The other ports: what the services need done by someone else, each
// implemented outside the domain (package rbac: authorization, hashing,
// signing, TOTP and throttles; workflow: the state machine; render:
// Markdown and HTML; media: sniffing files; archive: the BagIt export).

// Authorizer decides whether a user may perform an action on a resource.
// Implementations hold the policy as data (package rbac, with casbin).
type Authorizer interface {
	// Allowed reports whether u may do act on res. When res.Department is ""
	// the action is allowed if any of the user's bindings allows it.
	Allowed(ctx context.Context, u *User, act Action, res Resource) (bool, error)
	// Departments lists the departments for which u may do act (on resources
	// without a column constraint), for filtering listings.
	Departments(ctx context.Context, u *User, act Action) ([]string, error)
}

// Workflow is the state machine of revisions (package workflow).
type Workflow interface {
	// Fire decides the outcome of req.Event on req.Revision, or returns why
	// it cannot happen: invalid_transition when the event does not apply to
	// the state, forbidden when the actor may not fire it, validation or
	// conflict errors when a guard refuses.
	Fire(ctx context.Context, req *FireRequest) (*Outcome, error)
	// Actions lists, for a state, the events that may apply and the
	// authorization action each needs.
	Actions(state State) map[Event]Action
}

// Renderer turns stored bodies into sanitised HTML and into plain text.
type Renderer interface {
	HTML(body, format string) string
	Text(body, format string) string
}

// Documents encodes what the content API serves for a published item:
// its item detail document and its entry in listings, each the exact bytes
// of a response (package api, with the types its handlers encode). The
// projection stores both when a revision goes live, so that a read serves
// stored bytes instead of building them.
type Documents interface {
	ItemDocument(p *PublicItem, rev *Revision) ([]byte, error)
	ListEntry(p *PublicItem) ([]byte, error)
	// ListingDocument assembles a listing page from its entries and the
	// cursor of the next page.
	ListingDocument(column string, entries [][]byte, next string) []byte
}

// Inspector decides what a file is from its bytes, and an image's size.
type Inspector interface {
	// Inspect returns the sniffed media type and, for images, the pixel size.
	Inspect(f io.ReaderAt, size int64) (contentType string, width, height int, err error)
}

// PasswordHasher hashes passwords with a memory-hard function.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches hash.
	Verify(password, hash string) (bool, error)
}

// Clock tells the time; tests substitute their own.
type Clock interface{ Now() time.Time }

// PasswordStrength estimates how hard a password is to guess, from 0 (a
// common password) to 4 (very hard), given words the guesser knows about
// its owner. Package rbac implements it with zxcvbn.
type PasswordStrength interface {
	Score(password string, userInputs []string) int
}

// OTP generates and checks one-time passwords. Package rbac implements it
// with github.com/pquerna/otp; the secrets it hands out for storage are
// sealed (encrypted), so the domain never stores or returns them in clear
// after enrolment.
type OTP interface {
	// NewKey draws a secret for account.
	NewKey(account string) (OTPKey, error)
	// Match reports the time step whose code code is, for the sealed
	// secret, one step either side of at.
	Match(sealed, code string, at time.Time) (step int64, ok bool, err error)
}

// PreviewSigner signs and checks preview tokens: a revision id, the
// revision's preview generation when the link was minted, and an expiry.
type PreviewSigner interface {
	Sign(revisionID int64, generation int, expires time.Time) (string, error)
	// Verify returns the revision id and generation of a valid, unexpired token.
	Verify(token string, now time.Time) (int64, int, error)
}

// Throttle limits how often something may happen per key (a client
// address, a username). Implementations keep their own state per process.
type Throttle interface {
	// Allow reports whether one more event for key is allowed now and,
	// when it is not, how long until it would be.
	Allow(key string) (ok bool, retryAfter time.Duration)
}

// ArchiveExporter writes the auditors' archive package of a period; package
// archive implements it as a BagIt ZIP.
type ArchiveExporter interface {
	Export(ctx context.Context, w io.Writer, o ArchiveOptions) (*ArchiveSummary, error)
}

// ETags tell the entity tag with which the content API serves an item's
// detail now (package api renders it as GET /content/v1/items/{id} would),
// for the webhooks that tell clients what to purge.
type ETags interface {
	ItemETag(ctx context.Context, itemID int64) (string, error)
}

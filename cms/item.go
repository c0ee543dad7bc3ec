package cms

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// State is where a revision stands in the workflow.
type State string

// Workflow states of a revision.
const (
	StateDraft             State = "draft"
	StateDeptReview        State = "dept_review"
	StateLeadershipSignoff State = "leadership_signoff"
	StateSecrecyReview     State = "secrecy_review"
	StateScheduled         State = "scheduled"
	StatePublished         State = "published"
	StateSuspended         State = "suspended"
	StateArchived          State = "archived"
	// StateSuperseded marks a revision that was live until a newer one was
	// published. (A carried-out deletion request archives the live revision
	// and the request itself.)
	StateSuperseded State = "superseded"
)

// States lists every state in workflow order.
var States = []State{StateDraft, StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled,
	StatePublished, StateSuspended, StateArchived, StateSuperseded}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, k := range States {
		if k == s {
			return true
		}
	}
	return false
}

// InFlight reports whether a revision in this state is on its way through
// the workflow (an item has at most one such revision).
func (s State) InFlight() bool {
	switch s {
	case StateDraft, StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled:
		return true
	}
	return false
}

// Revision actions: what publishing the revision does to the item.
const (
	ActionPublish   = "publish"   // make this content live
	ActionUnpublish = "unpublish" // take the item offline (deletion request)
)

// Body formats.
const (
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Item is one piece of content in one column, owned by one department.
type Item struct {
	ID             int64
	Column         string
	Department     string
	ContentType    string
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Title          string    // title of the head revision, for listings
	State          State     // state of the head revision
	HeadRevisionID int64     // the newest revision
	LiveRevisionID int64     // the live revision (published or suspended), 0 when offline
	PublishedAt    time.Time // when the item first went live
}

// Revision is one version of an item's content with its place in the workflow.
type Revision struct {
	ID          int64
	ItemID      int64
	Number      int
	Action      string
	State       State
	Version     int // bumped on every change, for optimistic concurrency
	Title       string
	Body        string
	BodyFormat  string
	Fields      map[string]any
	PublishAt   time.Time // zero: publish when cleared
	ExpireAt    time.Time // zero: never
	AuthorID    int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ContentHash string
	// Workflow bookkeeping.
	SubmittedBy  int64     // who submitted the revision in its current cycle
	StateSince   time.Time // when it entered its state (the queue's waiting_since)
	SignoffStep  int       // next step of the leadership sign-off chain
	ApprovedHash string    // content hash the secrecy reviewer cleared; only these bytes are published
	PublishedAt  time.Time // when it went live
	// ReleasedBy is the publisher (信息科) who decided to publish the
	// revision at ReleaseAt; the scheduler publishes it then on their
	// behalf. Zero until a publisher decides; cleared when the revision
	// goes back to draft.
	ReleasedBy int64
	ReleaseAt  time.Time
	// Attachments are part of the content (and of its hash).
	Attachments []Attachment
	// PreviewGeneration is the generation of the revision's preview links:
	// a link works while it names the current one. Revoking the links,
	// withdrawing or suspending the revision moves to the next.
	PreviewGeneration int
}

// hashedContent is the canonical form hashed into ContentHash: encoding/json
// writes struct fields in order and map keys sorted, so equal content gives
// equal bytes.
type hashedContent struct {
	Action     string         `json:"action"`
	Title      string         `json:"title"`
	Body       string         `json:"body"`
	BodyFormat string         `json:"body_format"`
	Fields     map[string]any `json:"fields"`
	PublishAt  string         `json:"publish_at"`
	ExpireAt   string         `json:"expire_at"`
	// Attachments are left out when there are none, so that revisions
	// without files keep the hash they always had.
	Attachments []hashedAttachment `json:"attachments,omitempty"`
}

type hashedAttachment struct {
	SHA256      string `json:"sha256"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

// Hash returns the sha256 of the revision's content in canonical form. An
// approval records it so that nothing but the approved bytes is published.
func (r *Revision) Hash() string {
	c := hashedContent{Action: r.Action, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Fields: r.Fields,
		PublishAt: formatTime(r.PublishAt), ExpireAt: formatTime(r.ExpireAt)}
	if c.Fields == nil {
		c.Fields = map[string]any{}
	}
	for _, a := range r.Attachments {
		c.Attachments = append(c.Attachments, hashedAttachment{SHA256: a.Key, Name: a.Name, ContentType: a.ContentType})
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ItemFilter narrows an item listing. Departments limits the result to the
// departments the caller may read; the service always sets it.
type ItemFilter struct {
	Column      string
	Department  string
	Departments []string
	State       State
	// Live keeps the items whose live revision is in this state
	// (published or suspended), whatever their head revision.
	Live   State
	Query  string
	Before int64 // keyset cursor: only items with a smaller id
	Limit  int
	// Author, when set, keeps the items whose head revision this user wrote.
	Author int64
}

// Cursor encoding for keyset pagination: opaque to clients.

// EncodeCursor turns a keyset position into an opaque cursor.
func EncodeCursor(id int64) string {
	if id == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("i:" + strconv.FormatInt(id, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(field, cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	s, ok := strings.CutPrefix(string(b), "i:")
	id, perr := strconv.ParseInt(s, 10, 64)
	if err != nil || !ok || perr != nil || id <= 0 {
		return 0, Invalid("invalid cursor", FieldError{Field: field, Message: "is not a cursor this API issued"})
	}
	return id, nil
}

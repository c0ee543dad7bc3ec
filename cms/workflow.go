package cms

import (
	"time"
)

// Event is what an actor does to a revision in the workflow.
type Event string

// Workflow events.
const (
	EventSubmit   Event = "submit"
	EventWithdraw Event = "withdraw"
	EventApprove  Event = "approve"
	EventSign     Event = "sign"
	EventClear    Event = "clear"
	EventReject   Event = "reject"
	EventPublish  Event = "publish"
	EventArchive  Event = "archive"
	EventSuspend  Event = "suspend"
	EventRestore  Event = "restore"
	// EventRelease is a publisher's decision (第十条) to publish a cleared
	// revision at a time they set or keep; the scheduler carries it out on
	// their behalf. The revision stays scheduled until then.
	EventRelease Event = "release"
)

// Events lists every event.
var Events = []Event{EventSubmit, EventWithdraw, EventApprove, EventSign, EventClear, EventReject,
	EventRelease, EventPublish, EventArchive, EventSuspend, EventRestore}

// Valid reports whether e is a known event.
func (e Event) Valid() bool {
	for _, k := range Events {
		if k == e {
			return true
		}
	}
	return false
}

// RoleSystem is the role recorded for transitions the scheduler makes.
const RoleSystem Role = "system"

// DefaultSignoffChain is the leadership sign-off of seed rule 第九条: the
// leader in charge of the owning department reviews, then the director signs.
var DefaultSignoffChain = []Role{RoleLeader, RoleDirector}

// Transition is one step of a revision's history.
type Transition struct {
	ID             int64
	RevisionID     int64
	ItemID         int64
	RevisionNumber int
	Version        int // the revision's version after this transition
	Event          Event
	From, To       State
	ActorID        int64 // 0: the system (scheduler)
	ActorRole      Role
	Comment        string
	ContentHash    string // the content the actor acted on
	SignoffStep    int    // for sign: which step of the chain this signature was (0-based)
	At             time.Time
}

// FireRequest is everything the state machine needs to decide one event.
type FireRequest struct {
	Event    Event
	Comment  string
	Actor    *User // nil: the system
	Item     *Item
	Revision *Revision
	// History holds the revision's transitions since it was last submitted.
	History []Transition
	// Editors are the users who changed the revision's content, fields or
	// attachments (its author among them); none of them may decide on it.
	Editors []int64
	// Chain is the column's leadership sign-off chain.
	Chain []Role
	// Allowed asks the authorizer whether the actor may perform action on
	// the item; the machine's table names the action for each event.
	Allowed func(action Action) (bool, error)
	// OpenFindings counts blocking secrecy findings nobody acknowledged;
	// clear is refused while there are any.
	OpenFindings int
	// ReleaseAt is the publication time a release decides: the one the
	// publisher set, or the revision's publish_at they keep.
	ReleaseAt time.Time
}

// Outcome is what firing an event decided.
type Outcome struct {
	To          State
	ActedAs     Role
	SignoffStep int       // the revision's next sign-off step after the event
	Complete    bool      // for sign: the chain is complete
	ReleaseAt   time.Time // for release: when the scheduler is to publish
}

// Change is one workflow transition as the store must apply it: all of it
// in one transaction, or nothing.
type Change struct {
	// Revision holds the new state; the store updates it only if it is still
	// at FromState and FromVersion (optimistic concurrency).
	Revision    *Revision
	FromState   State
	FromVersion int
	// Item holds the item's new head state and live revision; the store
	// updates it only if its live revision is still PrevLive.
	Item     *Item
	PrevLive int64
	// Retire, when set, is the previously live revision leaving the stage
	// (superseded by a new one, or archived by a deletion request).
	Retire      *Revision
	RetireFrom  State
	RetireState State
	Transition  Transition
	Audit       AuditEntry
	// Public is the item's public projection after the change: nil when it
	// is not publicly visible. PublicChanged says whether visibility or
	// content changed, so that the store records it for sync and caches.
	Public        *PublicItem
	PublicChanged bool
	// Findings, when Scanned, replace the revision's secrecy findings;
	// acknowledgements of findings found again are kept.
	Findings []Finding
	Scanned  bool
	// RevokePreviews moves the revision to its next preview generation,
	// ending the links minted before (a withdrawal, a suspension).
	RevokePreviews bool
}

// TransitionFilter selects history rows.
type TransitionFilter struct {
	RevisionID int64
	ItemID     int64
	ActorID    int64
	Before     int64 // keyset cursor on id, newest first when set with Limit
	Limit      int
	// CurrentCycle keeps only the rows since the revision's last submit.
	CurrentCycle bool
}

// Pending is a revision in review with its item, for the queue.
type Pending struct {
	Item     Item
	Revision Revision
}

// PendingFilter selects revisions in review: in States, of items in Column
// (all when ""), after the position (AfterSince, AfterID) in the order of
// state_since then id (from the start when AfterID is 0), at most Limit
// (0: all).
type PendingFilter struct {
	States     []State
	Column     string
	AfterSince time.Time
	AfterID    int64
	Limit      int
}

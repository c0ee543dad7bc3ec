package cms

import (
	"context"
	"time"
)

// Feature requests (第十六条): the departments and 管理部 suggest new or
// changed functions of the WeChat account and the App; 信息科 collects
// them; the centre's leaders approve or refuse them; an approved one goes
// to the software developer and 信息科 records it done.
//
// Who does what, as the policy grants it (migration 20261207016002):
//   - editors and department heads submit for the departments they act
//     for (feature.submit);
//   - 信息科's publishers collect: they comment on any request and mark an
//     approved one done (feature.collect);
//   - the leader in charge of the request's department, or the director,
//     approves or refuses it (feature.decide); nobody decides on their own
//     request, and a refusal says why;
//   - auditors read every request (feature.read).
//
// Everyone who may act on a request's department reads it.

// Actions of feature requests.
const (
	ActFeatureSubmit  Action = "feature.submit"
	ActFeatureCollect Action = "feature.collect"
	ActFeatureDecide  Action = "feature.decide"
	ActFeatureRead    Action = "feature.read"
)

// featureReaders are the actions that let their holder read a
// department's requests.
var featureReaders = []Action{ActFeatureSubmit, ActFeatureCollect, ActFeatureDecide, ActFeatureRead}

// Feature request states: submitted → approved | refused; approved → done.
const (
	FeatureSubmitted = "submitted"
	FeatureApproved  = "approved"
	FeatureRefused   = "refused"
	FeatureDone      = "done"
)

// FeatureStates lists the states in the order a request goes through them.
var FeatureStates = []string{FeatureSubmitted, FeatureApproved, FeatureRefused, FeatureDone}

// The channels a request concerns.
const (
	FeatureChannelApp    = "app"
	FeatureChannelWeChat = "wechat"
	FeatureChannelBoth   = "both"
)

// Kinds of entries of a request's history: its submission, a comment, and
// each change of state (named by the new state).
const (
	NoteSubmitted = FeatureSubmitted
	NoteComment   = "comment"
	NoteApproved  = FeatureApproved
	NoteRefused   = FeatureRefused
	NoteDone      = FeatureDone
)

// Audit actions of feature requests; each but the comment is also an
// internal event (feature.<state>) that notifies staff and is never
// delivered to webhooks.
const (
	AuditFeatureSubmitted = "feature_submitted"
	AuditFeatureCommented = "feature_commented"
	AuditFeatureApproved  = "feature_approved"
	AuditFeatureRefused   = "feature_refused"
	AuditFeatureDone      = "feature_done"
)

// Internal events of feature requests.
const (
	FeatureSubmittedEvent EventType = "feature.submitted"
	FeatureApprovedEvent  EventType = "feature.approved"
	FeatureRefusedEvent   EventType = "feature.refused"
	FeatureDoneEvent      EventType = "feature.done"
)

// FeatureRequest is a department's suggestion for a function of the
// WeChat account or the App.
type FeatureRequest struct {
	ID          int64
	Department  string // the department that suggests it
	Channel     string // FeatureChannelApp, FeatureChannelWeChat or FeatureChannelBoth
	Title       string
	Description string
	State       string
	SubmittedBy int64
	SubmittedAt time.Time
	DecidedBy   int64 // the leader who approved or refused it; 0 before
	DecidedAt   time.Time
	DoneBy      int64 // the publisher who recorded it done; 0 before
	DoneAt      time.Time
	UpdatedAt   time.Time // the last entry of its history
	// History is every submission, comment and decision, oldest first
	// (only for a single request, not in listings).
	History []FeatureNote
	// SubmittedByName names the submitter, for people.
	SubmittedByName string
}

// FeatureNote is one entry of a request's history.
type FeatureNote struct {
	ID        int64
	RequestID int64
	Kind      string // NoteSubmitted, NoteComment, NoteApproved, NoteRefused or NoteDone
	ActorID   int64
	Comment   string
	At        time.Time
	// ActorName names the actor, for people.
	ActorName string
}

// FeatureFilter narrows a listing of requests. Departments limits it to
// the departments the caller may read (nil: every department); the
// service always sets it.
type FeatureFilter struct {
	State       string
	Department  string
	Departments []string
	Limit       int
}

// FeatureAccess says what a person may do with feature requests, for
// adapters building their menus and forms.
type FeatureAccess struct {
	Submit  []string // the departments they submit for
	Collect bool     // 信息科: comment on any request, record approved ones done
	Decide  []string // the departments whose requests they approve or refuse
	Read    bool     // they read some department's requests
}

// FeatureRequestStore keeps feature requests and their history.
type FeatureRequestStore interface {
	// CreateFeatureRequest stores r (setting its ID) with its first
	// history entry and the audit entry, whose detail gets request_id, in
	// one transaction.
	CreateFeatureRequest(ctx context.Context, r *FeatureRequest, note *FeatureNote, audit AuditEntry) error
	// FeatureRequest returns one request with its history.
	FeatureRequest(ctx context.Context, id int64) (*FeatureRequest, error)
	// FeatureRequests lists requests, newest first, without history.
	FeatureRequests(ctx context.Context, f FeatureFilter) ([]FeatureRequest, error)
	// RecordFeatureNote stores r's state, decision and done fields and
	// note, with the audit entry, in one transaction, if r is still in
	// state from; otherwise it changes nothing and returns a conflict.
	RecordFeatureNote(ctx context.Context, r *FeatureRequest, from string, note *FeatureNote, audit AuditEntry) error
}

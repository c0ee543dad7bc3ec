package cms

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// EventType names what happened, as webhooks and notifications know it:
// "item.published", "revision.submit", "menu.changed" …
type EventType string

// Public changes: what clients of the content API must purge or push.
const (
	ItemPublished   EventType = "item.published"   // an item went live for the first time (or again after archiving)
	ItemUpdated     EventType = "item.updated"     // a new revision superseded the live one
	ItemUnpublished EventType = "item.unpublished" // a deletion request was carried out
	ItemSuspended   EventType = "item.suspended"   // taken offline at once (第十八条)
	ItemRestored    EventType = "item.restored"    // back online after a suspension
	ItemArchived    EventType = "item.archived"    // taken offline for good (expired or archived)
)

// Structural changes and incidents.
const (
	MenuChanged        EventType = "menu.changed"
	MaintenanceChanged EventType = "maintenance.changed"
	// TamperDetected is an incident of the integrity checks (第十九条).
	TamperDetected EventType = "incident.tamper_detected"
	// WebhookDisabled: an endpoint failed for too long and was switched off.
	WebhookDisabled EventType = "webhook.disabled"
)

// Account events.
const (
	AccountCreated         EventType = "account.created"
	AccountUpdated         EventType = "account.updated"
	AccountPasswordChanged EventType = "account.password_changed"
	AccountLocked          EventType = "account.locked"
	AccountUnlocked        EventType = "account.unlocked"
	AccountOTPReset        EventType = "account.otp_reset"
	GrantRequestedEvent    EventType = "grant.requested"
	GrantConfirmedEvent    EventType = "grant.confirmed"
	GrantRefusedEvent      EventType = "grant.refused"
	GrantCancelledEvent    EventType = "grant.cancelled"
)

// RevisionEventType is the type of a workflow event: "revision.<event>".
func RevisionEventType(ev Event) EventType { return EventType("revision." + string(ev)) }

// WorkflowEvent returns the workflow event of a revision.* type.
func (t EventType) WorkflowEvent() (Event, bool) {
	ev, ok := strings.CutPrefix(string(t), "revision.")
	if !ok || !Event(ev).Valid() {
		return "", false
	}
	return Event(ev), true
}

// ItemEvent reports whether t is a change of an item's public visibility.
func (t EventType) ItemEvent() bool { return strings.HasPrefix(string(t), "item.") }

// WebhookEventTypes are the types an endpoint may subscribe to: the public
// changes, menus and maintenance, and every workflow event.
func WebhookEventTypes() []EventType {
	out := []EventType{ItemPublished, ItemUpdated, ItemUnpublished, ItemSuspended, ItemRestored, ItemArchived,
		MenuChanged, MaintenanceChanged}
	for _, ev := range Events {
		out = append(out, RevisionEventType(ev))
	}
	return out
}

// OutboxEvent is one entry of the outbox: a change that people or systems
// outside the process must hear of. The store records it in the
// transaction of the change, with the audit entry it is derived from
// (OutboxEvents), so that an event exists exactly when its change
// committed; IDs follow commit order.
type OutboxEvent struct {
	ID         int64
	Type       EventType
	Subject    string // the audit entry's subject: revision:42, channel:app, user:7 …
	AuditSeq   int64
	ActorID    int64 // 0: the system
	At         time.Time
	ItemID     int64
	RevisionID int64
	UserID     int64  // the account an account event is about
	Channel    string // the channel of a menu or maintenance change
	// Detail is the audit entry's detail: the comment, the states, the reason.
	Detail string
}

// Details decodes Detail; a detail that is not an object gives an empty map.
func (e *OutboxEvent) Details() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(e.Detail), &m)
	return m
}

// DetailString returns a string field of Detail, "" when absent.
func (e *OutboxEvent) DetailString(key string) string {
	s, _ := e.Details()[key].(string)
	return s
}

// OutboxEvents returns the events an audit entry records, none for entries
// nobody outside needs to hear of (logins, edits of drafts, reads). The
// store calls it for every entry it appends, in the entry's transaction.
func OutboxEvents(a *AuditEntry) []OutboxEvent {
	t, ok := auditEvents[a.Action]
	if !ok {
		return nil
	}
	base := OutboxEvent{Type: t, Subject: a.Subject, AuditSeq: a.Seq, ActorID: a.ActorID, At: a.At, Detail: a.Detail}
	kind, id := splitSubject(a.Subject)
	d := a.details()
	switch a.Action {
	case AuditTransition:
		return transitionEvents(base, id, d)
	case AuditMenuChanged:
		base.Channel, _ = d["channel"].(string)
	case AuditMaintenanceChanged, AuditMaintenanceRequested, AuditMaintenanceRefused:
		base.Channel = strings.TrimPrefix(a.Subject, "channel:")
	case AuditTamperDetected:
		switch kind {
		case "item":
			base.ItemID = id
		case "channel":
			base.Channel = strings.TrimPrefix(a.Subject, "channel:")
		}
		base.RevisionID = detailInt(d, "revision_id")
	case AuditFeatureSubmitted, AuditFeatureApproved, AuditFeatureRefused, AuditFeatureDone:
		// the request's department, title and submitter are in the detail
	case AuditArchivePackaged:
		if d["state"] != PackageFailed {
			return nil // only a package that failed is an event
		}
	case AuditLoginFailed:
		if _, locked := d["locked_until"]; !locked {
			return nil // only a failure that locked the account is an event
		}
		base.UserID = id
	default:
		base.UserID = id
		if kind == "grant" {
			base.UserID = detailInt(d, "user_id")
		}
	}
	return []OutboxEvent{base}
}

// auditEvents maps the audit actions that are events to their types (a
// transition's are decided by its detail).
var auditEvents = map[string]EventType{
	AuditTransition: "", AuditMenuChanged: MenuChanged, AuditMaintenanceChanged: MaintenanceChanged,
	AuditMaintenanceRequested: MaintenanceRequested, AuditMaintenanceRefused: MaintenanceRefused,
	AuditTamperDetected: TamperDetected, AuditWebhookDisabled: WebhookDisabled,
	AuditUserCreated: AccountCreated, AuditUserUpdated: AccountUpdated, AuditPasswordChanged: AccountPasswordChanged,
	AuditLoginFailed: AccountLocked, AuditAccountUnlocked: AccountUnlocked, AuditOTPReset: AccountOTPReset,
	AuditGrantRequested: GrantRequestedEvent, AuditGrantConfirmed: GrantConfirmedEvent, AuditGrantRefused: GrantRefusedEvent,
	AuditGrantCancelled: GrantCancelledEvent, AuditArchivePackaged: ArchiveFailed, AuditContactsChanged: ContactsChanged,
	AuditFeatureSubmitted: FeatureSubmittedEvent, AuditFeatureApproved: FeatureApprovedEvent,
	AuditFeatureRefused: FeatureRefusedEvent, AuditFeatureDone: FeatureDoneEvent,
}

// transitionEvents are a transition's revision.<event> and, when it changed
// what the public sees, the item.* event its audit detail names.
func transitionEvents(base OutboxEvent, revID int64, d map[string]any) []OutboxEvent {
	ev, _ := d["event"].(string)
	base.RevisionID, base.ItemID = revID, detailInt(d, "item_id")
	rev := base
	rev.Type = RevisionEventType(Event(ev))
	out := []OutboxEvent{rev}
	if effect, _ := d["public"].(string); effect != "" {
		base.Type = EventType("item." + effect)
		out = append(out, base)
	}
	return out
}

// publicEffect names what a transition did to the public view, as the
// audit detail records it ("" for none): published, updated, unpublished,
// suspended, restored or archived.
func publicEffect(ev Event, rev *Revision, c *Change) string {
	switch ev {
	case EventPublish:
		switch {
		case rev.Action == ActionUnpublish:
			return "unpublished"
		case c.Retire != nil:
			return "updated"
		}
		return "published"
	case EventSuspend:
		return "suspended"
	case EventRestore:
		return "restored"
	case EventArchive:
		return "archived"
	}
	return ""
}

// AuditWebhookDisabled records an endpoint switched off after failing for
// too long.
const AuditWebhookDisabled = "webhook_disabled"

func (a *AuditEntry) details() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(a.Detail), &m)
	return m
}

func detailInt(d map[string]any, key string) int64 {
	switch v := d[key].(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// splitSubject splits "revision:42" into its kind and id (0 when the rest
// is not a number).
func splitSubject(s string) (string, int64) {
	kind, rest, _ := strings.Cut(s, ":")
	id, _ := strconv.ParseInt(rest, 10, 64)
	return kind, id
}

package cms

import (
	"time"
)

// PatrolProblem is something the integrity patrol, or a check at a cache
// fill, found wrong.
type PatrolProblem struct {
	ItemID     int64
	RevisionID int64
	// Subject names what the problem is about: item:7, menu_entry:12,
	// channel:app, column:news.
	Subject string
	// Kind is content (a live revision's content), attachment or
	// missing_attachment (its files), projection (its public row),
	// unprojected (a live revision with no public row), menu_entry,
	// channel or column.
	Kind      string
	Detail    string
	Suspended bool // the item was taken offline
}

// PatrolReport records one patrol: what was checked, when, and what was found.
type PatrolReport struct {
	ID          int64
	StartedAt   time.Time
	FinishedAt  time.Time
	ActorID     int64  // 0: the scheduled patrol, or a cache fill
	Trigger     string // TriggerSchedule, TriggerRequest or TriggerRead
	Revisions   int    // live revisions re-hashed
	Attachments int    // files re-hashed
	PublicRows  int    // rows of the public projection checked against their MACs
	Structure   int    // menu entries, channels and columns checked against their MACs
	Problems    []PatrolProblem
	// Anchor is where the audit chain's head was anchored after the patrol.
	Anchor *AuditAnchor
}

// Audit action of the patrol.
const AuditPatrol = "patrol"

// ActPatrol lets publishers run the patrol and read its reports.
const ActPatrol Action = "patrol.run"

// patrolBatch is how many projection rows the patrol reads at a time.
const patrolBatch = 100

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}

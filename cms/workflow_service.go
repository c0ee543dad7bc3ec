package cms

import (
	"context"
	"errors"
	"strings"
	"time"
)

// WorkflowService moves revisions through the approval chain: authorize,
// load, decide with the state machine, and store the change with its
// history row and audit entry in one transaction.
type WorkflowService struct {
	Items      ItemStore
	Users      UserStore
	Flow       WorkflowStore
	Machine    Workflow
	Structure  StructureStore
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Renderer   Renderer
	// Documents encode the content API's documents a publication stores.
	Documents Documents
	Secrecy   SecrecyStore
	// Keys seal the public projection rows a publication writes.
	Keys *Keys
	// Limits are the time limits (办结时限) per stage, for due dates in the queue.
	Limits map[State]time.Duration
	// Bus receives a notice after every transition (the public cache drops
	// its entries, the scheduler wakes up for a cleared revision).
	Bus *Bus
	// AutoPublish lets the scheduler publish a cleared revision itself at
	// its publish_at (CMS_AUTO_PUBLISH). Off, a cleared revision waits for
	// a publisher of 信息科 to publish or release it (第十条).
	AutoPublish bool
	// Metrics counts the transitions applied (nil: none).
	Metrics Metrics
	// Blobs hold the attachments, which a publication checks are there
	// (nil: not checked).
	Blobs BlobStore
	// Contacts name the department's contacts on the approval form (nil: none).
	Contacts ContactStore
}

func (s *WorkflowService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// Fire performs event on a revision for p. ifMatch, when not 0, is the
// version the caller last saw; a stale one is refused with 412.
func (s *WorkflowService) Fire(ctx context.Context, p *Principal, revID int64, ev Event, comment string, ifMatch int) (*Revision, *Item, error) {
	return s.FireAt(ctx, p, revID, ev, comment, ifMatch, time.Time{})
}

// FireAt is Fire with a publication time, for release: the time the
// publisher sets (zero: keep the revision's publish_at). Other events
// take no time.
func (s *WorkflowService) FireAt(ctx context.Context, p *Principal, revID int64, ev Event, comment string, ifMatch int, at time.Time) (*Revision, *Item, error) {
	if !ev.Valid() {
		return nil, nil, Invalid("unknown event", FieldError{Field: "event", Message: "must be one of " + eventList()})
	}
	if len(comment) > 4000 {
		return nil, nil, Invalid("comment too long", FieldError{Field: "comment", Message: "must be at most 4000 bytes"})
	}
	if !at.IsZero() && ev != EventRelease {
		return nil, nil, Invalid("only release takes a publication time", FieldError{Field: "publish_at", Message: "only with the event release"})
	}
	rev, err := s.Items.Revision(ctx, revID)
	if err != nil {
		return nil, nil, err
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, nil, err
	}
	if err := authorize(ctx, s.Authorizer, p, ActItemRead, Resource{Department: it.Department}); err != nil {
		return nil, nil, err
	}
	if ifMatch != 0 && ifMatch != rev.Version {
		return nil, nil, Errorf(EPRECONDITION, "revision changed since you read it (version %d, now %d)", ifMatch, rev.Version)
	}
	if ev == EventRelease && at.IsZero() {
		at = rev.PublishAt
	}
	if err := s.fire(ctx, p.User, it, rev, ev, strings.TrimSpace(comment), at); err != nil {
		var de *Error
		if errors.As(err, &de) && de.Code == EFORBIDDEN {
			detail := map[string]any{"event": string(ev), "state": string(rev.State), "reason": de.Message}
			if aerr := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditPermissionDenied, revisionSubject(rev.ID), detail)); aerr != nil {
				return nil, nil, aerr
			}
		}
		return nil, nil, err
	}
	return rev, it, nil
}

// FireSystem performs an event as the system (scheduler, patrol).
func (s *WorkflowService) FireSystem(ctx context.Context, revID int64, ev Event) error {
	return s.FireSystemWithComment(ctx, revID, ev, "")
}

// FireSystemWithComment performs an event as the system, with a reason.
func (s *WorkflowService) FireSystemWithComment(ctx context.Context, revID int64, ev Event, comment string) error {
	rev, err := s.Items.Revision(ctx, revID)
	if err != nil {
		return err
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return err
	}
	return s.fire(ctx, nil, it, rev, ev, comment, time.Time{})
}

// fire decides and applies one event; rev and it are updated in place.
func (s *WorkflowService) fire(ctx context.Context, actor *User, it *Item, rev *Revision, ev Event, comment string, at time.Time) error {
	history, err := s.cycle(ctx, rev)
	if err != nil {
		return err
	}
	chain, err := s.Flow.SignoffChain(ctx, it.Column)
	if err != nil {
		return err
	}
	editors, err := s.Items.RevisionEditors(ctx, rev.ID)
	if err != nil {
		return err
	}
	req := &FireRequest{Event: ev, Comment: comment, Actor: actor, Item: it, Revision: rev, History: history, Editors: editors, Chain: chain,
		Allowed: func(act Action) (bool, error) {
			return s.Authorizer.Allowed(ctx, actor, act, Resource{Department: it.Department, Column: it.Column})
		}, ReleaseAt: at.UTC()}
	if ev == EventClear {
		if req.OpenFindings, err = s.openFindings(ctx, rev.ID); err != nil {
			return err
		}
	}
	if actor == nil && ev == EventPublish && rev.ReleasedBy != 0 {
		// The scheduler carries out a release only if its publisher could still make it.
		reason, err := s.releaseLapse(ctx, req)
		if err != nil {
			return err
		}
		if reason != "" {
			return s.lapse(ctx, it, rev, reason)
		}
	}
	out, err := s.Machine.Fire(ctx, req)
	if err != nil {
		return err
	}
	entering := out.To == StateSecrecyReview && rev.State != StateSecrecyReview
	c, err := s.change(ctx, actor, it, rev, ev, comment, out)
	if err != nil {
		return err
	}
	if ev == EventSubmit || entering {
		// The scanner runs on submit and again on entering the secrecy
		// review, over the same frozen content the reviewer will clear.
		words, err := s.Secrecy.SensitiveWords(ctx)
		if err != nil {
			return err
		}
		c.Findings, c.Scanned = ScanRevision(rev, it.ContentType, words, s.Renderer), true
	}
	if err := s.Flow.ApplyTransition(ctx, c); err != nil {
		return err
	}
	metricsOf(s.Metrics).Transition(ev)
	n := Notice{Revision: rev, PublicUnchanged: !c.PublicChanged}
	if c.PublicChanged {
		// An item never leaves its column: only its answers, its column's
		// listings and the searches change.
		n.Items = []ChangedItem{{ID: it.ID, Column: it.Column}}
	}
	s.Bus.Publish(n)
	return nil
}

// cycle returns the revision's history since its last submission, as it
// was when rev was read: rows written by a concurrent transition after that
// are left out, so the decision is made on a consistent picture and the
// store's compare-and-set turns the race into a conflict.
func (s *WorkflowService) cycle(ctx context.Context, rev *Revision) ([]Transition, error) {
	all, err := s.Flow.Transitions(ctx, TransitionFilter{RevisionID: rev.ID, CurrentCycle: true})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, t := range all {
		if t.Version <= rev.Version {
			out = append(out, t)
		}
	}
	return out, nil
}

// change builds the store change for an outcome: the revision's new state,
// the item's head and live revision, and the revision that leaves the stage.
func (s *WorkflowService) change(ctx context.Context, actor *User, it *Item, rev *Revision, ev Event, comment string, out *Outcome) (*Change, error) {
	now := s.Clock.Now()
	var actorID int64
	if actor != nil {
		actorID = actor.ID
	}
	released := actor == nil && ev == EventPublish && rev.ReleasedBy != 0
	if released {
		// The scheduler carries out a publisher's release: the decision, and
		// so the history, the approval form and the archive, are theirs.
		actorID, out.ActedAs = rev.ReleasedBy, RolePublisher
		if comment == "" {
			comment = "按信息科确定的发布时间（" + rev.ReleaseAt.In(China).Format("2006-01-02 15:04") + "）定时发布"
		}
	}
	hash := rev.Hash()
	c := &Change{FromState: rev.State, FromVersion: rev.Version, PrevLive: it.LiveRevisionID,
		Transition: Transition{RevisionID: rev.ID, ItemID: it.ID, RevisionNumber: rev.Number, Event: ev, From: rev.State,
			To: out.To, ActorID: actorID, ActorRole: out.ActedAs, Comment: comment, ContentHash: hash,
			SignoffStep: rev.SignoffStep, At: now}}
	if out.To != rev.State {
		rev.StateSince = now
	}
	rev.State, rev.SignoffStep = out.To, out.SignoffStep
	rev.Version++
	rev.UpdatedAt = now
	switch ev {
	case EventSubmit:
		rev.SubmittedBy = actorID
	case EventClear:
		rev.ApprovedHash = hash
	case EventWithdraw, EventReject:
		rev.ApprovedHash = ""
		rev.ReleasedBy, rev.ReleaseAt = 0, time.Time{}
	case EventRelease:
		rev.ReleasedBy, rev.ReleaseAt = actorID, out.ReleaseAt
	}
	if ev == EventWithdraw || ev == EventSuspend {
		rev.PreviewGeneration++
	}
	if rev.ID == it.HeadRevisionID {
		it.State = rev.State
	}
	it.UpdatedAt = now
	if ev == EventPublish {
		if err := s.goLive(ctx, it, rev, c, now); err != nil {
			return nil, err
		}
	}
	if ev == EventArchive {
		it.LiveRevisionID = 0
	}
	c.Revision, c.Item = rev, it
	c.RevokePreviews = ev == EventWithdraw || ev == EventSuspend
	switch {
	case rev.State == StatePublished:
		var err error
		if c.Public, err = Project(it, rev, s.Renderer, s.Documents, s.Keys); err != nil {
			return nil, err
		}
		c.PublicChanged = true
	case ev == EventPublish, ev == EventArchive, ev == EventSuspend:
		c.PublicChanged = true // offline: an unpublish carried out, an archive, a suspension
	}
	detail := map[string]any{"event": string(ev), "from": string(c.FromState), "to": string(out.To), "role": string(out.ActedAs),
		"item_id": it.ID, "content_hash": hash}
	if comment != "" {
		detail["comment"] = comment
	}
	if ev == EventRelease {
		detail["release_at"] = formatTime(rev.ReleaseAt)
	}
	if released {
		detail["carried_out_by"] = string(RoleSystem) // the scheduler, on the publisher's release
		detail["release_at"] = formatTime(rev.ReleaseAt)
	}
	if effect := publicEffect(ev, rev, c); effect != "" {
		detail["public"] = effect // what clients see changed: the outbox's item.* event
	}
	c.Audit = NewAuditEntry(now, actorID, AuditTransition, revisionSubject(rev.ID), detail)
	return c, nil
}

// goLive applies a publication: a new revision supersedes the live one at
// once; a deletion request takes the item offline and archives the live one.
func (s *WorkflowService) goLive(ctx context.Context, it *Item, rev *Revision, c *Change, now time.Time) error {
	if it.LiveRevisionID != 0 && it.LiveRevisionID != rev.ID {
		old, err := s.Items.Revision(ctx, it.LiveRevisionID)
		if err != nil {
			return err
		}
		c.Retire, c.RetireFrom, c.RetireState = old, old.State, StateSuperseded
		if rev.Action == ActionUnpublish {
			c.RetireState = StateArchived
		}
	}
	if rev.Action == ActionUnpublish {
		it.LiveRevisionID = 0
		return nil
	}
	if err := s.verifyFiles(ctx, rev); err != nil {
		return err
	}
	rev.PublishedAt = now
	it.LiveRevisionID = rev.ID
	if it.PublishedAt.IsZero() {
		it.PublishedAt = now
	}
	return nil
}

// verifyFiles checks, before a revision goes live, that the file store
// holds each of its attachments whole. A file missing or of another size
// refuses the publication; a store that cannot answer makes it wait
// (blob_store_unavailable: the revision stays scheduled and the scheduler
// tries again), so that nothing is published with half its files.
func (s *WorkflowService) verifyFiles(ctx context.Context, rev *Revision) error {
	if s.Blobs == nil {
		return nil
	}
	for _, a := range rev.Attachments {
		info, err := s.Blobs.Stat(ctx, a.Key)
		switch code := ErrorCode(err); {
		case code == "" && info.Size == a.Size:
		case code == "" || code == ENOTFOUND:
			return Errorf(EPRECONDITION, "attachment %q is missing from the file store or incomplete; the revision cannot be published", a.Name)
		case Fault(code):
			return &Error{Code: code, Err: err, RetryAfter: retryOf(err),
				Message: "the attachments cannot be verified now: " + messageOf(err) + "; the revision stays scheduled and is published once they can"}
		default:
			return &Error{Code: EBLOBDOWN, Err: err, RetryAfter: 5 * time.Second,
				Message: "the attachments cannot be verified now; the revision stays scheduled and is published once they can"}
		}
	}
	return nil
}

// retryOf and messageOf read a domain error's Retry-After and message.
func retryOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

func messageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func eventList() string {
	names := make([]string, len(Events))
	for i, e := range Events {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

// SetSignoffChain configures the leadership sign-off of a column, e.g.
// director only. Revisions already in sign-off keep their position.
func (s *WorkflowService) SetSignoffChain(ctx context.Context, p *Principal, column string, chain []Role) error {
	if err := s.guard().write(ctx, p, ActWorkflowAdmin, Resource{}, "column:"+column); err != nil {
		return err
	}
	col, err := s.Structure.Column(ctx, column)
	if err != nil {
		return err
	}
	var fe FieldErrors
	if len(chain) == 0 || len(chain) > 5 {
		fe.Add("chain", "must have 1 to 5 steps")
	}
	seen := map[Role]bool{}
	for i, r := range chain {
		if r != RoleLeader && r != RoleDirector {
			fe.Add("chain["+itoa(i)+"]", "must be leader or director")
		}
		if seen[r] {
			fe.Add("chain["+itoa(i)+"]", "is repeated")
		}
		seen[r] = true
	}
	if err := fe.Err("invalid sign-off chain"); err != nil {
		return err
	}
	names := make([]string, len(chain))
	for i, r := range chain {
		names[i] = string(r)
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditSignoffChain, "column:"+col.Slug, map[string]any{"chain": names})
	return s.Flow.SetSignoffChain(ctx, col.Slug, chain, audit)
}

// SignoffChain returns a column's sign-off chain.
func (s *WorkflowService) SignoffChain(ctx context.Context, p *Principal, column string) ([]Role, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	if _, err := s.Structure.Column(ctx, column); err != nil {
		return nil, err
	}
	return s.Flow.SignoffChain(ctx, column)
}

// QueueEntry is a revision waiting for the caller.
type QueueEntry struct {
	Item         Item
	Revision     Revision
	Event        Event // what the caller is expected to do
	WaitingSince time.Time
	DueAt        time.Time // zero when the stage has no time limit
	Overdue      bool
	NextSigner   Role // in leadership sign-off: whose signature is next
}

// queueEvents is the action each stage expects.
var queueEvents = map[State]Event{
	StateDeptReview: EventApprove, StateLeadershipSignoff: EventSign, StateSecrecyReview: EventClear, StateScheduled: EventPublish,
}

// RunScheduler publishes what is due and archives what expired, as the
// system: a revision a publisher released, at the time they set, on their
// behalf; with AutoPublish also a cleared revision nobody released, at its
// publish_at. Several processes may run it at once: each transition is a
// compare-and-set on the revision's version, so only one of them wins and
// nothing is published twice. It returns how many it published and archived.
func (s *WorkflowService) RunScheduler(ctx context.Context) (published, archived int, err error) {
	now := s.Clock.Now()
	due, err := s.Flow.DueToPublish(ctx, now, s.AutoPublish)
	if err != nil {
		return 0, 0, err
	}
	var waiting error
	for _, id := range due {
		switch err := s.FireSystem(ctx, id, EventPublish); ErrorCode(err) {
		case "":
			published++
		case ECONFLICT, EPRECONDITION, ETRANSITION:
			// Another process got there first, or the content was tampered
			// with (the guard refuses it); the next patrol reports it.
		case EBLOBDOWN:
			// Its files cannot be verified now: it waits for the next
			// run, and revisions without files go ahead.
			waiting = err
		default:
			return published, archived, err
		}
	}
	expired, err := s.Flow.DueToArchive(ctx, now)
	if err != nil {
		return published, archived, err
	}
	for _, id := range expired {
		switch err := s.FireSystem(ctx, id, EventArchive); ErrorCode(err) {
		case "":
			archived++
		case ECONFLICT, EPRECONDITION, ETRANSITION:
		default:
			return published, archived, err
		}
	}
	return published, archived, waiting
}

func (s *WorkflowService) openFindings(ctx context.Context, revID int64) (int, error) {
	fs, err := s.Secrecy.Findings(ctx, revID)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range fs {
		if fs[i].Open() {
			n++
		}
	}
	return n, nil
}

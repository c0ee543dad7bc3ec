package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/looplab/fsm"

	"github.com/tlhpf/cms/cms"
)

// rule is one row of the workflow table: an event from some states to a
// state, the authorization action it needs and the roles that may act.
type rule struct {
	Event  cms.Event
	Src    []cms.State
	Dst    cms.State
	Action cms.Action
	Roles  []cms.Role // in order of preference for the role recorded in history
}

// Table is the whole workflow: every state, event and who may fire it. The
// authorizer grants each Action to roles (policy rows); the Roles here only
// say which of the actor's roles the history records.
var Table = []rule{
	{cms.EventSubmit, []cms.State{cms.StateDraft}, cms.StateDeptReview, "revision.submit", []cms.Role{cms.RoleEditor}},
	{cms.EventWithdraw, []cms.State{cms.StateDeptReview, cms.StateLeadershipSignoff, cms.StateSecrecyReview, cms.StateScheduled},
		cms.StateDraft, "revision.withdraw", []cms.Role{cms.RoleEditor}},
	{cms.EventApprove, []cms.State{cms.StateDeptReview}, cms.StateLeadershipSignoff, "revision.approve", []cms.Role{cms.RoleDeptHead}},
	{cms.EventSign, []cms.State{cms.StateLeadershipSignoff}, cms.StateSecrecyReview, "revision.sign", []cms.Role{cms.RoleLeader, cms.RoleDirector}},
	{cms.EventClear, []cms.State{cms.StateSecrecyReview}, cms.StateScheduled, "revision.clear", []cms.Role{cms.RoleSecrecyReviewer}},
	{cms.EventReject, []cms.State{cms.StateDeptReview}, cms.StateDraft, "revision.reject.dept_review", []cms.Role{cms.RoleDeptHead}},
	{cms.EventReject, []cms.State{cms.StateLeadershipSignoff}, cms.StateDraft, "revision.reject.leadership_signoff", []cms.Role{cms.RoleLeader, cms.RoleDirector}},
	{cms.EventReject, []cms.State{cms.StateSecrecyReview}, cms.StateDraft, "revision.reject.secrecy_review", []cms.Role{cms.RoleSecrecyReviewer}},
	{cms.EventRelease, []cms.State{cms.StateScheduled}, cms.StateScheduled, "revision.publish", []cms.Role{cms.RolePublisher}},
	{cms.EventPublish, []cms.State{cms.StateScheduled}, cms.StatePublished, "revision.publish", []cms.Role{cms.RolePublisher}},
	{cms.EventArchive, []cms.State{cms.StatePublished}, cms.StateArchived, "revision.archive", []cms.Role{cms.RolePublisher}},
	{cms.EventSuspend, []cms.State{cms.StatePublished}, cms.StateSuspended, "revision.suspend", []cms.Role{cms.RolePublisher, cms.RoleDirector}},
	{cms.EventRestore, []cms.State{cms.StateSuspended}, cms.StatePublished, "revision.restore", []cms.Role{cms.RolePublisher, cms.RoleDirector}},
}

// systemEvents are the events the system fires without a user: the
// scheduler publishes and archives, the integrity patrol suspends.
var systemEvents = map[cms.Event]bool{cms.EventPublish: true, cms.EventArchive: true, cms.EventSuspend: true}

// Machine implements cms.Workflow with looplab/fsm, rebuilt per event from
// the revision's stored state.
type Machine struct{}

var _ cms.Workflow = Machine{}

func ruleFor(ev cms.Event, st cms.State) *rule {
	for i := range Table {
		if Table[i].Event != ev {
			continue
		}
		for _, s := range Table[i].Src {
			if s == st {
				return &Table[i]
			}
		}
	}
	return nil
}

// Actions lists the events that apply to state with the action each needs.
func (Machine) Actions(state cms.State) map[cms.Event]cms.Action {
	out := map[cms.Event]cms.Action{}
	for _, r := range Table {
		for _, s := range r.Src {
			if s == state {
				out[r.Event] = r.Action
			}
		}
	}
	return out
}

func fsmEvents() fsm.Events {
	var evs fsm.Events
	for _, r := range Table {
		src := make([]string, len(r.Src))
		for i, s := range r.Src {
			src[i] = string(s)
		}
		evs = append(evs, fsm.EventDesc{Name: string(r.Event), Src: src, Dst: string(r.Dst)})
	}
	return evs
}

// Fire decides one event. The FSM says whether the event applies; the
// authorizer whether the actor may fire it; the guards, run in the FSM's
// before_ callbacks, whether the revision and history allow it.
func (Machine) Fire(ctx context.Context, req *cms.FireRequest) (*cms.Outcome, error) {
	st := req.Revision.State
	if !st.Valid() {
		return nil, fmt.Errorf("workflow: revision %d has an unknown state %q", req.Revision.ID, st)
	}
	r := ruleFor(req.Event, st)
	if r == nil {
		return nil, cms.Errorf(cms.ETRANSITION, "%s does not apply to a revision in %s", req.Event, st)
	}
	out := &cms.Outcome{To: r.Dst, SignoffStep: req.Revision.SignoffStep}
	if err := authorizeEvent(req, r, out); err != nil {
		return nil, err
	}
	var guardErr error
	callbacks := fsm.Callbacks{
		"before_event": func(_ context.Context, e *fsm.Event) {
			if guardErr = checkGuards(req, out); guardErr != nil {
				e.Cancel(guardErr)
			}
		},
	}
	// A release keeps the state: decide it without moving the FSM (fsm
	// refuses self-transitions).
	if req.Event == cms.EventRelease {
		if err := checkGuards(req, out); err != nil {
			return nil, err
		}
		out.ReleaseAt = req.ReleaseAt
		return out, nil
	}
	// A sign that does not complete the chain keeps the state: decide it
	// without moving the FSM (fsm refuses self-transitions).
	if req.Event == cms.EventSign {
		if err := checkGuards(req, out); err != nil {
			return nil, err
		}
		out.SignoffStep = req.Revision.SignoffStep + 1
		out.Complete = out.SignoffStep >= len(req.Chain)
		if !out.Complete {
			out.To = st
			return out, nil
		}
		callbacks = nil
	}
	f := fsm.NewFSM(string(st), fsmEvents(), callbacks)
	if err := f.Event(ctx, string(req.Event)); err != nil {
		if guardErr != nil {
			return nil, guardErr
		}
		var inv fsm.InvalidEventError
		if errors.As(err, &inv) {
			return nil, cms.Errorf(cms.ETRANSITION, "%s does not apply to a revision in %s", req.Event, st)
		}
		return nil, fmt.Errorf("workflow: %w", err)
	}
	out.To = cms.State(f.Current())
	switch {
	case req.Event == cms.EventPublish && req.Revision.Action == cms.ActionUnpublish:
		// A carried-out deletion request takes the item offline; the request
		// itself is archived with the revision it removed.
		out.To = cms.StateArchived
	case out.To == cms.StateDraft:
		out.SignoffStep = 0
	}
	return out, nil
}

// authorizeEvent asks the authorizer for the event's action and picks the
// role the actor acts in. The system may only publish and archive.
func authorizeEvent(req *cms.FireRequest, r *rule, out *cms.Outcome) error {
	if req.Actor == nil {
		if !systemEvents[req.Event] {
			return cms.Errorf(cms.EFORBIDDEN, "the scheduler may not %s", req.Event)
		}
		out.ActedAs = cms.RoleSystem
		return nil
	}
	ok, err := req.Allowed(r.Action)
	if err != nil {
		return err
	}
	if !ok {
		return cms.Errorf(cms.EFORBIDDEN, "you may not %s a revision in %s here", req.Event, req.Revision.State)
	}
	for _, role := range r.Roles {
		if req.Actor.HasRole(role, req.Item.Department) {
			out.ActedAs = role
			return nil
		}
	}
	out.ActedAs = r.Roles[0]
	return nil
}

// checkGuards applies the rules of the chain beyond role and state.
func checkGuards(req *cms.FireRequest, out *cms.Outcome) error {
	rev, actor := req.Revision, req.Actor
	switch req.Event {
	case cms.EventSubmit:
		ct := cms.LookupContentType(req.Item.ContentType)
		if ct == nil {
			return fmt.Errorf("workflow: item %d has unknown content type %q", req.Item.ID, req.Item.ContentType)
		}
		if rev.Action == cms.ActionPublish {
			if missing := ct.Missing(rev); len(missing) > 0 {
				return cms.Invalid("the revision is incomplete", missing...)
			}
		}
	case cms.EventWithdraw:
		if actor.ID != rev.SubmittedBy {
			return cms.Errorf(cms.EFORBIDDEN, "only the editor who submitted the revision may withdraw it")
		}
	case cms.EventClear:
		if req.OpenFindings > 0 {
			return cms.Errorf(cms.ECONFLICT, "%d blocking findings of the secrecy scan must be acknowledged with a reason before clearing", req.OpenFindings)
		}
	case cms.EventReject, cms.EventSuspend, cms.EventRestore:
		if strings.TrimSpace(req.Comment) == "" {
			return cms.Invalid("a reason is required", cms.FieldError{Field: "comment", Message: "say why (it is kept in the history)"})
		}
	}
	switch req.Event {
	case cms.EventApprove, cms.EventSign, cms.EventClear, cms.EventReject:
		if err := separationOfDuties(req); err != nil {
			return err
		}
	}
	if rev.State == cms.StateLeadershipSignoff && (req.Event == cms.EventSign || req.Event == cms.EventReject) {
		return checkSignoffTurn(req, out)
	}
	switch req.Event {
	case cms.EventRelease:
		if req.ReleaseAt.IsZero() {
			return cms.Invalid("a release needs a publication time", cms.FieldError{Field: "publish_at",
				Message: "set the time to publish at (the revision has no publish_at to keep), or publish it now"})
		}
		fallthrough
	case cms.EventPublish, cms.EventRestore:
		if rev.ApprovedHash == "" || rev.Hash() != rev.ApprovedHash {
			return cms.Errorf(cms.ECONFLICT, "the revision's content no longer matches the content that was approved; it cannot go live")
		}
	}
	return nil
}

// separationOfDuties: nobody approves, signs, clears or rejects a revision
// they wrote, changed, submitted or already decided on at an earlier stage.
func separationOfDuties(req *cms.FireRequest) error {
	id := req.Actor.ID
	if id == req.Revision.AuthorID || id == req.Revision.SubmittedBy {
		return cms.Errorf(cms.EFORBIDDEN, "you wrote or submitted this revision; someone else must review it")
	}
	if slices.Contains(req.Editors, id) {
		return cms.Errorf(cms.EFORBIDDEN, "you changed this revision's content, fields or attachments; someone who did not edit it must review it")
	}
	for _, t := range req.History {
		if t.ActorID == id && (t.Event == cms.EventApprove || t.Event == cms.EventSign || t.Event == cms.EventClear) {
			return cms.Errorf(cms.EFORBIDDEN, "you already %s this revision at an earlier stage; someone else must act now", pastTense(t.Event))
		}
	}
	return nil
}

func pastTense(ev cms.Event) string {
	switch ev {
	case cms.EventApprove:
		return "approved"
	case cms.EventSign:
		return "signed"
	case cms.EventClear:
		return "cleared"
	}
	return string(ev) + "ed"
}

// checkSignoffTurn: in the leadership sign-off only the holder of the role
// whose turn it is may sign or reject (the leader in charge of the owning
// department before the director, by default).
func checkSignoffTurn(req *cms.FireRequest, out *cms.Outcome) error {
	step := req.Revision.SignoffStep
	if len(req.Chain) == 0 {
		return fmt.Errorf("workflow: column %s has an empty sign-off chain", req.Item.Column)
	}
	// A chain shortened while the revision was in sign-off leaves it past
	// the end: the last role of the new chain gives the final signature.
	role := req.Chain[min(step, len(req.Chain)-1)]
	if !req.Actor.HasRole(role, req.Item.Department) {
		return cms.Errorf(cms.EFORBIDDEN, "it is the %s's turn to sign (step %d of %d)", role, step+1, len(req.Chain))
	}
	out.ActedAs = role
	return nil
}

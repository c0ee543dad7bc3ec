package cms

import (
	"context"
	"slices"
)

// The questions below let a delivery adapter show a person only what the
// services would let them do: an edit button, a column to write in, a
// review stage, a finding to acknowledge. Each asks the authorizer the same
// question the service method that acts asks, and answers without changing
// or auditing anything.

// AuthoredColumn is a column the caller may create items in, for one of
// its owning departments.
type AuthoredColumn struct {
	Column     Column
	Department string
}

// AuthoredColumns lists, in annex order, the columns and owning departments
// for which Create would accept a new item from p.
func (s *ItemService) AuthoredColumns(ctx context.Context, p *Principal) ([]AuthoredColumn, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	cols, err := scopedColumns(ctx, s.Structure)
	if err != nil {
		return nil, err
	}
	var out []AuthoredColumn
	for _, col := range cols {
		if !col.Authored() {
			continue
		}
		for _, dept := range col.Owners {
			ok, err := s.Authorizer.Allowed(ctx, p.User, ActItemCreate, Resource{Department: dept, Column: col.Slug})
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, AuthoredColumn{Column: col, Department: dept})
			}
		}
	}
	return out, nil
}

// CheckEdit returns nil when UpdateDraft (and attaching files) would
// accept a change of the revision from p now, or why not, in the order the
// service checks: forbidden when p may not edit in its column, conflict
// when it is no longer a draft.
func (s *ItemService) CheckEdit(ctx context.Context, p *Principal, revID int64) error {
	rev, it, err := s.Revision(ctx, p, revID)
	if err != nil {
		return err
	}
	res := Resource{Department: it.Department, Column: it.Column}
	ok, err := s.Authorizer.Allowed(ctx, p.User, ActItemEdit, res)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "%s", deniedMessage(ActItemEdit, res))
	}
	if rev.State != StateDraft {
		return Errorf(ECONFLICT, "only a draft can be edited; this revision is %s", rev.State)
	}
	return nil
}

// MayEdit reports whether CheckEdit finds nothing against an edit now.
func (s *ItemService) MayEdit(ctx context.Context, p *Principal, revID int64) (bool, error) {
	switch err := s.CheckEdit(ctx, p, revID); ErrorCode(err) {
	case "":
		return true, nil
	case EFORBIDDEN, ECONFLICT:
		return false, nil
	default:
		return false, err
	}
}

// Acknowledgeable returns the ids of the revision's findings that
// Acknowledge would accept from p now: those nobody acknowledged yet, for a
// secrecy reviewer of the item, while the revision is in the secrecy
// review (findings of a re-scan of released content in any state).
func (s *SecrecyService) Acknowledgeable(ctx context.Context, p *Principal, revID int64) (map[int64]bool, error) {
	rev, it, err := readRevision(ctx, s.Items, s.Authorizer, p, revID)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	ok, err := s.Authorizer.Allowed(ctx, p.User, ActFindingAck, Resource{Department: it.Department, Column: it.Column})
	if err != nil || !ok {
		return out, err
	}
	all, err := s.Secrecy.Findings(ctx, revID)
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		if f.AcknowledgedBy == 0 && (rev.State == StateSecrecyReview || f.Rescan) {
			out[f.ID] = true
		}
	}
	return out, nil
}

// ReviewStages lists the review stages at which p decides somewhere (the
// action each stage expects is allowed for some department), so that a
// queue is offered only to those who have one.
func (s *WorkflowService) ReviewStages(ctx context.Context, p *Principal) ([]State, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	var out []State
	for _, st := range []State{StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled} {
		act, ok := s.Machine.Actions(st)[queueEvents[st]]
		if !ok {
			continue
		}
		allowed, err := s.Authorizer.Allowed(ctx, p.User, act, Resource{})
		if err != nil {
			return nil, err
		}
		if allowed {
			out = append(out, st)
		}
	}
	return out, nil
}

// releaseEvents are the events of a revision once it is cleared: 信息科
// publishes and archives, publishers and the director suspend and restore.
var releaseEvents = []struct {
	State State
	Event Event
}{{StateScheduled, EventRelease}, {StateScheduled, EventPublish}, {StatePublished, EventSuspend}, {StateSuspended, EventRestore}, {StatePublished, EventArchive}}

// ReleaseEvents lists the release events (publish, suspend, restore,
// archive) p may fire somewhere, so that the release desk is offered to
// those who have one.
func (s *WorkflowService) ReleaseEvents(ctx context.Context, p *Principal) ([]Event, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	var out []Event
	for _, r := range releaseEvents {
		act, ok := s.Machine.Actions(r.State)[r.Event]
		if !ok {
			continue
		}
		allowed, err := s.Authorizer.Allowed(ctx, p.User, act, Resource{})
		if err != nil {
			return nil, err
		}
		if allowed {
			out = append(out, r.Event)
		}
	}
	return out, nil
}

// Tasks are the centre-wide tasks beyond the chain's decisions, in the
// order a menu lists them.
var Tasks = []Action{ActMenuManage, ActMaintenanceDecide, ActPatrol, ActFindingRead, ActAuditRead, ActArchiveExport, ActUserManage,
	ActUserUnlock, ActUserResetOTP, ActWorkflowAdmin, ActSensitiveWords, ActWebhookManage, ActReportRead, ActReportReadDept}

// Abilities are what a person may do somewhere in the centre beyond
// writing and reviewing: the tasks of Tasks the authorizer allows them and
// the release events they may fire. Adapters build their menus from them.
type Abilities struct {
	Actions []Action
	Release []Event
}

// Can reports whether act is one of the abilities.
func (a *Abilities) Can(act Action) bool { return a != nil && slices.Contains(a.Actions, act) }

// Releases reports whether ev is one of the release events allowed.
func (a *Abilities) Releases(ev Event) bool { return a != nil && slices.Contains(a.Release, ev) }

// Abilities asks, for p, the question each service that does a task asks
// its authorizer, without a resource (allowed for some department). Someone
// who must change their password or enrol a second factor first may do
// nothing yet: no abilities, and no error, so that a client can still show
// who they are.
func (s *Services) Abilities(ctx context.Context, p *Principal) (*Abilities, error) {
	if p == nil || p.User == nil {
		return nil, Errorf(EUNAUTHORIZED, "authentication required")
	}
	a := &Abilities{Actions: []Action{}, Release: []Event{}}
	if p.PasswordExpired || p.OTPEnrolmentRequired || p.User.MustChangePassword {
		return a, nil
	}
	for _, act := range Tasks {
		res := Resource{}
		if act == ActMaintenanceDecide {
			res.Department = MaintenanceDepartment // the leader in charge of 信息科, not of any department
		}
		ok, err := s.Users.Authorizer.Allowed(ctx, p.User, act, res)
		if err != nil {
			return nil, err
		}
		if ok {
			a.Actions = append(a.Actions, act)
		}
	}
	feature, err := s.featureAbilities(ctx, p)
	if err != nil {
		return nil, err
	}
	a.Actions = append(a.Actions, feature...)
	release, err := s.Workflow.ReleaseEvents(ctx, p)
	switch ErrorCode(err) {
	case "":
		a.Release = append(a.Release, release...)
	case EFORBIDDEN: // no role that reads the structure: nothing to release
	default:
		return nil, err
	}
	return a, nil
}

// featureAbilities are the feature request actions p holds for some
// department, as FeatureRequestService.Access says (the console's menu
// asks the same): feature.submit, feature.decide, feature.collect, and
// feature.read for anyone who reads some department's requests.
func (s *Services) featureAbilities(ctx context.Context, p *Principal) ([]Action, error) {
	if s.FeatureRequests == nil {
		return nil, nil
	}
	acc, err := s.FeatureRequests.Access(ctx, p)
	switch {
	case ErrorCode(err) == EFORBIDDEN:
		return nil, nil
	case err != nil:
		return nil, err
	}
	var out []Action
	for _, f := range []struct {
		act Action
		ok  bool
	}{{ActFeatureSubmit, len(acc.Submit) > 0}, {ActFeatureDecide, len(acc.Decide) > 0}, {ActFeatureCollect, acc.Collect}, {ActFeatureRead, acc.Read}} {
		if f.ok {
			out = append(out, f.act)
		}
	}
	return out, nil
}

// Decidable returns the ids of the grants among gs that ConfirmGrant and
// RefuseGrant would let p decide now: pending, neither p's own grant nor
// (unless a lone administrator may) one p asked for.
func (s *UserService) Decidable(ctx context.Context, p *Principal, gs []Grant) (map[int64]bool, error) {
	if err := authorize(ctx, s.Authorizer, p, ActUserManage, Resource{}); err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, g := range gs {
		if g.Status == GrantPending && g.UserID != p.User.ID && (g.RequestedBy != p.User.ID || s.SingleAdmin) {
			out[g.ID] = true
		}
	}
	return out, nil
}

// CheckRevise returns nil when NewRevision would accept a change or a
// deletion request of the item from p now, or why not, in the order the
// service checks: forbidden when p may not edit in its column, conflict
// when a revision is already on its way or the item is not live.
func (s *ItemService) CheckRevise(ctx context.Context, p *Principal, itemID int64) error {
	it, err := s.Items.Item(ctx, itemID)
	if err != nil {
		return err
	}
	if err := authorize(ctx, s.Authorizer, p, ActItemEdit, Resource{Department: it.Department, Column: it.Column}); err != nil {
		return err
	}
	if it.State.InFlight() {
		return Errorf(ECONFLICT, "the item already has revision %d in flight (%s)", it.HeadRevisionID, it.State)
	}
	if it.LiveRevisionID == 0 {
		return Errorf(ECONFLICT, "the item is not live; only a live item can be changed or deleted")
	}
	return nil
}

// MayRevise reports whether CheckRevise finds nothing against a change of
// the live item now.
func (s *ItemService) MayRevise(ctx context.Context, p *Principal, itemID int64) (bool, error) {
	switch err := s.CheckRevise(ctx, p, itemID); ErrorCode(err) {
	case "":
		return true, nil
	case EFORBIDDEN, ECONFLICT:
		return false, nil
	default:
		return false, err
	}
}

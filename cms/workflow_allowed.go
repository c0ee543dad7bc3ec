package cms

import "context"

// Allowed lists the events p may fire on the revision now, in the order of
// Events. Each event that applies to the revision's state is decided by
// the state machine exactly as Fire would decide it (role, department,
// sign-off turn, separation of duties, open secrecy findings, a complete
// revision for submit), without changing or auditing anything; reject and
// suspend are decided as if the comment they need were given. Adapters
// show only these events, so a button is never offered that Fire refuses.
func (s *WorkflowService) Allowed(ctx context.Context, p *Principal, revID int64) ([]Event, error) {
	rev, it, err := readRevision(ctx, s.Items, s.Authorizer, p, revID)
	if err != nil {
		return nil, err
	}
	history, err := s.cycle(ctx, rev)
	if err != nil {
		return nil, err
	}
	chain, err := s.Flow.SignoffChain(ctx, it.Column)
	if err != nil {
		return nil, err
	}
	open := 0
	applicable := s.Machine.Actions(rev.State)
	if _, ok := applicable[EventClear]; ok {
		if open, err = s.openFindings(ctx, rev.ID); err != nil {
			return nil, err
		}
	}
	allowed := func(act Action) (bool, error) {
		return s.Authorizer.Allowed(ctx, p.User, act, Resource{Department: it.Department, Column: it.Column})
	}
	out := []Event{}
	for _, ev := range Events {
		if _, ok := applicable[ev]; !ok {
			continue
		}
		probeRev, probeItem := *rev, *it
		req := &FireRequest{Event: ev, Comment: dryRunComment(ev), Actor: p.User, Item: &probeItem, Revision: &probeRev,
			History: history, Chain: chain, Allowed: allowed, OpenFindings: open, ReleaseAt: s.Clock.Now()}
		switch _, err := s.Machine.Fire(ctx, req); ErrorCode(err) {
		case "":
			out = append(out, ev)
		case EFORBIDDEN, ETRANSITION, EINVALID, ECONFLICT, EPRECONDITION:
		default:
			return nil, err
		}
	}
	return out, nil
}

// dryRunComment stands for the comment a reject, suspend or restore needs, so that
// asking whether one is allowed does not depend on a comment not yet written.
func dryRunComment(ev Event) string {
	if ev == EventReject || ev == EventSuspend || ev == EventRestore {
		return "?"
	}
	return ""
}

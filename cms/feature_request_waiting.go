package cms

import (
	"context"
	"slices"
)

// FeatureWaiting is what waits for one person among the feature requests:
// the submitted requests they decide on, and the approved ones they record
// done, each oldest first.
type FeatureWaiting struct {
	Decide []FeatureRequest
	Done   []FeatureRequest
	// Decides and Collects say that p approves or refuses some
	// department's requests, and records approved ones done (信息科),
	// whether or not anything waits now.
	Decides, Collects bool
}

// Len is the number of requests waiting.
func (w FeatureWaiting) Len() int { return len(w.Decide) + len(w.Done) }

// Waiting returns the requests waiting for p, as Decide and Done would
// let p act on them now: submitted requests of the departments p decides
// for, except p's own, and, for 信息科, approved requests awaiting done.
// Someone with nothing to do with feature requests has nothing waiting.
func (s *FeatureRequestService) Waiting(ctx context.Context, p *Principal) (FeatureWaiting, error) {
	var w FeatureWaiting
	acc, err := s.Access(ctx, p)
	switch {
	case ErrorCode(err) == EFORBIDDEN:
		return w, nil
	case err != nil:
		return w, err
	}
	w.Decides, w.Collects = len(acc.Decide) > 0, acc.Collect
	if w.Decides {
		rs, err := s.waitingIn(ctx, FeatureSubmitted, acc.Decide)
		if err != nil {
			return w, err
		}
		for _, r := range rs {
			if r.SubmittedBy != p.User.ID {
				w.Decide = append(w.Decide, r)
			}
		}
	}
	if w.Collects {
		done, err := s.Authorizer.Departments(ctx, p.User, ActFeatureCollect)
		if err != nil || len(done) == 0 {
			return w, err
		}
		if w.Done, err = s.waitingIn(ctx, FeatureApproved, done); err != nil {
			return w, err
		}
	}
	return w, nil
}

// waitingIn lists the requests in state of depts, oldest first, with the
// submitters' names.
func (s *FeatureRequestService) waitingIn(ctx context.Context, state string, depts []string) ([]FeatureRequest, error) {
	rs, err := s.Store.FeatureRequests(ctx, FeatureFilter{State: state, Departments: slices.Clone(depts), Limit: 500})
	if err != nil {
		return nil, err
	}
	slices.Reverse(rs)
	names := nameCache{users: s.Users}
	for i := range rs {
		if rs[i].SubmittedByName, err = names.name(ctx, rs[i].SubmittedBy); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

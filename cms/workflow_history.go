package cms

// What happened to an item and who decided what: the reads of the
// workflow's history.

import "context"

// History returns every transition of an item, oldest first, with the
// users who made them.
func (s *WorkflowService) History(ctx context.Context, p *Principal, itemID int64) ([]Transition, map[int64]*User, error) {
	it, err := s.Items.Item(ctx, itemID)
	if err != nil {
		return nil, nil, err
	}
	if err := authorize(ctx, s.Authorizer, p, ActItemRead, Resource{Department: it.Department}); err != nil {
		return nil, nil, err
	}
	ts, err := s.Flow.Transitions(ctx, TransitionFilter{ItemID: itemID})
	if err != nil {
		return nil, nil, err
	}
	users, err := s.actors(ctx, ts)
	return ts, users, err
}

// actors loads the users who made the transitions.
func (s *WorkflowService) actors(ctx context.Context, ts []Transition) (map[int64]*User, error) {
	users := map[int64]*User{}
	for _, t := range ts {
		if t.ActorID == 0 || users[t.ActorID] != nil {
			continue
		}
		u, err := s.Users.UserByID(ctx, t.ActorID)
		if err != nil {
			return nil, err
		}
		users[t.ActorID] = u
	}
	return users, nil
}

// Decisions returns the caller's own transitions, newest first.
func (s *WorkflowService) Decisions(ctx context.Context, p *Principal, cursor string, limit int) ([]Transition, string, map[int64]*User, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, "", nil, err
	}
	before, err := DecodeCursor("cursor", cursor)
	if err != nil {
		return nil, "", nil, err
	}
	if limit == 0 {
		limit = ListDefault
	}
	if limit < 1 || limit > ListMaxLimit {
		return nil, "", nil, Invalid("invalid limit", FieldError{Field: "limit", Message: "must be between 1 and 100"})
	}
	ts, err := s.Flow.Transitions(ctx, TransitionFilter{ActorID: p.User.ID, Before: before, Limit: limit + 1})
	if err != nil {
		return nil, "", nil, err
	}
	next := ""
	if len(ts) > limit {
		ts = ts[:limit]
		next = EncodeCursor(ts[limit-1].ID)
	}
	return ts, next, map[int64]*User{p.User.ID: p.User}, nil
}

package cms

// The approval queue: what waits for whom, and when it is due.

import (
	"context"
	"time"
)

// Queue is what waits for the caller, oldest first, with counts per stage.
type Queue struct {
	Entries []QueueEntry
	Counts  map[State]int
}

// stageProbe is what deciding who can act on a revision needs to read
// once, whoever asks.
type stageProbe struct {
	history []Transition
	chain   []Role
	editors []int64
}

func (s *WorkflowService) probe(ctx context.Context, pd *Pending) (*stageProbe, error) {
	history, err := s.cycle(ctx, &pd.Revision)
	if err != nil {
		return nil, err
	}
	chain, err := s.Flow.SignoffChain(ctx, pd.Item.Column)
	if err != nil {
		return nil, err
	}
	editors, err := s.Items.RevisionEditors(ctx, pd.Revision.ID)
	if err != nil {
		return nil, err
	}
	return &stageProbe{history: history, chain: chain, editors: editors}, nil
}

func (s *WorkflowService) queueEntry(ctx context.Context, u *User, pd *Pending, now time.Time) (QueueEntry, bool, error) {
	pr, err := s.probe(ctx, pd)
	if err != nil {
		return QueueEntry{}, false, err
	}
	return s.entryWith(ctx, u, pd, pr, now)
}

// entryWith decides, as the queue does, whether u can act on pd now.
func (s *WorkflowService) entryWith(ctx context.Context, u *User, pd *Pending, pr *stageProbe, now time.Time) (QueueEntry, bool, error) {
	rev, it := pd.Revision, pd.Item
	ev := queueEvents[rev.State]
	history, chain, editors := pr.history, pr.chain, pr.editors
	probe := rev // the machine must not see the caller's comment requirements
	req := &FireRequest{Event: ev, Actor: u, Item: &it, Revision: &probe, History: history, Editors: editors, Chain: chain,
		Allowed: func(act Action) (bool, error) {
			return s.Authorizer.Allowed(ctx, u, act, Resource{Department: it.Department, Column: it.Column})
		}}
	if _, err := s.Machine.Fire(ctx, req); err != nil {
		switch ErrorCode(err) {
		case EFORBIDDEN, ETRANSITION, EINVALID, ECONFLICT:
			return QueueEntry{}, false, nil
		}
		return QueueEntry{}, false, err
	}
	e := QueueEntry{Item: it, Revision: rev, Event: ev, WaitingSince: rev.StateSince}
	if limit := s.Limits[rev.State]; limit > 0 {
		e.DueAt = rev.StateSince.Add(limit)
		e.Overdue = now.After(e.DueAt)
	}
	if rev.State == StateLeadershipSignoff && rev.SignoffStep < len(chain) {
		e.NextSigner = chain[rev.SignoffStep]
	}
	return e, true, nil
}

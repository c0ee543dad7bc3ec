package cms

// The approval queue: what waits for whom, and when it is due.

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// QueueFilter narrows the queue and pages it. With Limit 0 the queue is
// listed whole, with counts per stage; otherwise one page of at most Limit
// entries, from Cursor (the Next of the page before; "" for the first).
type QueueFilter struct {
	Stage  State
	Column string
	Cursor string
	Limit  int
}

// Queue is what waits for the caller, oldest first.
type Queue struct {
	Entries []QueueEntry
	// Counts counts the entries per stage when the queue is listed whole;
	// nil for a page (counting would mean judging every revision in review).
	Counts map[State]int
	// Next is the cursor of the next page, "" on the last one.
	Next string
}

// queueBatch is how many revisions in review the queue judges at once.
const queueBatch = 100

// Queue lists exactly the revisions the caller could act on now: for each
// revision in review, the state machine is asked whether the caller's
// decision would be allowed (role, department, sign-off turn, separation
// of duties), so the queue and the transition endpoint never disagree.
// Revisions are judged a batch at a time, their histories and editors read
// together, and a page stops judging once it is full.
func (s *WorkflowService) Queue(ctx context.Context, p *Principal, f QueueFilter) (*Queue, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	pf := PendingFilter{States: []State{StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled}, Column: f.Column}
	var fe FieldErrors
	if f.Stage != "" {
		if _, ok := queueEvents[f.Stage]; !ok {
			fe.Add("stage", "must be dept_review, leadership_signoff, secrecy_review or scheduled")
		}
		pf.States = []State{f.Stage}
	}
	if f.Limit < 0 || f.Limit > ListMaxLimit {
		fe.Add("limit", "must be between 1 and %d", ListMaxLimit)
	}
	var err error
	if pf.AfterSince, pf.AfterID, err = decodeQueueCursor(f.Cursor); err != nil {
		fe.Add("cursor", "is not a cursor this API issued")
	}
	if err := fe.Err("invalid queue filter"); err != nil {
		return nil, err
	}
	j := &queueJudge{s: s, ctx: ctx, u: p.User, now: s.Clock.Now(), allowed: map[judgeKey]bool{}, chains: map[string][]Role{}}
	q := &Queue{}
	for {
		pf.Limit = queueBatch
		if f.Limit > 0 {
			pf.Limit = min(queueBatch, max(f.Limit+1-len(q.Entries), 20))
		}
		pending, err := s.Flow.Pending(ctx, pf)
		if err != nil {
			return nil, err
		}
		entries, err := j.judge(pending)
		if err != nil {
			return nil, err
		}
		q.Entries = append(q.Entries, entries...)
		if f.Limit > 0 && len(q.Entries) > f.Limit {
			q.Entries = q.Entries[:f.Limit]
			last := q.Entries[f.Limit-1].Revision
			q.Next = encodeQueueCursor(last.StateSince, last.ID)
			return q, nil
		}
		if len(pending) < pf.Limit {
			break
		}
		last := pending[len(pending)-1].Revision
		pf.AfterSince, pf.AfterID = last.StateSince, last.ID
	}
	if f.Limit == 0 {
		q.Counts = map[State]int{}
		for _, e := range q.Entries {
			q.Counts[e.Revision.State]++
		}
	}
	return q, nil
}

// queueJudge decides queue entries for one caller, remembering what the
// authorizer said and each column's sign-off chain for the call.
type queueJudge struct {
	s       *WorkflowService
	ctx     context.Context
	u       *User
	now     time.Time
	allowed map[judgeKey]bool
	chains  map[string][]Role
}

type judgeKey struct {
	act          Action
	dept, column string
}

// judge returns, in order, the entries of pending the caller may act on.
func (j *queueJudge) judge(pending []Pending) ([]QueueEntry, error) {
	ids := make([]int64, len(pending))
	for i := range pending {
		ids[i] = pending[i].Revision.ID
	}
	cycles, err := j.s.Flow.CurrentCycles(j.ctx, ids)
	if err != nil {
		return nil, err
	}
	editors, err := j.s.Items.EditorsOf(j.ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []QueueEntry
	for i := range pending {
		e, ok, err := j.entry(&pending[i], cycles[ids[i]], editors[ids[i]])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// entry asks the state machine whether the caller's decision on one
// revision would be allowed, with the history of its current cycle as the
// revision was read (as Fire sees it).
func (j *queueJudge) entry(pd *Pending, cycle []Transition, editors []int64) (QueueEntry, bool, error) {
	rev, it := pd.Revision, pd.Item
	ev := queueEvents[rev.State]
	if rev.State == StateScheduled && rev.ReleasedBy != 0 {
		return QueueEntry{}, false, nil // a publisher decided: the scheduler publishes it at the time they set
	}
	var history []Transition
	for _, t := range cycle {
		if t.Version <= rev.Version {
			history = append(history, t)
		}
	}
	chain, err := j.chain(it.Column)
	if err != nil {
		return QueueEntry{}, false, err
	}
	probe := rev // the machine must not see the caller's comment requirements
	req := &FireRequest{Event: ev, Actor: j.u, Item: &it, Revision: &probe, History: history, Editors: editors, Chain: chain,
		Allowed: func(act Action) (bool, error) { return j.may(act, it.Department, it.Column) }}
	if _, err := j.s.Machine.Fire(j.ctx, req); err != nil {
		switch ErrorCode(err) {
		case EFORBIDDEN, ETRANSITION, EINVALID, ECONFLICT:
			return QueueEntry{}, false, nil
		}
		return QueueEntry{}, false, err
	}
	e := QueueEntry{Item: it, Revision: rev, Event: ev, WaitingSince: rev.StateSince}
	if limit := j.s.Limits[rev.State]; limit > 0 && !(rev.State == StateScheduled && j.s.AutoPublish) {
		e.DueAt = rev.StateSince.Add(limit)
		e.Overdue = j.now.After(e.DueAt)
	}
	if rev.State == StateLeadershipSignoff && rev.SignoffStep < len(chain) {
		e.NextSigner = chain[rev.SignoffStep]
	}
	return e, true, nil
}

func (j *queueJudge) may(act Action, dept, column string) (bool, error) {
	k := judgeKey{act, dept, column}
	if ok, seen := j.allowed[k]; seen {
		return ok, nil
	}
	ok, err := j.s.Authorizer.Allowed(j.ctx, j.u, act, Resource{Department: dept, Column: column})
	if err == nil {
		j.allowed[k] = ok
	}
	return ok, err
}

func (j *queueJudge) chain(column string) ([]Role, error) {
	if c, ok := j.chains[column]; ok {
		return c, nil
	}
	c, err := j.s.Flow.SignoffChain(j.ctx, column)
	if err == nil {
		j.chains[column] = c
	}
	return c, err
}

// encodeQueueCursor writes a position in the queue's order as an opaque
// cursor; decodeQueueCursor reads it ("" is the start).
func encodeQueueCursor(since time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("q:" + strconv.FormatInt(since.UnixMicro(), 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeQueueCursor(c string) (time.Time, int64, error) {
	if c == "" {
		return time.Time{}, 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(b), ":")
	if err != nil || len(parts) != 3 || parts[0] != "q" {
		return time.Time{}, 0, Errorf(EINVALID, "bad cursor")
	}
	us, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, Errorf(EINVALID, "bad cursor")
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// stageProbe is what deciding who can act on one revision needs to read
// once, whoever asks (the notifications ask for every member of staff).
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

// entryWith decides, as the queue does, whether u can act on pd now.
func (s *WorkflowService) entryWith(ctx context.Context, u *User, pd *Pending, pr *stageProbe, now time.Time) (QueueEntry, bool, error) {
	j := &queueJudge{s: s, ctx: ctx, u: u, now: now, allowed: map[judgeKey]bool{},
		chains: map[string][]Role{pd.Item.Column: pr.chain}}
	return j.entry(pd, pr.history, pr.editors)
}

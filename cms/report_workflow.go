package cms

import (
	"context"
	"slices"
	"sort"
	"time"
)

// Workflow statistics, computed from the transition history: how long
// revisions stay in each review stage per department, how many passed the
// stage's time limit (办结时限), the rejections and their reasons, and
// what waits for whom now.

// Workflow reports the workflow statistics of a period: the whole
// centre's, or a department's.
func (s *ReportService) Workflow(ctx context.Context, p *Principal, from, to string) (*WorkflowReport, error) {
	depts, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	per, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	per.Departments = depts
	since, before := per.From.Start(), (per.To + 1).Start()
	history, err := s.Store.StageHistory(ctx, since, before, depts)
	if err != nil {
		return nil, err
	}
	r := &WorkflowReport{Period: per}
	r.Stages = StageFigures(history, since, before, per.At, s.Flow.Limits)
	if r.Rejections, err = s.rejections(ctx, history, since, before); err != nil {
		return nil, err
	}
	if r.Waiting, err = s.waiting(ctx, depts, per.At); err != nil {
		return nil, err
	}
	at := per.At
	if before.Before(at) {
		at = before
	}
	if r.Contacts, err = s.contacts(ctx, depts, at); err != nil {
		return nil, err
	}
	return r, nil
}

// contacts lists the contacts of depts (nil: every department), in annex
// order, designated at at.
func (s *ReportService) contacts(ctx context.Context, depts []string, at time.Time) ([]DepartmentContacts, error) {
	all, err := s.Structure.Departments(ctx)
	if err != nil || s.Contacts == nil {
		return nil, err
	}
	cs, err := s.Contacts.Contacts(ctx, at)
	if err != nil {
		return nil, err
	}
	by := ContactsByDepartment(cs)
	var out []DepartmentContacts
	for _, d := range all {
		if depts == nil || slices.Contains(depts, d.Slug) {
			out = append(out, DepartmentContacts{Department: d.Slug, Contacts: by[d.Slug]})
		}
	}
	return out, nil
}

// stageVisit is one stay of a revision in a review stage.
type stageVisit struct {
	dept     string
	stage    State
	revision int64
	in, out  time.Time // out is zero while it stays
}

// visits splits history (ordered by revision, then id) into stays in the
// review stages: a stay begins with a transition into the stage from
// another state and ends with the next one out of it (a signature that
// leaves the revision in sign-off goes on with the stay).
func visits(history []StageTransition) []stageVisit {
	var out []stageVisit
	open := -1
	for i, t := range history {
		if i > 0 && history[i-1].RevisionID != t.RevisionID {
			open = -1
		}
		if open >= 0 && t.From == out[open].stage && t.To != t.From {
			out[open].out = t.At
			open = -1
		}
		if slices.Contains(ReviewStages, t.To) && t.To != t.From {
			out = append(out, stageVisit{dept: t.Department, stage: t.To, revision: t.RevisionID, in: t.At})
			open = len(out) - 1
		}
	}
	return out
}

// StageFigures sums, per department and stage, the stays that began from
// since until before; a stay still going on at now counts as overdue once
// it has passed its limit. Rejections are those made in the period.
func StageFigures(history []StageTransition, since, before, now time.Time, limits map[State]time.Duration) []StageFigure {
	type key struct {
		dept  string
		stage State
	}
	figs := map[key]*StageFigure{}
	durs := map[key][]time.Duration{}
	revs := map[key]map[int64]bool{}
	get := func(k key) *StageFigure {
		if figs[k] == nil {
			figs[k] = &StageFigure{Department: k.dept, Stage: k.stage, Limit: limits[k.stage]}
			revs[k] = map[int64]bool{}
		}
		return figs[k]
	}
	for _, v := range visits(history) {
		if v.in.Before(since) || !v.in.Before(before) {
			continue
		}
		k := key{v.dept, v.stage}
		f := get(k)
		f.Entered++
		revs[k][v.revision] = true
		end := v.out
		if !end.IsZero() {
			f.Done++
			durs[k] = append(durs[k], end.Sub(v.in))
		} else {
			end = now
		}
		if f.Limit > 0 && end.Sub(v.in) > f.Limit {
			f.Overdue++
		}
	}
	for _, t := range history {
		if t.Event == EventReject && !t.At.Before(since) && t.At.Before(before) && slices.Contains(ReviewStages, t.From) {
			get(key{t.Department, t.From}).Rejections++
		}
	}
	out := make([]StageFigure, 0, len(figs))
	for k, f := range figs {
		f.Revisions = len(revs[k])
		f.Median, f.P90 = Percentile(durs[k], 50), Percentile(durs[k], 90)
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Department != out[j].Department {
			return out[i].Department < out[j].Department
		}
		return slices.Index(ReviewStages, out[i].Stage) < slices.Index(ReviewStages, out[j].Stage)
	})
	return out
}

// Percentile returns the p-th percentile of ds by nearest rank: the
// smallest value that at least p % of the values do not exceed; zero for
// none.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n)
	return s[max(rank, 1)-1]
}

// rejections lists the rejections made in the period, newest first, with
// their reasons and who made them.
func (s *ReportService) rejections(ctx context.Context, history []StageTransition, since, before time.Time) ([]Rejection, error) {
	var ts []Transition
	var out []Rejection
	for _, t := range history {
		if t.Event != EventReject || t.At.Before(since) || !t.At.Before(before) {
			continue
		}
		ts = append(ts, t.Transition)
		out = append(out, Rejection{At: t.At, Department: t.Department, Stage: t.From, ItemID: t.ItemID,
			RevisionID: t.RevisionID, Title: t.Title, Comment: t.Comment})
	}
	users, err := s.Flow.actors(ctx, ts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if u := users[ts[i].ActorID]; u != nil {
			out[i].Actor = u.DisplayName
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// waiting lists the revisions in review now, oldest first, with the
// names of those who can act on each, as their queues would show them.
func (s *ReportService) waiting(ctx context.Context, depts []string, now time.Time) ([]Waiting, error) {
	pending, err := s.Flow.Flow.Pending(ctx, PendingFilter{States: ReviewStages})
	if err != nil {
		return nil, err
	}
	users, err := s.Flow.Users.Users(ctx, UserFilter{})
	if err != nil {
		return nil, err
	}
	out := []Waiting{}
	for i := range pending {
		pd := &pending[i]
		if depts != nil && !slices.Contains(depts, pd.Item.Department) {
			continue
		}
		pr, err := s.Flow.probe(ctx, pd)
		if err != nil {
			return nil, err
		}
		w := Waiting{ItemID: pd.Item.ID, RevisionID: pd.Revision.ID, Title: pd.Revision.Title, Department: pd.Item.Department,
			Stage: pd.Revision.State, Since: pd.Revision.StateSince, Who: []string{}}
		for j := range users {
			u := &users[j]
			if u.Disabled {
				continue
			}
			_, ok, err := s.Flow.entryWith(ctx, u, pd, pr, now)
			if err != nil {
				return nil, err
			}
			if ok {
				w.Who = append(w.Who, u.DisplayName)
			}
		}
		if limit := s.Flow.Limits[w.Stage]; limit > 0 {
			w.DueAt = w.Since.Add(limit)
			w.Overdue = now.After(w.DueAt)
		}
		out = append(out, w)
	}
	return out, nil
}

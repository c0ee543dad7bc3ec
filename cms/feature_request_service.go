package cms

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// FeatureRequestService is the use case of 第十六条: departments suggest,
// 信息科 collects, the leaders decide, 信息科 records what was done.
type FeatureRequestService struct {
	Store      FeatureRequestStore
	Users      UserStore // names submitters and the actors of the history
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
}

func (s *FeatureRequestService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// Limits of a request's text.
const (
	featureTitleMax   = 200
	featureTextMax    = 5000
	featureCommentMax = 2000
)

// Access says what p may do with feature requests.
func (s *FeatureRequestService) Access(ctx context.Context, p *Principal) (FeatureAccess, error) {
	var a FeatureAccess
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return a, err
	}
	var err error
	if a.Submit, err = s.Authorizer.Departments(ctx, p.User, ActFeatureSubmit); err != nil {
		return a, err
	}
	if a.Decide, err = s.Authorizer.Departments(ctx, p.User, ActFeatureDecide); err != nil {
		return a, err
	}
	if a.Collect, err = s.Authorizer.Allowed(ctx, p.User, ActFeatureCollect, Resource{}); err != nil {
		return a, err
	}
	read, err := s.Authorizer.Allowed(ctx, p.User, ActFeatureRead, Resource{})
	a.Read = read || a.Collect || len(a.Submit) > 0 || len(a.Decide) > 0
	return a, err
}

// Submit records a department's suggestion. The department is the
// caller's when they submit for one only; otherwise r.Department says which.
func (s *FeatureRequestService) Submit(ctx context.Context, p *Principal, r FeatureRequest) (*FeatureRequest, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	if r.Department == "" {
		depts, err := s.Authorizer.Departments(ctx, p.User, ActFeatureSubmit)
		if err != nil {
			return nil, err
		}
		switch len(depts) {
		case 0:
			if err := s.guard().write(ctx, p, ActFeatureSubmit, Resource{Department: p.User.Department}, "feature_request:new"); err != nil {
				return nil, err
			}
			return nil, Errorf(EFORBIDDEN, "you submit feature requests for no department")
		case 1:
			r.Department = depts[0]
		default:
			return nil, Invalid("say which department suggests it",
				FieldError{Field: "department", Message: "is required: you act for " + strings.Join(depts, ", ")})
		}
	}
	if err := s.guard().write(ctx, p, ActFeatureSubmit, Resource{Department: r.Department}, "feature_request:new"); err != nil {
		return nil, err
	}
	r.Title, r.Description = strings.TrimSpace(r.Title), strings.TrimSpace(r.Description)
	var fe FieldErrors
	if r.Channel != FeatureChannelApp && r.Channel != FeatureChannelWeChat && r.Channel != FeatureChannelBoth {
		fe.Add("channel", "must be app, wechat or both")
	}
	if r.Title == "" || utf8.RuneCountInString(r.Title) > featureTitleMax {
		fe.Add("title", "is required, at most %d characters", featureTitleMax)
	}
	if r.Description == "" || utf8.RuneCountInString(r.Description) > featureTextMax {
		fe.Add("description", "say what should be added or changed, and why, in at most %d characters", featureTextMax)
	}
	if err := fe.Err("invalid feature request"); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	r.ID, r.State, r.SubmittedBy, r.SubmittedAt, r.UpdatedAt = 0, FeatureSubmitted, p.User.ID, now, now
	r.DecidedBy, r.DoneBy, r.History = 0, 0, nil
	note := &FeatureNote{Kind: NoteSubmitted, ActorID: p.User.ID, At: now}
	audit := NewAuditEntry(now, p.User.ID, AuditFeatureSubmitted, "feature_request:new", featureDetail(&r, "", ""))
	if err := s.Store.CreateFeatureRequest(ctx, &r, note, audit); err != nil {
		return nil, err
	}
	r.History = []FeatureNote{*note}
	return s.named(ctx, &r)
}

// Comment adds 信息科's, the leaders' or the department's comment to a
// request still open (submitted or approved).
func (s *FeatureRequestService) Comment(ctx context.Context, p *Principal, id int64, comment string) (*FeatureRequest, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.mayComment(ctx, p, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := s.guard().write(ctx, p, ActFeatureCollect, Resource{Department: r.Department}, featureSubject(id)); err != nil {
			return nil, err
		}
		return nil, Errorf(EFORBIDDEN, "you may not comment on the feature requests of department %s", r.Department)
	}
	comment = strings.TrimSpace(comment)
	if comment == "" || utf8.RuneCountInString(comment) > featureCommentMax {
		return nil, Invalid("invalid comment", FieldError{Field: "comment", Message: "is required, at most 2000 characters"})
	}
	if r.State != FeatureSubmitted && r.State != FeatureApproved {
		return nil, Errorf(ETRANSITION, "the request is %s: it takes no more comments", r.State)
	}
	return s.record(ctx, p, r, r.State, NoteComment, AuditFeatureCommented, comment)
}

// Decide approves or refuses a submitted request: the leader in charge of
// its department, or the director; never its submitter. A refusal needs a
// comment.
func (s *FeatureRequestService) Decide(ctx context.Context, p *Principal, id int64, approve bool, comment string) (*FeatureRequest, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.guard().write(ctx, p, ActFeatureDecide, Resource{Department: r.Department}, featureSubject(id)); err != nil {
		return nil, err
	}
	if r.SubmittedBy == p.User.ID {
		return nil, Errorf(EFORBIDDEN, "you submitted this request; another leader or the director decides on it")
	}
	comment = strings.TrimSpace(comment)
	switch {
	case !approve && comment == "":
		return nil, Invalid("a refusal needs a reason", FieldError{Field: "comment", Message: "say why (the department reads it)"})
	case utf8.RuneCountInString(comment) > featureCommentMax:
		return nil, Invalid("comment too long", FieldError{Field: "comment", Message: "must be at most 2000 characters"})
	case r.State != FeatureSubmitted:
		return nil, Errorf(ETRANSITION, "the request was already %s; only a submitted request is approved or refused", r.State)
	}
	r.DecidedBy, r.DecidedAt = p.User.ID, s.Clock.Now()
	if approve {
		r.State = FeatureApproved
		return s.record(ctx, p, r, FeatureSubmitted, NoteApproved, AuditFeatureApproved, comment)
	}
	r.State = FeatureRefused
	return s.record(ctx, p, r, FeatureSubmitted, NoteRefused, AuditFeatureRefused, comment)
}

// Done records that an approved request was carried out by the software
// developer (信息科, 交软件开发单位修改完善).
func (s *FeatureRequestService) Done(ctx context.Context, p *Principal, id int64, comment string) (*FeatureRequest, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.guard().write(ctx, p, ActFeatureCollect, Resource{Department: r.Department}, featureSubject(id)); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > featureCommentMax {
		return nil, Invalid("comment too long", FieldError{Field: "comment", Message: "must be at most 2000 characters"})
	}
	if r.State != FeatureApproved {
		return nil, Errorf(ETRANSITION, "the request is %s; only an approved request is recorded done", r.State)
	}
	r.State, r.DoneBy, r.DoneAt = FeatureDone, p.User.ID, s.Clock.Now()
	return s.record(ctx, p, r, FeatureApproved, NoteDone, AuditFeatureDone, comment)
}

// Request returns one request with its history, for those who may read it.
func (s *FeatureRequestService) Request(ctx context.Context, p *Principal, id int64) (*FeatureRequest, error) {
	r, err := s.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.named(ctx, r)
}

// Requests lists the requests p may read, newest first, in f.State and
// f.Department when set.
func (s *FeatureRequestService) Requests(ctx context.Context, p *Principal, f FeatureFilter) ([]FeatureRequest, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	if f.State != "" && !slices.Contains(FeatureStates, f.State) {
		return nil, Invalid("invalid state", FieldError{Field: "state", Message: "must be submitted, approved, refused or done"})
	}
	all := map[string]bool{}
	for _, act := range featureReaders {
		depts, err := s.Authorizer.Departments(ctx, p.User, act)
		if err != nil {
			return nil, err
		}
		for _, d := range depts {
			all[d] = true
		}
	}
	if len(all) == 0 {
		return nil, Errorf(EFORBIDDEN, "you may not read feature requests")
	}
	f.Departments = f.Departments[:0]
	for d := range all {
		f.Departments = append(f.Departments, d)
	}
	slices.Sort(f.Departments)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rs, err := s.Store.FeatureRequests(ctx, f)
	if err != nil {
		return nil, err
	}
	names := nameCache{users: s.Users}
	for i := range rs {
		if rs[i].SubmittedByName, err = names.name(ctx, rs[i].SubmittedBy); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// Actions says which of comment, decide and done p may do on r now, as
// Comment, Decide and Done would decide, for forms.
func (s *FeatureRequestService) Actions(ctx context.Context, p *Principal, r *FeatureRequest) (comment, decide, done bool, err error) {
	open := r.State == FeatureSubmitted || r.State == FeatureApproved
	if comment, err = s.mayComment(ctx, p, r); err != nil {
		return false, false, false, err
	}
	comment = comment && open
	if r.State == FeatureSubmitted && r.SubmittedBy != p.User.ID {
		if decide, err = s.Authorizer.Allowed(ctx, p.User, ActFeatureDecide, Resource{Department: r.Department}); err != nil {
			return false, false, false, err
		}
	}
	if r.State == FeatureApproved {
		done, err = s.Authorizer.Allowed(ctx, p.User, ActFeatureCollect, Resource{Department: r.Department})
	}
	return comment, decide, done, err
}

// load returns a request p may read.
func (s *FeatureRequestService) load(ctx context.Context, p *Principal, id int64) (*FeatureRequest, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	r, err := s.Store.FeatureRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, act := range featureReaders {
		ok, err := s.Authorizer.Allowed(ctx, p.User, act, Resource{Department: r.Department})
		if err != nil || ok {
			return r, err
		}
	}
	return nil, Errorf(EFORBIDDEN, "you may not read the feature requests of department %s", r.Department)
}

// mayComment: 信息科 collects, the deciding leaders and the department's
// own staff discuss; auditors only read.
func (s *FeatureRequestService) mayComment(ctx context.Context, p *Principal, r *FeatureRequest) (bool, error) {
	for _, act := range []Action{ActFeatureCollect, ActFeatureDecide, ActFeatureSubmit} {
		ok, err := s.Authorizer.Allowed(ctx, p.User, act, Resource{Department: r.Department})
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// record stores r's new state (from the state it was read in) with the
// history entry and its audit entry.
func (s *FeatureRequestService) record(ctx context.Context, p *Principal, r *FeatureRequest, from, kind, action, comment string) (*FeatureRequest, error) {
	now := s.Clock.Now()
	note := &FeatureNote{RequestID: r.ID, Kind: kind, ActorID: p.User.ID, Comment: comment, At: now}
	r.UpdatedAt = now
	audit := NewAuditEntry(now, p.User.ID, action, featureSubject(r.ID), featureDetail(r, from, comment))
	if err := s.Store.RecordFeatureNote(ctx, r, from, note, audit); err != nil {
		return nil, err
	}
	r.History = append(r.History, *note)
	return s.named(ctx, r)
}

// named fills in the names of the submitter and of the history's actors.
func (s *FeatureRequestService) named(ctx context.Context, r *FeatureRequest) (*FeatureRequest, error) {
	names := nameCache{users: s.Users}
	var err error
	if r.SubmittedByName, err = names.name(ctx, r.SubmittedBy); err != nil {
		return nil, err
	}
	for i := range r.History {
		if r.History[i].ActorName, err = names.name(ctx, r.History[i].ActorID); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// nameCache names users by id, reading each once.
type nameCache struct {
	users UserStore
	names map[int64]string
}

func (c *nameCache) name(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if n, ok := c.names[id]; ok {
		return n, nil
	}
	u, err := c.users.UserByID(ctx, id)
	if err != nil {
		return "", err
	}
	if c.names == nil {
		c.names = map[int64]string{}
	}
	c.names[id] = u.DisplayName
	if u.DisplayName == "" {
		c.names[id] = u.Username
	}
	return c.names[id], nil
}

func featureSubject(id int64) string { return "feature_request:" + itoa64(id) }

// featureDetail is the audit detail of a request's change: what the
// notifications need (the department, the title, the submitter) and the
// states.
func featureDetail(r *FeatureRequest, from, comment string) map[string]any {
	return map[string]any{"request_id": r.ID, "department": r.Department, "channel": r.Channel, "title": r.Title,
		"description": clip(r.Description, 500), "submitted_by": r.SubmittedBy, "from": from, "to": r.State, "comment": comment}
}

package cms

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// ActAuditRead lets auditors read the audit log and verify its chain.
const ActAuditRead Action = "audit.read"

// AuditFilter selects audit entries for a reader; Before and Limit page
// them newest first (by sequence number).
type AuditFilter struct {
	// ActorID keeps the entries of one user when HasActor is set (0: the
	// system and anonymous callers).
	ActorID  int64
	HasActor bool
	Action   string
	Subject  string
	From, To time.Time // [From, To); zero: open
	Before   int64
	Limit    int
}

// AuditQuery is what a reader asks for: entries by a user (a username),
// of an action, about a subject (exactly, e.g. "revision:42"), in a period.
type AuditQuery struct {
	Actor    string
	Action   string
	Subject  string
	From, To time.Time
}

// AuditService lets auditors read the audit log, filtered and paged, and
// verify its chain against the key and the anchors kept outside the
// database, as `cms audit verify` does.
type AuditService struct {
	Log        AuditReader
	Users      UserStore
	Authorizer Authorizer
	// Keys, KeyStore and Anchors are what the verification checks the
	// chain against: the key file, the key epoch the database records and
	// the anchor file. Keys may be nil (the chain's hashes are checked only).
	Keys     *Keys
	KeyStore KeyStore
	Anchors  AnchorLog
}

// Entries lists the entries q selects, newest first, with the cursor of
// the next page and the users who made them. An unknown username selects
// nothing.
func (s *AuditService) Entries(ctx context.Context, p *Principal, q AuditQuery, cursor string, limit int) ([]AuditEntry, string, map[int64]*User, error) {
	if err := authorize(ctx, s.Authorizer, p, ActAuditRead, Resource{}); err != nil {
		return nil, "", nil, err
	}
	f, err := s.filter(q, cursor, limit)
	if err != nil {
		return nil, "", nil, err
	}
	if q.Actor != "" {
		u, _, err := s.Users.UserByUsername(ctx, q.Actor)
		switch ErrorCode(err) {
		case "":
			f.ActorID, f.HasActor = u.ID, true
		case ENOTFOUND:
			return []AuditEntry{}, "", map[int64]*User{}, nil
		default:
			return nil, "", nil, err
		}
	}
	limit = f.Limit
	f.Limit++
	es, err := s.Log.SearchAudit(ctx, f)
	if err != nil {
		return nil, "", nil, err
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		next = EncodeCursor(es[limit-1].Seq)
	}
	users := map[int64]*User{}
	for _, e := range es {
		if e.ActorID == 0 || users[e.ActorID] != nil {
			continue
		}
		u, err := s.Users.UserByID(ctx, e.ActorID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, "", nil, err
		}
		users[e.ActorID] = u
	}
	return es, next, users, nil
}

// filter checks a query and turns it into a store filter.
func (s *AuditService) filter(q AuditQuery, cursor string, limit int) (AuditFilter, error) {
	var fe FieldErrors
	q.Actor, q.Action, q.Subject = strings.TrimSpace(q.Actor), strings.TrimSpace(q.Action), strings.TrimSpace(q.Subject)
	if utf8.RuneCountInString(q.Actor) > 63 {
		fe.Add("actor", "must be at most 63 characters")
	}
	if utf8.RuneCountInString(q.Action) > 64 {
		fe.Add("action", "must be at most 64 characters")
	}
	if utf8.RuneCountInString(q.Subject) > 200 {
		fe.Add("subject", "must be at most 200 characters")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		fe.Add("to", "must be after from")
	}
	if limit == 0 {
		limit = ListDefault
	}
	if limit < 1 || limit > ListMaxLimit {
		fe.Add("limit", "must be between 1 and %d", ListMaxLimit)
	}
	before, err := DecodeCursor("cursor", cursor)
	if err != nil {
		return AuditFilter{}, err
	}
	if err := fe.Err("invalid filter"); err != nil {
		return AuditFilter{}, err
	}
	return AuditFilter{Action: q.Action, Subject: q.Subject, From: q.From, To: q.To, Before: before, Limit: limit}, nil
}

// Verify walks the whole chain and checks it against the key, the epoch
// and the anchors (VerifyAuditChain). It reads and changes nothing else.
func (s *AuditService) Verify(ctx context.Context, p *Principal) (*AuditReport, error) {
	if err := authorize(ctx, s.Authorizer, p, ActAuditRead, Resource{}); err != nil {
		return nil, err
	}
	check := AuditCheck{Keys: s.Keys}
	var err error
	if s.KeyStore != nil {
		if check.Epoch, err = s.KeyStore.AuditEpoch(ctx); err != nil {
			return nil, err
		}
	}
	if s.Anchors != nil {
		if check.Anchors, err = s.Anchors.Anchors(); err != nil {
			return nil, err
		}
	}
	return VerifyAuditChain(ctx, s.Log, check)
}

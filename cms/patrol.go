package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"
)

// PatrolProblem is something the integrity patrol found wrong.
type PatrolProblem struct {
	ItemID     int64
	RevisionID int64
	Kind       string // content, attachment or missing_attachment
	Detail     string
	Suspended  bool
}

// PatrolReport records one patrol: what was checked, when, and what was found.
type PatrolReport struct {
	ID          int64
	StartedAt   time.Time
	FinishedAt  time.Time
	ActorID     int64 // 0: the scheduled patrol
	Revisions   int   // live revisions re-hashed
	Attachments int   // files re-hashed
	Problems    []PatrolProblem
}

// PatrolStore lists what is live and keeps patrol reports.
type PatrolStore interface {
	// LiveRevisions calls fn with the id of every published revision.
	LiveRevisions(ctx context.Context, fn func(revisionID int64) error) error
	SavePatrol(ctx context.Context, r *PatrolReport, audit AuditEntry) error
	Patrols(ctx context.Context, limit int) ([]PatrolReport, error)
}

// Audit action of the patrol.
const AuditPatrol = "patrol"

// ActPatrol lets publishers run the patrol and read its reports.
const ActPatrol Action = "patrol.run"

// PatrolService is the daily integrity patrol (日常巡查): it re-hashes every
// live revision and its files against the hash recorded at approval, and
// suspends at once what no longer matches (seed rule 第十八条).
//
// The HTML clients are served (PublicItem.BodyHTML and Fields) is not
// re-hashed: it is derived data, rendered from the live revision
// (PublicItem.RenderedRevisionID) when it went live, after the publish
// guard checked that revision's hash, and it is never edited afterwards.
// Checking the revision checks the source of that HTML; a suspension
// removes it from the projection with the revision.
type PatrolService struct {
	Patrols    PatrolStore
	Items      ItemStore
	Blobs      BlobStore
	Workflow   *WorkflowService
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
}

// Run patrols for a publisher who asked for it.
func (s *PatrolService) Run(ctx context.Context, p *Principal) (*PatrolReport, error) {
	if err := (guard{s.Authorizer, s.Audit, s.Clock}).write(ctx, p, ActPatrol, Resource{}, "patrol"); err != nil {
		return nil, err
	}
	return s.run(ctx, p.User.ID)
}

// RunScheduled patrols as the system.
func (s *PatrolService) RunScheduled(ctx context.Context) (*PatrolReport, error) {
	return s.run(ctx, 0)
}

// Reports lists recent patrol reports, newest first.
func (s *PatrolService) Reports(ctx context.Context, p *Principal, limit int) ([]PatrolReport, error) {
	if err := authorize(ctx, s.Authorizer, p, ActPatrol, Resource{}); err != nil {
		return nil, err
	}
	limit, err := checkLimit(limit)
	if err != nil {
		return nil, err
	}
	return s.Patrols.Patrols(ctx, limit)
}

func (s *PatrolService) run(ctx context.Context, actorID int64) (*PatrolReport, error) {
	r := &PatrolReport{StartedAt: s.Clock.Now(), ActorID: actorID}
	var revs []int64
	if err := s.Patrols.LiveRevisions(ctx, func(id int64) error { revs = append(revs, id); return nil }); err != nil {
		return nil, err
	}
	for _, id := range revs {
		if err := s.check(ctx, r, id); err != nil {
			return nil, err
		}
	}
	r.FinishedAt = s.Clock.Now()
	detail := map[string]any{"revisions": r.Revisions, "attachments": r.Attachments, "problems": len(r.Problems)}
	if err := s.Patrols.SavePatrol(ctx, r, NewAuditEntry(r.FinishedAt, actorID, AuditPatrol, "patrol", detail)); err != nil {
		return nil, err
	}
	return r, nil
}

// check re-hashes one live revision and its files; a mismatch suspends it.
func (s *PatrolService) check(ctx context.Context, r *PatrolReport, revID int64) error {
	rev, err := s.Items.Revision(ctx, revID)
	if ErrorCode(err) == ENOTFOUND {
		return nil // gone meanwhile
	}
	if err != nil {
		return err
	}
	r.Revisions++
	var found []PatrolProblem
	if h := rev.Hash(); h != rev.ApprovedHash {
		found = append(found, PatrolProblem{Kind: "content", Detail: "content hash " + h[:12] + "… differs from the approved " + short(rev.ApprovedHash)})
	}
	for _, a := range rev.Attachments {
		r.Attachments++
		if p := s.checkBlob(ctx, a); p != nil {
			found = append(found, *p)
		}
	}
	if len(found) == 0 {
		return nil
	}
	reason := "integrity patrol: " + found[0].Detail
	err = s.Workflow.FireSystemWithComment(ctx, rev.ID, EventSuspend, reason)
	suspended := err == nil
	if err != nil && ErrorCode(err) != ECONFLICT && ErrorCode(err) != ETRANSITION {
		return err
	}
	for i := range found {
		found[i].ItemID, found[i].RevisionID, found[i].Suspended = rev.ItemID, rev.ID, suspended
	}
	r.Problems = append(r.Problems, found...)
	return nil
}

func (s *PatrolService) checkBlob(ctx context.Context, a Attachment) *PatrolProblem {
	b, err := s.Blobs.Open(ctx, a.Key)
	if err != nil {
		return &PatrolProblem{Kind: "missing_attachment", Detail: "file " + a.Name + " cannot be read: " + err.Error()}
	}
	defer b.Close()
	h := sha256.New()
	if _, err := io.Copy(h, b); err != nil {
		return &PatrolProblem{Kind: "missing_attachment", Detail: "file " + a.Name + " cannot be read: " + err.Error()}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.Key {
		return &PatrolProblem{Kind: "attachment", Detail: "file " + a.Name + " was altered (sha256 " + got[:12] + "…)"}
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}

package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"
)

// PatrolService is the integrity patrol (日常巡查), run every hour and on
// demand. It checks every row the content API serves from: each row of the
// public projection against its MAC (with its HTML, fields and search
// text), the live revision each names against the approved hash the sealed
// row carries, that revision's files against their SHA-256, every live
// revision the projection lost, and every menu entry, channel and column
// against its MAC. What fails is taken offline at once (seed rule 第十八条)
// and recorded as an incident. Each run ends by anchoring the audit
// chain's head outside the database.
type PatrolService struct {
	Patrols    PatrolStore
	Items      ItemStore
	Content    ContentStore
	Structure  StructureStore
	Blobs      BlobStore
	Integrity  *IntegrityService
	Authorizer Authorizer
	Audit      AuditLog
	Anchors    AnchorLog
	Clock      Clock
	// Metrics counts the runs and what they found (nil: nothing).
	Metrics Metrics
}

// Run patrols for a publisher who asked for it.
func (s *PatrolService) Run(ctx context.Context, p *Principal) (*PatrolReport, error) {
	if err := (guard{s.Authorizer, s.Audit, s.Clock}).write(ctx, p, ActPatrol, Resource{}, "patrol"); err != nil {
		return nil, err
	}
	return s.run(ctx, p.User.ID, TriggerRequest)
}

// RunScheduled patrols as the system.
func (s *PatrolService) RunScheduled(ctx context.Context) (*PatrolReport, error) {
	return s.run(ctx, 0, TriggerSchedule)
}

// recentReports is how many of the latest reports Due looks through for a
// complete patrol (the others record incidents found on a cache fill).
const recentReports = 50

// Due says how long the scheduled patrol may wait before its next run
// when a process starts, so that a restart does not patrol everything
// again: what is left of interval since the latest complete patrol (a
// scheduled or requested one, by any process), zero when none finished
// within it. A report time in the future counts as none, so a row
// written behind the server's back defers the patrol by no more than one
// interval, which the schedule allows anyway; every cache fill is checked
// against its seal regardless.
func (s *PatrolService) Due(ctx context.Context, interval time.Duration) (time.Duration, *PatrolReport, error) {
	reports, err := s.Patrols.Patrols(ctx, recentReports)
	if err != nil {
		return 0, nil, err
	}
	now := s.Clock.Now()
	for i := range reports {
		r := &reports[i]
		if r.Trigger == TriggerRead {
			continue
		}
		since := now.Sub(r.FinishedAt)
		if since < 0 || since >= interval {
			return 0, r, nil
		}
		return interval - since, r, nil
	}
	return 0, nil, nil
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

// run patrols and counts the run.
func (s *PatrolService) run(ctx context.Context, actorID int64, trigger string) (*PatrolReport, error) {
	r, err := s.patrol(ctx, actorID, trigger)
	var problems []PatrolProblem
	if r != nil {
		problems = r.Problems
	}
	metricsOf(s.Metrics).Patrol(trigger, problems, err != nil)
	return r, err
}

func (s *PatrolService) patrol(ctx context.Context, actorID int64, trigger string) (*PatrolReport, error) {
	r := &PatrolReport{StartedAt: s.Clock.Now(), ActorID: actorID, Trigger: trigger}
	seen := map[int64]bool{} // live revisions checked through their rows
	for after := int64(0); ; {
		page, err := s.Patrols.ProjectionRows(ctx, after, patrolBatch)
		if err != nil {
			return nil, err
		}
		for i := range page {
			after = page[i].ItemID
			r.PublicRows++
			if err := s.checkRow(ctx, r, &page[i], seen); err != nil {
				return nil, err
			}
		}
		if len(page) < patrolBatch {
			break
		}
	}
	var lost []int64
	if err := s.Patrols.LiveRevisions(ctx, func(id int64) error {
		if !seen[id] {
			lost = append(lost, id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, id := range lost {
		if err := s.checkUnprojected(ctx, r, id); err != nil {
			return nil, err
		}
	}
	probs, n, err := s.Integrity.CheckStructure(ctx, s.Structure, trigger)
	if err != nil {
		return nil, err
	}
	r.Structure, r.Problems = n, append(r.Problems, probs...)
	r.FinishedAt = s.Clock.Now()
	detail := map[string]any{"revisions": r.Revisions, "attachments": r.Attachments, "public_rows": r.PublicRows,
		"structure_rows": r.Structure, "problems": len(r.Problems), "trigger": trigger}
	if err := s.Patrols.SavePatrol(ctx, r, NewAuditEntry(r.FinishedAt, actorID, AuditPatrol, "patrol", detail)); err != nil {
		return nil, err
	}
	a, err := AnchorAudit(ctx, s.Audit, s.Integrity.Keys, s.Anchors, AnchorPeriodic, r.FinishedAt)
	if err != nil {
		return r, err
	}
	r.Anchor = &a
	return r, nil
}

// checkRow checks one projection row, the live revision it names and its
// files; what fails takes the item offline.
func (s *PatrolService) checkRow(ctx context.Context, r *PatrolReport, p *PublicItem, seen map[int64]bool) error {
	var found []PatrolProblem
	var rev *Revision
	if reason := s.Integrity.Keys.checkPublicItem(p, checkAll); reason != "" {
		found = append(found, PatrolProblem{Kind: "projection", Detail: reason})
	} else {
		var err error
		rev, err = s.Items.Revision(ctx, p.RevisionID)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			found = append(found, PatrolProblem{Kind: "projection", Detail: "the public row names a revision that does not exist"})
		case err != nil:
			return err
		default:
			seen[rev.ID] = true
			r.Revisions++
			if m := revisionMismatch(p, rev, true); m != "" {
				found = append(found, PatrolProblem{Kind: "content", Detail: m})
			}
			found = append(found, s.checkFiles(ctx, r, rev)...)
		}
	}
	if len(found) == 0 {
		return s.refreshDocuments(ctx, p)
	}
	var seenRev *Revision
	if found[0].Kind != "projection" {
		seenRev = rev
	}
	prob, err := s.Integrity.ItemTampered(ctx, p, found[0].Kind, found[0].Detail, r.Trigger, seenRev)
	if err != nil {
		return err
	}
	for i := range found {
		found[i].ItemID, found[i].RevisionID, found[i].Subject, found[i].Suspended = prob.ItemID, prob.RevisionID, prob.Subject, prob.Suspended
	}
	r.Problems = append(r.Problems, found...)
	return nil
}

// refreshDocuments stores the documents of a row that passed its checks
// again, from the row and its intact live revision, when they are missing
// or do not match their MACs. They are derived data, never served
// unchecked (a read falls back to the checked row): a server of an older
// version publishing a revision leaves the previous revision's documents
// behind, and someone who edits them in the database achieves no more.
func (s *PatrolService) refreshDocuments(ctx context.Context, p *PublicItem) error {
	k, flow := s.Integrity.Keys, s.Integrity.Workflow
	if _, ok := k.checkDoc(p); ok && k.checkEntry(p) || flow == nil {
		return nil
	}
	ok, err := flow.encodeDocuments(ctx, p)
	if err != nil || !ok {
		return err
	}
	_, err = flow.Flow.SaveDocuments(ctx, []PublicItem{*p})
	return err
}

// checkFiles re-hashes a revision's files. Only evidence counts against
// them: a file the store says it does not have, or whose bytes differ. A
// file the store cannot serve now (down, timing out, failing) is recorded
// as unchecked, which takes nothing offline.
func (s *PatrolService) checkFiles(ctx context.Context, r *PatrolReport, rev *Revision) []PatrolProblem {
	var found []PatrolProblem
	for _, a := range rev.Attachments {
		r.Attachments++
		if p := s.checkBlob(ctx, a); p != nil && p.Kind == KindUnchecked {
			r.Problems = append(r.Problems, PatrolProblem{ItemID: rev.ItemID, RevisionID: rev.ID,
				Subject: "item:" + itoa64(rev.ItemID), Kind: p.Kind, Detail: p.Detail})
		} else if p != nil {
			found = append(found, *p)
		}
	}
	return found
}

// checkUnprojected checks a live revision the projection has no row for:
// its content against its approved hash and its files; intact, it is
// reported (clients do not see it), tampered, it is suspended.
func (s *PatrolService) checkUnprojected(ctx context.Context, r *PatrolReport, revID int64) error {
	rev, err := s.Items.Revision(ctx, revID)
	if ErrorCode(err) == ENOTFOUND {
		return nil // gone meanwhile
	}
	if err != nil {
		return err
	}
	if p, err := s.Content.PublicItem(ctx, rev.ItemID); err == nil && p.RevisionID == rev.ID {
		return nil // published meanwhile
	}
	if rev.State != StatePublished {
		return nil
	}
	r.Revisions++
	var found []PatrolProblem
	if h := rev.Hash(); h != rev.ApprovedHash {
		found = append(found, PatrolProblem{Kind: "content", Detail: "content hash " + short(h) + " differs from the approved " + short(rev.ApprovedHash)})
	}
	found = append(found, s.checkFiles(ctx, r, rev)...)
	p := &PublicItem{ItemID: rev.ItemID, RevisionID: rev.ID}
	if len(found) == 0 {
		prob, err := s.Integrity.Unprojected(ctx, rev, r.Trigger)
		if err != nil {
			return err
		}
		r.Problems = append(r.Problems, prob)
		return nil
	}
	prob, err := s.Integrity.ItemTampered(ctx, p, found[0].Kind, found[0].Detail, r.Trigger, rev)
	if err != nil {
		return err
	}
	for i := range found {
		found[i].ItemID, found[i].RevisionID, found[i].Subject, found[i].Suspended = prob.ItemID, prob.RevisionID, prob.Subject, prob.Suspended
	}
	r.Problems = append(r.Problems, found...)
	return nil
}

// KindUnchecked is the kind of a patrol problem that is not a finding: a
// file the store could not serve, so that it could not be checked.
const KindUnchecked = "unchecked_attachment"

func (s *PatrolService) checkBlob(ctx context.Context, a Attachment) *PatrolProblem {
	b, err := s.Blobs.Open(ctx, a.Key)
	if ErrorCode(err) == ENOTFOUND {
		return &PatrolProblem{Kind: "missing_attachment", Detail: "file " + a.Name + " is missing from the file store"}
	}
	if err != nil {
		return &PatrolProblem{Kind: KindUnchecked, Detail: "file " + a.Name + " could not be checked: " + messageOf(err)}
	}
	defer b.Close()
	h := sha256.New()
	if _, err := io.Copy(h, b); err != nil {
		return &PatrolProblem{Kind: KindUnchecked, Detail: "file " + a.Name + " could not be checked: " + messageOf(err)}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.Key {
		return &PatrolProblem{Kind: "attachment", Detail: "file " + a.Name + " was altered (sha256 " + got[:12] + "…)"}
	}
	return nil
}

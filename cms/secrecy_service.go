package cms

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// FindingRecord is a stored finding of the secrecy scan of a revision.
type FindingRecord struct {
	ID         int64
	RevisionID int64
	Finding
	FoundAt        time.Time
	Rescan         bool  // found by the re-scan of released content after the sensitive words changed
	AcknowledgedBy int64 // 0: not acknowledged
	AckReason      string
	AcknowledgedAt time.Time
}

// Open reports whether the finding still stops the secrecy reviewer's clear.
func (f *FindingRecord) Open() bool {
	return f.Severity == SeverityBlocking && f.AcknowledgedBy == 0
}

// Pending reports whether a secrecy reviewer has yet to look at the
// finding: nobody acknowledged it, and it is blocking or a re-scan reported
// it (a warning found in released content was never shown to a reviewer).
func (f *FindingRecord) Pending() bool {
	return f.AcknowledgedBy == 0 && (f.Severity == SeverityBlocking || f.Rescan)
}

// Actions of the secrecy review.
const (
	ActFindingAck      Action = "finding.acknowledge"
	ActFindingRead     Action = "finding.read" // the findings of released content, across items
	ActSensitiveWords  Action = "sensitive_words.manage"
	AuditFindingAck           = "finding_acknowledged"
	AuditSensitiveWord        = "sensitive_words_changed"
	// AuditSecrecyRescan records a re-scan after the sensitive words changed:
	// how many revisions it read, how many new findings it stored and in
	// which revisions. It is the event to notify secrecy reviewers on.
	AuditSecrecyRescan = "secrecy_rescan"
)

// SecrecyService shows the scanner's findings to reviewers, lets secrecy
// reviewers acknowledge blocking ones with a reason, and lets the admin keep
// the sensitive-word list, re-scanning released content when it changes.
type SecrecyService struct {
	Secrecy    SecrecyStore
	Items      ItemStore
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Renderer   Renderer // renders bodies for the re-scan, as the workflow's scan does
}

func (s *SecrecyService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// Findings lists a revision's findings for anyone who may read it.
func (s *SecrecyService) Findings(ctx context.Context, p *Principal, revID int64) ([]FindingRecord, error) {
	if _, _, err := readRevision(ctx, s.Items, s.Authorizer, p, revID); err != nil {
		return nil, err
	}
	return s.Secrecy.Findings(ctx, revID)
}

// Acknowledge records a secrecy reviewer's reasoned decision that a
// blocking finding may be published (e.g. the number is a public hotline).
func (s *SecrecyService) Acknowledge(ctx context.Context, p *Principal, revID, findingID int64, reason string) (*FindingRecord, error) {
	rev, err := s.Items.Revision(ctx, revID)
	if err != nil {
		return nil, err
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, err
	}
	if err := s.guard().write(ctx, p, ActFindingAck, Resource{Department: it.Department, Column: it.Column}, revisionSubject(revID)); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 1000 {
		return nil, Invalid("a reason is required", FieldError{Field: "reason", Message: "say why it may be published (1-1000 characters)"})
	}
	all, err := s.Secrecy.Findings(ctx, revID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		f := &all[i]
		if f.ID != findingID {
			continue
		}
		// A re-scan reports findings in content that has passed the
		// review; those are acknowledged whatever the revision's state.
		if rev.State != StateSecrecyReview && !f.Rescan {
			return nil, Errorf(ECONFLICT, "findings are acknowledged during the secrecy review; this revision is %s", rev.State)
		}
		if f.AcknowledgedBy != 0 {
			return nil, Errorf(ECONFLICT, "the finding was already acknowledged")
		}
		f.AcknowledgedBy, f.AckReason, f.AcknowledgedAt = p.User.ID, reason, s.Clock.Now()
		audit := NewAuditEntry(f.AcknowledgedAt, p.User.ID, AuditFindingAck, revisionSubject(revID),
			map[string]any{"finding_id": f.ID, "kind": f.Kind, "field": f.Field, "excerpt": f.Excerpt, "reason": reason,
				"rescan": f.Rescan, "state": string(rev.State)})
		if err := s.Secrecy.AcknowledgeFinding(ctx, f, audit); err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, Errorf(ENOTFOUND, "the revision has no finding %d", findingID)
}

// SensitiveWords returns the list for those who manage it or review secrecy.
func (s *SecrecyService) SensitiveWords(ctx context.Context, p *Principal) ([]SensitiveWord, error) {
	if err := authorize(ctx, s.Authorizer, p, ActSensitiveWords, Resource{}); err != nil {
		return nil, err
	}
	return s.Secrecy.SensitiveWords(ctx)
}

// SetSensitiveWords replaces the list and re-scans released content with
// it (seed rule 第二十条, periodic checks); see Rescan.
func (s *SecrecyService) SetSensitiveWords(ctx context.Context, p *Principal, words []SensitiveWord) ([]SensitiveWord, error) {
	if err := s.guard().write(ctx, p, ActSensitiveWords, Resource{}, "sensitive_words"); err != nil {
		return nil, err
	}
	var fe FieldErrors
	seen := map[string]bool{}
	var out []SensitiveWord
	for i, w := range words {
		w.Word = strings.TrimSpace(w.Word)
		switch {
		case w.Word == "" || utf8.RuneCountInString(w.Word) > 50:
			fe.Add(fieldIndex("words", i, "word"), "must be 1-50 characters")
		case w.Severity != SeverityBlocking && w.Severity != SeverityWarning:
			fe.Add(fieldIndex("words", i, "severity"), "must be blocking or warning")
		case seen[strings.ToLower(w.Word)]:
			fe.Add(fieldIndex("words", i, "word"), "is repeated")
		default:
			seen[strings.ToLower(w.Word)] = true
			out = append(out, w)
		}
	}
	if len(words) > 5000 {
		fe.Add("words", "at most 5000 words")
	}
	if err := fe.Err("invalid word list"); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	rescan, err := s.rescan(ctx, p, out, now)
	if err != nil {
		return nil, err
	}
	audit := NewAuditEntry(now, p.User.ID, AuditSensitiveWord, "sensitive_words", map[string]any{"count": len(out)})
	if err := s.Secrecy.SetSensitiveWords(ctx, out, audit, rescan); err != nil {
		return nil, err
	}
	return out, nil
}

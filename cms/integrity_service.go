package cms

import (
	"context"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// AuditTamperDetected records a row the content API serves from that no
// longer matched its MAC, or a live revision that no longer matched the
// hash its row names: what was found, what was done, and what triggered
// the check. It is the hook for reporting the incident (seed rule 第十九条).
const AuditTamperDetected = "tamper_detected"

// What triggered a check, as patrol reports and incidents record it.
const (
	TriggerSchedule = "schedule" // the scheduled patrol
	TriggerRequest  = "request"  // a patrol someone asked for
	TriggerRead     = "read"     // a cache fill of the content API
)

// TamperIncident is one finding of a tampered row, recorded once per
// subject and observed content (Fingerprint) however often it is read.
type TamperIncident struct {
	Subject     string // item:7, menu_entry:12, channel:app, column:news
	Fingerprint string
	Kind        string // a PatrolProblem kind
	Detail      string
	At          time.Time
	// DropItem, when set, removes that item's projection row if it still
	// carries DropMAC: a row no live revision stands behind.
	DropItem int64
	DropMAC  string
}

// IntegrityService checks the rows the content API serves from against
// their MACs, and takes what fails offline: a projection row's item is
// suspended by the system with the reason (seed rule 第十八条), a menu
// entry or column is left out of the menu, a channel's menu answers 503.
// Every finding is recorded once: an audit entry and a patrol problem.
type IntegrityService struct {
	Keys     *Keys
	Store    IntegrityStore
	Items    ItemStore
	Workflow *WorkflowService
	Seals    SealStore
	KeyStore KeyStore
	Clock    Clock
	Bus      *Bus

	// seen remembers the incidents this process recorded, so that a row
	// that stays tampered (a channel whose menu answers 503 is not cached)
	// costs no write at every read.
	seen sync.Map
}

// checkItems returns the rows that pass the check at level, in order, and
// takes the others offline. When all pass it returns items itself.
func (s *IntegrityService) checkItems(ctx context.Context, items []PublicItem, level checkLevel) ([]PublicItem, error) {
	var out []PublicItem
	for i := range items {
		reason := s.Keys.checkPublicItem(&items[i], level)
		if reason == "" {
			if out != nil {
				out = append(out, items[i])
			}
			continue
		}
		if out == nil {
			out = append(make([]PublicItem, 0, len(items)), items[:i]...)
		}
		if _, err := s.ItemTampered(ctx, &items[i], "projection", reason, TriggerRead, nil); err != nil {
			return nil, err
		}
	}
	if out == nil {
		return items, nil
	}
	return out, nil
}

// checkItem checks what item detail serves: the projection row with its
// HTML and fields, and the number and files of the live revision it names.
// deep also checks the revision's whole content against the approved hash
// the sealed row carries, for reads that serve more of the revision (the
// calculator's parameters). It returns not found for an item it took
// offline.
func (s *IntegrityService) checkItem(ctx context.Context, p *PublicItem, rev *Revision, deep bool) error {
	kind, reason := "projection", s.Keys.checkPublicItem(p, checkDetail)
	if reason == "" {
		kind, reason = "content", revisionMismatch(p, rev, deep)
	}
	if reason == "" {
		return nil
	}
	var seen *Revision
	if kind == "content" {
		seen = rev
	}
	if _, err := s.ItemTampered(ctx, p, kind, reason, TriggerRead, seen); err != nil {
		return err
	}
	return Errorf(ENOTFOUND, "item %d is not published", p.ItemID)
}

// revisionMismatch says why rev is not the revision p was sealed from, or "".
func revisionMismatch(p *PublicItem, rev *Revision, deep bool) string {
	switch {
	case rev.ID != p.RevisionID || rev.ItemID != p.ItemID:
		return "the public row names another revision"
	case servedRevision(rev) != p.RevisionDigest:
		return "the live revision's number or files differ from those its sealed public row names"
	case deep && rev.Hash() != p.ContentHash:
		return "the live revision's content hash " + short(rev.Hash()) + " differs from the approved " + short(p.ContentHash) + " its sealed public row names"
	}
	return ""
}

// ItemTampered takes an item whose public row (or live revision) failed
// its check offline: its live revision is suspended by the system with
// the reason; a row with no live revision behind it is removed. It records
// the incident and returns the problem, for a patrol's report; with
// trigger TriggerRead it saves a report of its own. rev, when the live
// revision is what failed, is the revision as it was read.
func (s *IntegrityService) ItemTampered(ctx context.Context, p *PublicItem, kind, reason, trigger string, rev *Revision) (PatrolProblem, error) {
	now := s.Clock.Now()
	prob := PatrolProblem{ItemID: p.ItemID, RevisionID: p.RevisionID, Subject: itemSubject(p.ItemID), Kind: kind, Detail: reason}
	inc := &TamperIncident{Subject: prob.Subject, Kind: kind, Detail: reason, At: now,
		Fingerprint: observed("public_item", p.MAC, publicItemCanon(p))}
	if rev != nil {
		inc.Fingerprint = observed("revision", rev.Hash(), publicItemCanon(p))
	}
	it, err := s.Items.Item(ctx, p.ItemID)
	switch {
	case err == nil && it.LiveRevisionID != 0:
		prob.RevisionID = it.LiveRevisionID
		err = s.Workflow.FireSystemWithComment(ctx, it.LiveRevisionID, EventSuspend, "integrity check: "+reason)
		switch ErrorCode(err) {
		case "":
			prob.Suspended = true
		case ECONFLICT, ETRANSITION:
			inc.DropItem, inc.DropMAC = p.ItemID, p.MAC // not published: nothing stands behind the row
		default:
			return prob, err
		}
	case err == nil || ErrorCode(err) == ENOTFOUND:
		inc.DropItem, inc.DropMAC = p.ItemID, p.MAC
	default:
		return prob, err
	}
	action := "suspended the live revision"
	if !prob.Suspended {
		action = "removed the public row: no live revision stands behind it"
	}
	detail := map[string]any{"kind": kind, "detail": reason, "revision_id": prob.RevisionID, "action": action,
		"trigger": trigger, "fingerprint": inc.Fingerprint, "observed_title": clip(p.Title, 200)}
	if err := s.record(ctx, inc, prob, trigger, detail); err != nil {
		return prob, err
	}
	if inc.DropItem != 0 {
		s.Bus.Publish(Notice{})
	}
	return prob, nil
}

// Unprojected records a live, intact revision that has no public row:
// clients do not see it, which only someone with database access could
// have caused. Nothing is taken offline; a publisher can take it offline
// and restore it, which projects it again.
func (s *IntegrityService) Unprojected(ctx context.Context, rev *Revision, trigger string) (PatrolProblem, error) {
	prob := PatrolProblem{ItemID: rev.ItemID, RevisionID: rev.ID, Subject: itemSubject(rev.ItemID), Kind: "unprojected",
		Detail: "the live revision has no public row, so clients do not see it (the row was removed in the database)"}
	inc := &TamperIncident{Subject: prob.Subject, Kind: prob.Kind, Detail: prob.Detail, At: s.Clock.Now(),
		Fingerprint: fingerprint("unprojected", itoa64(rev.ID))}
	detail := map[string]any{"kind": prob.Kind, "detail": prob.Detail, "revision_id": rev.ID, "trigger": trigger,
		"fingerprint": inc.Fingerprint}
	return prob, s.record(ctx, inc, prob, trigger, detail)
}

// fingerprint names a finding by its parts.
func fingerprint(parts ...string) string { return digest(parts...)[:32] }

// record stores an incident with its audit entry and, for a finding of a
// cache fill, a patrol report of its own.
func (s *IntegrityService) record(ctx context.Context, inc *TamperIncident, prob PatrolProblem, trigger string, detail map[string]any) error {
	key := inc.Subject + "/" + inc.Fingerprint
	if _, ok := s.seen.Load(key); ok && inc.DropItem == 0 {
		return nil
	}
	var report *PatrolReport
	if trigger == TriggerRead {
		report = &PatrolReport{StartedAt: inc.At, FinishedAt: inc.At, Trigger: TriggerRead, Problems: []PatrolProblem{prob}}
	}
	if _, err := s.Store.RecordTamper(ctx, inc, report, NewAuditEntry(inc.At, 0, AuditTamperDetected, inc.Subject, detail)); err != nil {
		return err
	}
	s.seen.Store(key, struct{}{})
	return nil
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

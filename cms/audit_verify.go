package cms

import (
	"context"
	"fmt"
	"sort"
)

// AuditCheck is what the keyed verification has beyond the log itself:
// the keys (nil when the key file is not at hand), the epoch the database
// records and the anchors kept outside it.
type AuditCheck struct {
	Keys    *Keys
	Epoch   *AuditEpoch
	Anchors []AuditAnchor
}

// AuditReport is the outcome of VerifyAuditChain: the problems found (the
// first one names where the log stops being trustworthy) and, in Notes,
// what each part of the chain was verified against and what could not be
// verified.
type AuditReport struct {
	Entries   int64 // entries walked
	MACs      int64 // entries whose MAC verified
	KeyedFrom int64 // the first entry that must carry a MAC; 0: no epoch known
	Keyed     bool  // the key was at hand: MACs and anchors' MACs were checked
	Anchors   int   // anchors that could be trusted (readable and, with the key, matching their MAC)
	// LastAnchor is the trusted anchor furthest along the chain, nil when none.
	LastAnchor *AuditAnchor
	Problems   []AuditProblem
	Notes      []string
}

// Kinds of audit problems, for readers who say them in their own words.
const (
	AuditMissingEntry   = "missing_entry"   // a gap in the sequence
	AuditBrokenLink     = "broken_link"     // the previous hash does not match
	AuditEditedEntry    = "edited_entry"    // the content does not match its hash
	AuditMissingMAC     = "missing_mac"     // an entry from the key epoch on carries no MAC
	AuditWrongMAC       = "wrong_mac"       // an entry does not match its MAC
	AuditRewrittenEpoch = "rewritten_epoch" // entries before the key differ from the epoch's record
	AuditAnchorMismatch = "anchor_mismatch" // an entry differs from the hash an anchor recorded
	AuditTruncated      = "truncated"       // entries removed from the end
	AuditBadAnchor      = "bad_anchor"      // an anchor line that cannot be read or fails its MAC
	AuditBadEpoch       = "bad_epoch"       // the key epoch is edited, missing or disagrees with the anchor file
)

// Intact reports whether nothing was found wrong.
func (r *AuditReport) Intact() bool { return len(r.Problems) == 0 }

// maxMACProblems bounds how many entries failing their MAC are listed.
const maxMACProblems = 20

func (r *AuditReport) problem(seq int64, kind, format string, args ...any) {
	r.Problems = append(r.Problems, AuditProblem{Seq: seq, Kind: kind, Reason: fmt.Sprintf(format, args...)})
}

// VerifyAuditChain checks the chain's hashes as VerifyAudit does and, with
// keys, the MAC of every entry from the key epoch on, the epoch itself and
// every anchor: a rewrite whose hashes were all recomputed fails the MAC of
// the first entry it touched, or (for entries older than the key) the hash
// the epoch and the anchors recorded; entries removed from the end fall
// short of the last anchor.
func VerifyAuditChain(ctx context.Context, log AuditLog, c AuditCheck) (*AuditReport, error) {
	r := &AuditReport{Keyed: c.Keys != nil}
	anchors := c.checkAnchors(r)
	r.Anchors = len(anchors)
	epoch := c.checkEpoch(r, anchors)
	if epoch != nil {
		r.KeyedFrom = epoch.KeyedFrom
	}
	prev, want, chainOK := AuditGenesis, int64(1), true
	bySeq := map[int64][]AuditAnchor{}
	for _, a := range anchors {
		bySeq[a.Seq] = append(bySeq[a.Seq], a)
	}
	macProblems := 0
	for chainOK {
		batch, err := log.AuditEntries(ctx, want-1, 1000)
		if err != nil {
			return r, err
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			e := &batch[i]
			if kind, reason := chainBreak(e, want, prev); reason != "" {
				r.problem(want, kind, "%s", reason)
				chainOK = false
				break
			}
			r.Entries++
			if c.Keys != nil && r.KeyedFrom > 0 && e.Seq >= r.KeyedFrom || c.Keys != nil && e.MAC != "" {
				switch {
				case equalMAC(e.MAC, c.Keys.AuditEntryMAC(e)):
					r.MACs++
				case macProblems >= maxMACProblems:
				case e.MAC == "":
					macProblems++
					r.problem(e.Seq, AuditMissingMAC, "entry %d carries no MAC, though every entry from %d on must (written without the key, or its MAC removed)", e.Seq, r.KeyedFrom)
				default:
					macProblems++
					r.problem(e.Seq, AuditWrongMAC, "entry %d does not match its MAC: it was written or rewritten by someone without the key", e.Seq)
				}
			}
			if epoch != nil && e.Seq == epoch.KeyedFrom-1 && e.Hash != epoch.PrevHash {
				r.problem(e.Seq, AuditRewrittenEpoch, "entry %d's hash differs from the one recorded when the key was installed: entries 1–%d were rewritten", e.Seq, e.Seq)
			}
			for _, a := range bySeq[e.Seq] {
				if e.Hash != a.Hash {
					r.problem(e.Seq, AuditAnchorMismatch, "entry %d's hash differs from the one %s anchored: entries up to %d were rewritten", e.Seq, a.Where(), e.Seq)
				}
			}
			prev, want = e.Hash, want+1
		}
	}
	if chainOK {
		c.checkEnd(ctx, log, r, prev, want-1, anchors)
	}
	c.describe(r, epoch, anchors)
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Seq < r.Problems[j].Seq })
	return r, nil
}

// chainBreak says how and why e does not follow the entry before it, or "".
func chainBreak(e *AuditEntry, want int64, prev string) (string, string) {
	switch {
	case e.Seq != want:
		return AuditMissingEntry, fmt.Sprintf("entry %d is missing (next is %d)", want, e.Seq)
	case e.PrevHash != prev:
		return AuditBrokenLink, fmt.Sprintf("entry %d: previous hash does not match the entry before it", e.Seq)
	case e.ChainHash(prev) != e.Hash:
		return AuditEditedEntry, fmt.Sprintf("entry %d: content does not match its hash (edited)", e.Seq)
	}
	return "", ""
}

// checkEnd compares where the log ends with the head recorded in the
// database and with the anchors: entries removed from the end fall short.
func (c AuditCheck) checkEnd(ctx context.Context, log AuditLog, r *AuditReport, last string, lastSeq int64, anchors []AuditAnchor) {
	seq, hash, err := log.AuditHead(ctx)
	if err == nil && (seq != lastSeq || (seq > 0 && hash != last)) {
		r.problem(lastSeq+1, AuditTruncated, "the log ends at entry %d but entry %d was the last appended (entries removed from the end)", lastSeq, seq)
	}
	for _, a := range anchors {
		if a.Seq > lastSeq {
			r.problem(lastSeq+1, AuditTruncated, "%s records entry %d, but the log ends at entry %d (entries removed from the end)", a.Where(), a.Seq, lastSeq)
		}
	}
}

// checkAnchors returns the anchors that can be trusted: readable and, with
// keys, matching their MAC. The others are problems.
func (c AuditCheck) checkAnchors(r *AuditReport) []AuditAnchor {
	var ok []AuditAnchor
	for _, a := range c.Anchors {
		switch {
		case a.Invalid != "":
			r.problem(0, AuditBadAnchor, "%s: %s", a.Where(), a.Invalid)
		case c.Keys != nil && !equalMAC(a.MAC, c.Keys.anchorMAC(&a)):
			r.problem(0, AuditBadAnchor, "%s does not match its MAC (forged, or written with another key)", a.Where())
		default:
			ok = append(ok, a)
		}
	}
	return ok
}

// checkEpoch returns the epoch to verify against: the database's when its
// MAC holds, else the one the anchor file recorded when the key was
// installed.
func (c AuditCheck) checkEpoch(r *AuditReport, anchors []AuditAnchor) *AuditEpoch {
	var fromAnchor *AuditEpoch
	for _, a := range anchors {
		if a.Kind == AnchorEpoch && fromAnchor == nil {
			fromAnchor = &AuditEpoch{KeyedFrom: a.Seq + 1, PrevHash: a.Hash}
		}
	}
	e := c.Epoch
	switch {
	case c.Keys == nil:
		return e
	case e != nil && !equalMAC(e.MAC, c.Keys.epochMAC(e)):
		r.problem(e.KeyedFrom, AuditBadEpoch, "the key epoch recorded in the database (entries from %d carry MACs) does not match its MAC: it was edited", e.KeyedFrom)
		e = fromAnchor
	case e == nil && fromAnchor != nil:
		r.problem(fromAnchor.KeyedFrom, AuditBadEpoch, "the key epoch is missing from the database (the anchor file records it at entry %d)", fromAnchor.KeyedFrom)
		e = fromAnchor
	case e != nil && fromAnchor != nil && (e.KeyedFrom != fromAnchor.KeyedFrom || e.PrevHash != fromAnchor.PrevHash):
		r.problem(e.KeyedFrom, AuditBadEpoch, "the key epoch in the database (entry %d) differs from the anchor file's (entry %d)", e.KeyedFrom, fromAnchor.KeyedFrom)
	}
	return e
}

// describe says in Notes what each part of the chain was verified against.
func (c AuditCheck) describe(r *AuditReport, epoch *AuditEpoch, anchors []AuditAnchor) {
	switch {
	case c.Keys == nil:
		r.Notes = append(r.Notes, "no key file: the entries' MACs and the anchors' MACs were not checked; the chain was checked by its hashes only")
	case epoch == nil:
		r.Notes = append(r.Notes, "no key epoch: this database was never sealed with a key; the chain was checked by its hashes only")
	}
	if epoch != nil && epoch.KeyedFrom > 1 {
		legacy := epoch.KeyedFrom - 1
		note := fmt.Sprintf("entries 1–%d predate the key: their chain ends in the hash recorded when the key was installed", legacy)
		for _, a := range anchors {
			if a.Seq == legacy {
				note = fmt.Sprintf("entries 1–%d predate the key: anchored at seq %d by %s", legacy, legacy, a.Where())
				break
			}
		}
		r.Notes = append(r.Notes, note)
	}
	if r.MACs > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d entries carry a valid MAC", r.MACs))
	}
	var last *AuditAnchor
	for i := range anchors {
		if last == nil || anchors[i].Seq >= last.Seq {
			last = &anchors[i]
		}
	}
	r.LastAnchor = last
	switch {
	case last == nil:
		r.Notes = append(r.Notes, "no anchors: entries removed from the end are detected by the head the database records only")
	case last.Seq < r.Entries:
		r.Notes = append(r.Notes, fmt.Sprintf("the last anchor is at entry %d (%s); entries %d–%d are covered by their MACs and the database's head only", last.Seq, last.Where(), last.Seq+1, r.Entries))
	default:
		r.Notes = append(r.Notes, fmt.Sprintf("the last anchor is at entry %d (%s)", last.Seq, last.Where()))
	}
}

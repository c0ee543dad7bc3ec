package archive

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
)

// auditChain checks the audit log segment as it is read: consecutive
// entries, each chained to the one before, each hash matching its entry,
// and the ends and count recorded in bag-info.
func (v *verifier) auditChain(r io.Reader) {
	start, end := first(v.info, tagChainStart), first(v.info, tagChainEnd)
	for _, tag := range []string{tagChainStart, tagChainEnd, tagAuditEntries} {
		if first(v.info, tag) == "" {
			v.rep.add("%s: no %s", bagInfoFile, tag)
		}
	}
	var prev *auditRecord
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if len(text) > 0 {
			prev = v.auditEntry(line, text, prev, start)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				v.rep.add("%s: cannot be read after line %d: %v", auditLogFile, line, err)
			}
			break
		}
	}
	switch {
	case prev != nil && prev.Hash != end:
		v.rep.add("%s: the last entry, seq %d, has hash %s but %s records %s", auditLogFile, prev.Seq, prev.Hash, tagChainEnd, end)
	case v.rep.AuditEntries == 0 && start != end:
		v.rep.add("%s: no entries, but %s and %s differ", auditLogFile, tagChainStart, tagChainEnd)
	}
	if n := first(v.info, tagAuditEntries); n != "" && n != strconv.Itoa(v.rep.AuditEntries) {
		v.rep.add("%s: holds %d entries but %s records %s", auditLogFile, v.rep.AuditEntries, tagAuditEntries, n)
	}
}

// auditEntry checks one line and returns it as the previous entry for the
// next, or nil when it is unreadable (so the next is not blamed for it).
func (v *verifier) auditEntry(line int, text []byte, prev *auditRecord, start string) *auditRecord {
	var rec auditRecord
	if err := json.Unmarshal(text, &rec); err != nil {
		v.rep.add("%s line %d: not an audit entry: %v", auditLogFile, line, err)
		return nil
	}
	v.rep.AuditEntries++
	e, err := rec.entry()
	if err != nil {
		v.rep.add("%s: entry seq %d: unreadable time %q", auditLogFile, rec.Seq, rec.At)
	}
	switch {
	case v.rep.AuditEntries == 1 && rec.PrevHash != start:
		v.rep.add("%s: entry seq %d: prev_hash is not %s %s", auditLogFile, rec.Seq, tagChainStart, start)
	case prev == nil:
	case rec.Seq != prev.Seq+1:
		v.rep.add("%s: entry seq %d follows seq %d: entries are missing or out of order", auditLogFile, rec.Seq, prev.Seq)
	case rec.PrevHash != prev.Hash:
		v.rep.add("%s: entry seq %d: prev_hash does not match the hash of entry seq %d", auditLogFile, rec.Seq, prev.Seq)
	}
	// Recomputed from the entry's own prev_hash: when the link is right
	// that is the previous entry's hash, and when it is not (reported
	// above) this still tells whether the entry itself was edited.
	if err == nil && e.ChainHash(rec.PrevHash) != rec.Hash {
		v.rep.add("%s: entry seq %d: content does not match its hash (edited after it was chained)", auditLogFile, rec.Seq)
	}
	return &rec
}

// revision checks that a revision's content hashes to its content_hash and
// notes the attachments it refers to.
func (v *verifier) revision(name string, r io.Reader) {
	dec := json.NewDecoder(r)
	dec.UseNumber() // numbers in fields keep their text, as hashed
	var rec revisionRecord
	if err := dec.Decode(&rec); err != nil {
		v.rep.add("%s: not a revision: %v", name, err)
		return
	}
	switch sum, err := rec.contentHash(); {
	case err != nil:
		v.rep.add("%s: unreadable time: %v", name, err)
	case sum != rec.ContentHash:
		v.rep.add("%s: content does not match its content_hash", name)
	case rec.ApprovedHash != "" && sum != rec.ApprovedHash:
		v.rep.add("%s: content does not match its approved_hash (changed after the secrecy review approved it)", name)
	}
	for _, a := range rec.Attachments {
		if p := attachmentsDir + a.SHA256; v.refs[p] == "" {
			v.refs[p] = name
		}
	}
}

// references reports attachments that revisions refer to and the bag lacks.
func (v *verifier) references() {
	for _, p := range slices.Sorted(maps.Keys(v.refs)) {
		if v.files[p] == nil {
			v.rep.add("%s: refers to %s, which is not in the bag", v.refs[p], p)
		}
	}
}

package cms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// memLog is an audit log in memory that appends as the store does.
type memLog struct {
	entries []cms.AuditEntry
	keys    *cms.Keys // nil: entries appended without a key
	head    int64
	hash    string
}

func (l *memLog) Append(_ context.Context, e cms.AuditEntry) error {
	e.Seq = int64(len(l.entries)) + 1
	e.PrevHash = cms.AuditGenesis
	if n := len(l.entries); n > 0 {
		e.PrevHash = l.entries[n-1].Hash
	}
	e.Hash = e.ChainHash(e.PrevHash)
	if l.keys != nil {
		e.MAC = l.keys.AuditEntryMAC(&e)
	}
	l.entries = append(l.entries, e)
	l.head, l.hash = e.Seq, e.Hash
	return nil
}

func (l *memLog) AuditEntries(_ context.Context, after int64, limit int) ([]cms.AuditEntry, error) {
	var out []cms.AuditEntry
	for _, e := range l.entries {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *memLog) AuditHead(context.Context) (int64, string, error) { return l.head, l.hash, nil }

// rewrite edits entry seq and recomputes every hash after it and the head,
// as an insider with write access to the database can.
func (l *memLog) rewrite(seq int64, subject string) {
	prev := cms.AuditGenesis
	for i := range l.entries {
		e := &l.entries[i]
		if e.Seq == seq {
			e.Subject = subject
		}
		e.PrevHash, e.Hash = prev, e.ChainHash(prev)
		prev = e.Hash
	}
	l.hash = prev
}

// memKeys is a KeyStore in memory.
type memKeys struct {
	log   *memLog
	fp    string
	epoch *cms.AuditEpoch
}

func (m *memKeys) KeyFingerprint(context.Context) (string, error) { return m.fp, nil }

func (m *memKeys) InstallKey(_ context.Context, fp string, at time.Time, seal func(*cms.AuditEpoch)) (string, *cms.AuditEpoch, bool, error) {
	if m.fp != "" {
		return m.fp, m.epoch, false, nil
	}
	prev := m.log.hash
	if m.log.head == 0 {
		prev = cms.AuditGenesis
	}
	m.fp, m.epoch = fp, &cms.AuditEpoch{KeyedFrom: m.log.head + 1, PrevHash: prev, At: at}
	seal(m.epoch)
	return m.fp, m.epoch, true, nil
}

func (m *memKeys) AuditEpoch(context.Context) (*cms.AuditEpoch, error) { return m.epoch, nil }

// memAnchors is an anchor file in memory.
type memAnchors struct{ lines []string }

func (m *memAnchors) AppendAnchor(a cms.AuditAnchor) error {
	m.lines = append(m.lines, a.String())
	return nil
}

func (m *memAnchors) Anchors() ([]cms.AuditAnchor, error) {
	var out []cms.AuditAnchor
	for i, l := range m.lines {
		a, err := cms.ParseAuditAnchor(l)
		if err != nil {
			a = cms.AuditAnchor{Invalid: err.Error()}
		}
		a.Source, a.Line = "audit.anchor", i+1
		out = append(out, a)
	}
	return out, nil
}

func mustKeys(t *testing.T, b byte) *cms.Keys {
	t.Helper()
	master := make([]byte, cms.MasterKeySize)
	for i := range master {
		master[i] = b + byte(i)
	}
	k, err := cms.NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// upgraded returns a log of 5 entries appended before the key, the key
// installed (epoch and anchor), then 3 entries with MACs and an anchor.
func upgraded(t *testing.T) (*memLog, *memKeys, *memAnchors, *cms.Keys) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	log := &memLog{}
	for i := range 5 {
		log.Append(ctx, cms.NewAuditEntry(now, 1, cms.AuditLogin, "user:"+string(rune('1'+i)), nil))
	}
	keys := mustKeys(t, 7)
	store, anchors := &memKeys{log: log}, &memAnchors{}
	if installed, err := cms.InstallKeys(ctx, store, keys, anchors, now); err != nil || !installed {
		t.Fatalf("install: %v %v", installed, err)
	}
	log.keys = keys
	for range 3 {
		log.Append(ctx, cms.NewAuditEntry(now, 1, cms.AuditLogout, "user:1", nil))
	}
	if _, err := cms.AnchorAudit(ctx, log, keys, anchors, cms.AnchorPeriodic, now); err != nil {
		t.Fatal(err)
	}
	return log, store, anchors, keys
}

func verify(t *testing.T, log *memLog, store *memKeys, anchors *memAnchors, keys *cms.Keys) *cms.AuditReport {
	t.Helper()
	as, _ := anchors.Anchors()
	r, err := cms.VerifyAuditChain(context.Background(), log, cms.AuditCheck{Keys: keys, Epoch: store.epoch, Anchors: as})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyAuditChain(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(log *memLog, store *memKeys, anchors *memAnchors)
		first  int64  // the first problem's entry; 0: intact
		want   string // in the first problem, or in the notes when intact
	}{
		{"intact", func(*memLog, *memKeys, *memAnchors) {}, 0, "entries 1–5 predate the key: anchored at seq 5 by audit.anchor line 1"},
		{"keyed entry rewritten with its hashes", func(l *memLog, _ *memKeys, _ *memAnchors) { l.rewrite(7, "user:999") }, 7, "does not match its MAC"},
		{"entry before the key rewritten with its hashes", func(l *memLog, _ *memKeys, _ *memAnchors) { l.rewrite(2, "user:999") }, 5, "recorded when the key was installed"},
		{"MAC stripped", func(l *memLog, _ *memKeys, _ *memAnchors) { l.entries[6].MAC = "" }, 7, "carries no MAC"},
		{"entries removed from the end with the head", func(l *memLog, _ *memKeys, _ *memAnchors) {
			l.entries = l.entries[:6]
			l.head, l.hash = 6, l.entries[5].Hash
		}, 7, "audit.anchor line 2 records entry 8"},
		{"epoch moved", func(_ *memLog, s *memKeys, _ *memAnchors) { s.epoch.KeyedFrom = 9 }, 9, "does not match its MAC: it was edited"},
		{"epoch deleted", func(_ *memLog, s *memKeys, _ *memAnchors) { s.epoch = nil }, 6, "missing from the database"},
		{"anchor forged", func(l *memLog, _ *memKeys, a *memAnchors) {
			a.lines = append(a.lines, strings.Replace(a.lines[1], "seq=8", "seq=9", 1))
		}, 0, "audit.anchor line 3 does not match its MAC"},
		{"anchor line garbled", func(_ *memLog, _ *memKeys, a *memAnchors) { a.lines = append(a.lines, "seq=x") }, 0, "audit.anchor line 3: unreadable seq"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, store, anchors, keys := upgraded(t)
			tc.tamper(log, store, anchors)
			r := verify(t, log, store, anchors, keys)
			if tc.first == 0 && tc.name == "intact" {
				if !r.Intact() || r.Entries != 8 || r.MACs != 3 || !strings.Contains(strings.Join(r.Notes, "\n"), tc.want) {
					t.Fatalf("report %+v", r)
				}
				return
			}
			if r.Intact() || r.Problems[0].Seq != tc.first || !strings.Contains(r.Problems[0].Reason, tc.want) {
				t.Fatalf("problems %+v, want the first at %d with %q", r.Problems, tc.first, tc.want)
			}
		})
	}
	t.Run("without the key", func(t *testing.T) {
		log, store, anchors, _ := upgraded(t)
		r := verify(t, log, store, anchors, nil)
		if !r.Intact() || !strings.Contains(strings.Join(r.Notes, "\n"), "no key file") {
			t.Fatalf("report %+v", r)
		}
	})
	t.Run("another key refuses to start", func(t *testing.T) {
		_, store, anchors, _ := upgraded(t)
		if _, err := cms.InstallKeys(ctx, store, mustKeys(t, 9), anchors, time.Now()); err != cms.ErrKeyMismatch {
			t.Fatalf("install with another key: %v", err)
		}
	})
}

package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

// bulkSource makes up n small published items on demand, each with a full
// approval chain, every fifth with a file of its own and all sharing one,
// and the audit entries of their transitions, so that the source itself
// holds nothing but the blob keys.
type bulkSource struct {
	n      int
	start  time.Time
	users  map[int64]*cms.User
	blobs  map[string]int // key → the item whose file it is (0: the shared one)
	shared string
}

func newBulkSource(n int) *bulkSource {
	s := &bulkSource{n: n, start: from.Add(time.Hour), users: newWorld(from).src.users, blobs: map[string]int{}}
	s.shared = key(blobBytes(0))
	s.blobs[s.shared] = 0
	for id := 5; id <= n; id += 5 {
		s.blobs[key(blobBytes(id))] = id
	}
	return s
}

func blobBytes(id int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("附件 %d 的内容。", id), 100))
}

func key(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *bulkSource) at(id, step int) time.Time {
	return s.start.Add(time.Duration(id)*time.Minute + time.Duration(step)*time.Second)
}

func (s *bulkSource) PublishedItems(ctx context.Context, from, to time.Time, fn func(cms.Item) error) error {
	for id := 1; id <= s.n; id++ {
		it := cms.Item{ID: int64(id), Column: "zxdt", Department: "guiji", ContentType: cms.TypeArticle, CreatedBy: editor,
			CreatedAt: s.at(id, 0), UpdatedAt: s.at(id, 7), Title: fmt.Sprintf("第%d号通知", id), State: cms.StatePublished,
			HeadRevisionID: int64(id), LiveRevisionID: int64(id), PublishedAt: s.at(id, 7)}
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

func (s *bulkSource) CountPublishedItems(ctx context.Context, from, to time.Time) (int, error) {
	return s.n, nil
}

func (s *bulkSource) Revisions(ctx context.Context, itemID int64) ([]cms.Revision, error) {
	id := int(itemID)
	rev := cms.Revision{ID: itemID, ItemID: itemID, Number: 1, Action: cms.ActionPublish, State: cms.StatePublished, Version: 8,
		Title: fmt.Sprintf("第%d号通知", id), Body: strings.Repeat("住房公积金缴存、提取和贷款业务办理须知。", 20),
		BodyFormat: cms.FormatMarkdown, Fields: map[string]any{"summary": "业务须知", "source": "归集科"}, AuthorID: editor,
		CreatedAt: s.at(id, 0), UpdatedAt: s.at(id, 7), PublishedAt: s.at(id, 7),
		Attachments: []cms.Attachment{{ID: itemID * 10, Key: s.shared, Name: "办事指南.pdf", ContentType: "application/pdf", Size: int64(len(blobBytes(0)))}}}
	if id%5 == 0 {
		rev.Attachments = append(rev.Attachments, cms.Attachment{ID: itemID*10 + 1, Key: key(blobBytes(id)), Name: "表格.pdf",
			ContentType: "application/pdf", Size: int64(len(blobBytes(id))), Position: 1})
	}
	rev.ContentHash = rev.Hash()
	rev.ApprovedHash = rev.ContentHash
	return []cms.Revision{rev}, nil
}

var bulkChain = []struct {
	ev       cms.Event
	from, to cms.State
	actor    int64
	role     cms.Role
}{
	{cms.EventSubmit, cms.StateDraft, cms.StateDeptReview, editor, cms.RoleEditor},
	{cms.EventApprove, cms.StateDeptReview, cms.StateLeadershipSignoff, deptHead, cms.RoleDeptHead},
	{cms.EventSign, cms.StateLeadershipSignoff, cms.StateLeadershipSignoff, leader, cms.RoleLeader},
	{cms.EventSign, cms.StateLeadershipSignoff, cms.StateSecrecyReview, director, cms.RoleDirector},
	{cms.EventClear, cms.StateSecrecyReview, cms.StateScheduled, secrecy, cms.RoleSecrecyReviewer},
	{cms.EventPublish, cms.StateScheduled, cms.StatePublished, pub, cms.RolePublisher},
}

func (s *bulkSource) Transitions(ctx context.Context, itemID int64) ([]cms.Transition, error) {
	revs, _ := s.Revisions(ctx, itemID)
	out := make([]cms.Transition, len(bulkChain))
	for i, c := range bulkChain {
		out[i] = cms.Transition{ID: itemID*10 + int64(i), RevisionID: itemID, ItemID: itemID, RevisionNumber: 1, Version: i + 2,
			Event: c.ev, From: c.from, To: c.to, ActorID: c.actor, ActorRole: c.role, Comment: "同意", ContentHash: revs[0].ContentHash,
			At: s.at(int(itemID), i+1)}
	}
	return out, nil
}

func (s *bulkSource) User(ctx context.Context, id int64) (*cms.User, error) { return s.users[id], nil }

func (s *bulkSource) AuditRange(ctx context.Context, from, to time.Time, fn func(cms.AuditEntry) error) error {
	prev, seq := cms.AuditGenesis, int64(0)
	for id := 1; id <= s.n; id++ {
		for i, c := range bulkChain {
			seq++
			e := cms.NewAuditEntry(s.at(id, i+1), c.actor, cms.AuditTransition, fmt.Sprintf("revision:%d", id),
				map[string]any{"event": string(c.ev), "item_id": id, "comment": "同意"})
			e.Seq, e.PrevHash = seq, prev
			e.Hash = e.ChainHash(prev)
			prev = e.Hash
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *bulkSource) OpenBlob(ctx context.Context, key string) (cms.Blob, error) {
	id, ok := s.blobs[key]
	if !ok {
		return nil, cms.Errorf(cms.ENOTFOUND, "no blob %s", key)
	}
	return memBlob{bytes.NewReader(blobBytes(id))}, nil
}

// countingDiscard counts and drops what is written to it.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestExportMemory exports 10,000 items and checks that the heap stays
// small: what grows with the bag is only its manifest lines and the ZIP's
// central directory, a few hundred bytes a file.
func TestExportMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("exports 10,000 items, a measure that means nothing under the race detector")
	}
	const items, limit = 10_000, 64 << 20
	src := newBulkSource(items)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, allocBase := ms.HeapInuse, ms.TotalAlloc
	peak := base
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	opt := options()
	var retained uint64
	opt.Progress = func(done, total int) {
		if done%500 == 0 {
			sample()
		}
		if done == total { // what the export holds on to before the manifests are written
			runtime.GC()
			runtime.ReadMemStats(&ms)
			retained = ms.HeapAlloc
		}
	}
	var out countingDiscard
	began := time.Now()
	sum, err := archive.Export(context.Background(), src, &out, opt)
	if err != nil {
		t.Fatal(err)
	}
	sample()
	t.Logf("%d items, %d revisions, %d attachments, %d audit entries: %.1f MiB of ZIP in %v; heap in use %.1f MiB at most (%.1f MiB before), %.1f MiB live after the last item, %.0f MiB allocated in all",
		sum.Items, sum.Revisions, sum.Attachments, sum.AuditEntries, mib(uint64(out.n)), time.Since(began).Round(time.Millisecond),
		mib(peak), mib(base), mib(retained), mib(ms.TotalAlloc-allocBase))
	if sum.Items != items || sum.Bytes != out.n {
		t.Errorf("summary %+v, %d bytes written", *sum, out.n)
	}
	if peak > limit {
		t.Errorf("heap in use reached %.1f MiB, more than %d MiB", mib(peak), limit>>20)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

func BenchmarkExport(b *testing.B) {
	src := newBulkSource(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := archive.Export(context.Background(), src, &countingDiscard{}, options()); err != nil {
			b.Fatal(err)
		}
	}
}

package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestSensitiveWords(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	words := func() []cms.SensitiveWord {
		ws, err := db.SensitiveWords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	list := []cms.SensitiveWord{{Word: "秘密", Severity: cms.SeverityBlocking}, {Word: "内部", Severity: cms.SeverityWarning},
		{Word: "绝密", Severity: cms.SeverityBlocking}}
	cases := []struct {
		name  string
		words []cms.SensitiveWord
		code  string
		want  []cms.SensitiveWord
	}{
		{"replace, read back sorted", list, "", sorted(list)},
		{"duplicate word", []cms.SensitiveWord{{Word: "机密"}, {Word: "机密"}}, cms.ECONFLICT, sorted(list)},
		{"empty list clears", nil, "", nil},
	}
	for _, c := range cases {
		seq := auditSeq(t, db)
		wantCode(t, db.SetSensitiveWords(ctx, c.words, note(cms.AuditSensitiveWord, ""), nil), c.code)
		if got := words(); !slices.Equal(got, c.want) {
			t.Errorf("%s: list %v, want %v", c.name, got, c.want)
		}
		if appended := auditSeq(t, db) - seq; (c.code == "") != (appended == 1) {
			t.Errorf("%s: %d audit entries", c.name, appended)
		}
	}
}

func sorted(ws []cms.SensitiveWord) []cms.SensitiveWord {
	out := slices.Clone(ws)
	slices.SortFunc(out, func(a, b cms.SensitiveWord) int {
		if a.Word < b.Word {
			return -1
		}
		if a.Word > b.Word {
			return 1
		}
		return 0
	})
	return out
}

// scan applies a transition of rev that carries a new scan's findings.
func scan(tb testing.TB, db *storage.DB, it *cms.Item, rev *cms.Revision, ev cms.Event, to cms.State, found ...cms.Finding) {
	tb.Helper()
	c := step(it, rev, ev, to)
	c.Findings, c.Scanned = found, true
	mustApply(tb, db, it, rev, c)
}

func TestFindingsKeepAcknowledgementsAcrossScans(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	rev2 := mustUser(t, db, "secrecy", "office", cms.RoleBinding{Role: cms.RoleSecrecyReviewer, Department: "office"})
	ctx := context.Background()
	it, rev := mustItem(t, db, ed, "news", "联系方式", "电话 13800138000，邮箱 a@b.cn")
	phone := cms.Finding{Kind: cms.FindingMobile, Field: "body", Excerpt: "138****8000", Severity: cms.SeverityBlocking, Offset: 3, Length: 11}
	mail := cms.Finding{Kind: cms.FindingEmail, Field: "body", Excerpt: "a@b.cn", Severity: cms.SeverityWarning, Offset: 20, Length: 6}
	scan(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview, phone, mail)
	fs, err := db.Findings(ctx, rev.ID)
	if err != nil || len(fs) != 2 || fs[0].Finding != phone || fs[1].Finding != mail || fs[0].RevisionID != rev.ID || fs[0].FoundAt.IsZero() {
		t.Fatalf("findings %+v %v", fs, err)
	}
	if !fs[0].Open() || fs[1].Open() {
		t.Errorf("open: phone %v mail %v, want only the blocking one", fs[0].Open(), fs[1].Open())
	}

	ack := fs[0]
	ack.AcknowledgedBy, ack.AckReason, ack.AcknowledgedAt = rev2.ID, "这是中心的公开服务电话", tick()
	if err := db.AcknowledgeFinding(ctx, &ack, note(cms.AuditFindingAck, "")); err != nil {
		t.Fatal(err)
	}
	seq := auditSeq(t, db)
	again := ack
	again.AckReason = "第二次"
	wantCode(t, db.AcknowledgeFinding(ctx, &again, note(cms.AuditFindingAck, "")), cms.ECONFLICT)
	if auditSeq(t, db) != seq {
		t.Error("a refused acknowledgement left an audit entry")
	}

	// Entering the secrecy review scans again: the acknowledged phone
	// number is found again and keeps its acknowledgement; the e-mail
	// address is gone; a classification marking is new.
	mark := cms.Finding{Kind: cms.FindingClassification, Field: "title", Excerpt: "秘密", Severity: cms.SeverityBlocking, Offset: 0, Length: 2}
	mustFire(t, db, it, rev, cms.EventApprove, cms.StateLeadershipSignoff)
	scan(t, db, it, rev, cms.EventSign, cms.StateSecrecyReview, phone, mark)
	fs, _ = db.Findings(ctx, rev.ID)
	if len(fs) != 2 {
		t.Fatalf("after the second scan: %+v", fs)
	}
	if fs[0].ID != ack.ID || fs[0].AcknowledgedBy != rev2.ID || fs[0].AckReason != ack.AckReason || !fs[0].AcknowledgedAt.Equal(ack.AcknowledgedAt) || fs[0].Open() {
		t.Errorf("the acknowledged finding %+v, want it kept as %+v", fs[0], ack)
	}
	if fs[1].Finding != mark || !fs[1].Open() {
		t.Errorf("the new finding %+v, want %+v open", fs[1], mark)
	}

	// A scan that no longer finds the phone number drops its acknowledgement with it.
	scan(t, db, it, rev, cms.EventReject, cms.StateDraft)
	if fs, _ = db.Findings(ctx, rev.ID); len(fs) != 0 {
		t.Errorf("a clean scan left %+v", fs)
	}
	// A transition without a scan leaves the findings alone.
	scan(t, db, it, rev, cms.EventSubmit, cms.StateDeptReview, mail)
	mustFire(t, db, it, rev, cms.EventApprove, cms.StateLeadershipSignoff)
	if fs, _ = db.Findings(ctx, rev.ID); len(fs) != 1 || fs[0].Finding != mail {
		t.Errorf("findings after an unscanned transition: %+v", fs)
	}
}

func TestAcknowledgeUnknownFinding(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	seq := auditSeq(t, db)
	f := &cms.FindingRecord{ID: 12345, AcknowledgedBy: ed.ID, AckReason: "r", AcknowledgedAt: tick()}
	// The service looks the finding up first; the store only has to refuse.
	if err := db.AcknowledgeFinding(context.Background(), f, note(cms.AuditFindingAck, "")); err == nil || auditSeq(t, db) != seq {
		t.Fatalf("acknowledging a finding that does not exist: %v, %d audit entries", err, auditSeq(t, db)-seq)
	}
}

package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

type findingBody struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Field        string `json:"field"`
	Excerpt      string `json:"excerpt"`
	Severity     string `json:"severity"`
	Rendered     bool   `json:"rendered"`
	Rescan       bool   `json:"rescan"`
	Acknowledged *struct {
		Reason string `json:"reason"`
	} `json:"acknowledged"`
}

// TestSecrecyFindingsBlockTheClear: personal data in a submitted revision is
// found and masked, shown to reviewers, and stops the secrecy reviewer's
// clear until acknowledged with a reason.
func TestSecrecyFindingsBlockTheClear(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	e.must(t, http.StatusForbidden, "PUT", "/api/v1/sensitive-words", c.editor, map[string]any{"words": []map[string]string{{"word": "内幕", "severity": "blocking"}}})
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/sensitive-words", e.admin, map[string]any{"words": []map[string]string{{"word": " ", "severity": "blocking"}}})
	e.must(t, http.StatusOK, "PUT", "/api/v1/sensitive-words", e.admin, map[string]any{"words": []map[string]string{{"word": "内幕", "severity": "warning"}}})

	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
		"title": "缴存业务咨询", "body": "联系人张三，手机 138 1234 5678；文号铜公积金〔2018〕19号，服务热线12329。另有内幕。"}).decode(t, &it)
	rev := it.Revision.ID
	e.toState(t, c, rev, "secrecy_review")

	var list struct {
		Findings []findingBody `json:"findings"`
		Open     int           `json:"open"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(rev)+"/findings", c.head, nil).decode(t, &list)
	if len(list.Findings) != 2 || list.Open != 1 {
		t.Fatalf("findings: %+v", list)
	}
	mobile, word := list.Findings[0], list.Findings[1]
	if mobile.Kind != "mobile" || mobile.Severity != "blocking" || mobile.Field != "body" || mobile.Excerpt == "" ||
		containsDigits(mobile.Excerpt, "1234") || word.Kind != "sensitive_word" || word.Severity != "warning" {
		t.Fatalf("findings: %+v", list.Findings)
	}
	p := e.call(t, "POST", revisionPath(rev)+"/transitions", c.secrecy, map[string]string{"event": "clear"}).problem(t)
	if p.Status != http.StatusConflict {
		t.Fatalf("clear with an open finding: %+v", p)
	}
	ack := fmt.Sprintf("%s/findings/%d/acknowledge", revisionPath(rev), mobile.ID)
	e.must(t, http.StatusForbidden, "POST", ack, c.director, map[string]string{"reason": "同意"})
	e.must(t, http.StatusUnprocessableEntity, "POST", ack, c.secrecy, map[string]string{"reason": " "})
	var done findingBody
	e.must(t, http.StatusOK, "POST", ack, c.secrecy, map[string]string{"reason": "本人同意公开其工作手机"}).decode(t, &done)
	if done.Acknowledged == nil || done.Acknowledged.Reason != "本人同意公开其工作手机" {
		t.Fatalf("acknowledged: %+v", done)
	}
	e.must(t, http.StatusConflict, "POST", ack, c.secrecy, map[string]string{"reason": "again"})
	e.fire(t, http.StatusOK, c.secrecy, rev, "clear", "")

	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = 'finding_acknowledged'").Scan(t.Context(), &n); err != nil || n != 1 {
		t.Errorf("acknowledgement audited %d times (%v)", n, err)
	}
	// A clean revision has no findings and clears at once.
	var clean createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "网点调整", "body": "服务热线12329。"}).decode(t, &clean)
	e.toState(t, c, clean.Revision.ID, "scheduled")
}

func containsDigits(s, digits string) bool {
	for i := 0; i+len(digits) <= len(s); i++ {
		if s[i:i+len(digits)] == digits {
			return true
		}
	}
	return false
}

// TestSecrecyScanReadsWhatReadersSee: the outside review's example. Markup
// that splits an ID number and a mobile in the source (an HTML comment,
// emphasis, a zero-width space) hides nothing from the scan, since the
// published body_html shows the numbers whole; excerpts stay masked.
func TestSecrecyScanReadsWhatReadersSee(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	tests := []struct {
		name, body, format string
		want               []string // kind, excerpt, and whether only the rendered text shows it
	}{
		{"comments", "身份证号 110105<!-- -->19491231002X 手机 138<!---->00138000", "markdown",
			[]string{"id_number 1101**********002X true", "mobile 138****8000 true"}},
		{"html", "<p>身份证号 110105<span>19491231002X</span> 手机 138<!---->00138000</p>", "html",
			[]string{"id_number 1101**********002X true", "mobile 138****8000 true"}},
		{"emphasis and zero width", "身份证号 110105**1949**1231002X 手机 138\u200b0013\u200b8000", "markdown",
			[]string{"id_number 1101**********002X true", "mobile 138****8000 false"}},
	}
	for _, tt := range tests {
		var it createdItem
		e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
			"title": "来电登记", "body": tt.body, "body_format": tt.format}).decode(t, &it)
		e.toState(t, c, it.Revision.ID, "secrecy_review")
		var list struct {
			Findings []findingBody `json:"findings"`
			Open     int           `json:"open"`
		}
		e.must(t, http.StatusOK, "GET", revisionPath(it.Revision.ID)+"/findings", c.secrecy, nil).decode(t, &list)
		var got []string
		for _, f := range list.Findings {
			got = append(got, fmt.Sprintf("%s %s %v", f.Kind, f.Excerpt, f.Rendered))
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || list.Open != 2 {
			t.Errorf("%s: findings %q (open %d), want %q", tt.name, got, list.Open, tt.want)
		}
		if p := e.call(t, "POST", revisionPath(it.Revision.ID)+"/transitions", c.secrecy, map[string]string{"event": "clear"}).problem(t); p.Status != http.StatusConflict {
			t.Errorf("%s: clear with the numbers unacknowledged: %+v", tt.name, p)
		}
	}
}

type liveFindingBody struct {
	RevisionID int64       `json:"revision_id"`
	ItemID     int64       `json:"item_id"`
	Column     string      `json:"column"`
	Department string      `json:"department"`
	State      string      `json:"state"`
	Title      string      `json:"title"`
	Finding    findingBody `json:"finding"`
}

type liveFindingList struct {
	Findings   []liveFindingBody `json:"findings"`
	NextCursor *string           `json:"next_cursor"`
}

// TestSecrecyRescanOnWordChange: changing the sensitive-word list re-scans
// live content (seed rule 第二十条, periodic checks). New findings are stored
// against the live revision, marked as found by a re-scan, audited, and
// listed for secrecy reviewers and auditors, not for editors; the item stays
// live, and a secrecy reviewer closes a finding by acknowledging it.
func TestSecrecyRescanOnWordChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	_, finance := e.user(t, "finance-editor", "finance", role{"editor", "finance"})

	var live, review createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
		"title": "合作研究", "body": "本中心与某工程合作开展课题研究，咨询手机13800138000。"}).decode(t, &live)
	e.toState(t, c, live.Revision.ID, "secrecy_review")
	var before struct {
		Findings []findingBody `json:"findings"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(live.Revision.ID)+"/findings", c.secrecy, nil).decode(t, &before)
	e.must(t, http.StatusOK, "POST", fmt.Sprintf("%s/findings/%d/acknowledge", revisionPath(live.Revision.ID), before.Findings[0].ID),
		c.secrecy, map[string]string{"reason": "单位公开的咨询手机"})
	e.fire(t, http.StatusOK, c.secrecy, live.Revision.ID, "clear", "")
	e.fire(t, http.StatusOK, c.publisher, live.Revision.ID, "publish", "")
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
		"title": "某工程进展", "body": "某工程进展顺利。"}).decode(t, &review)
	e.toState(t, c, review.Revision.ID, "secrecy_review")
	var list liveFindingList
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?open=true", c.secrecy, nil).decode(t, &list)
	if len(list.Findings) != 0 {
		t.Fatalf("open findings before the change: %+v", list)
	}

	words := map[string]any{"words": []map[string]string{{"word": "某工程", "severity": "blocking"}}}
	e.must(t, http.StatusOK, "PUT", "/api/v1/sensitive-words", e.admin, words)
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?open=true", c.secrecy, nil).decode(t, &list)
	if len(list.Findings) != 1 || list.NextCursor != nil {
		t.Fatalf("open findings of released content: %+v", list)
	}
	got := list.Findings[0]
	if got.RevisionID != live.Revision.ID || got.ItemID != live.ID || got.State != "published" || got.Department != "collection" ||
		got.Column != "news" || got.Finding.Kind != "sensitive_word" || !got.Finding.Rescan || got.Finding.Acknowledged != nil {
		t.Fatalf("rescan finding: %+v", got)
	}
	// The revision in review got its finding too, and it blocks the clear.
	var inReview struct {
		Findings []findingBody `json:"findings"`
		Open     int           `json:"open"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(review.Revision.ID)+"/findings", c.secrecy, nil).decode(t, &inReview)
	if inReview.Open != 2 {
		t.Errorf("findings of the revision in review: %+v", inReview)
	}
	// Not suspended: still served.
	e.must(t, http.StatusOK, "GET", publicItemPath(live.ID), "", nil)

	// Reviewers and auditors read the list; editors do not, and an editor of
	// another department cannot read the revision's findings either.
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?open=true", auditor, nil)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/findings?open=true", c.editor, nil)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/findings", finance, nil)
	e.must(t, http.StatusForbidden, "GET", revisionPath(live.Revision.ID)+"/findings", finance, nil)
	e.must(t, http.StatusOK, "GET", revisionPath(live.Revision.ID)+"/findings", c.editor, nil)
	for _, tok := range []string{c.head, c.leader, c.director, c.publisher, e.admin} {
		e.must(t, http.StatusForbidden, "GET", "/api/v1/findings?open=true", tok, nil)
	}
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/findings", "", nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/findings?open=maybe", c.secrecy, nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/findings?cursor=nope", c.secrecy, nil)
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/findings?limit=1000", c.secrecy, nil)

	var rescans []string
	if err := e.db.Bun().NewRaw("SELECT detail FROM audit_log WHERE action = 'secrecy_rescan' ORDER BY seq").Scan(t.Context(), &rescans); err != nil || len(rescans) != 1 {
		t.Fatalf("rescan audited: %q (%v)", rescans, err)
	}
	var detail struct {
		Revisions   int     `json:"revisions"`
		NewFindings int     `json:"new_findings"`
		RevisionIDs []int64 `json:"revision_ids"`
	}
	if err := json.Unmarshal([]byte(rescans[0]), &detail); err != nil || detail.Revisions != 2 || detail.NewFindings != 3 ||
		!slices.Equal(detail.RevisionIDs, []int64{live.Revision.ID, review.Revision.ID}) {
		t.Errorf("rescan audit detail %s (%v)", rescans[0], err)
	}

	// The same list again finds nothing new.
	e.must(t, http.StatusOK, "PUT", "/api/v1/sensitive-words", e.admin, words)
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?open=true", c.secrecy, nil).decode(t, &list)
	if len(list.Findings) != 1 {
		t.Fatalf("after the same list again: %+v", list)
	}

	// A secrecy reviewer acknowledges the finding on the live revision.
	ack := fmt.Sprintf("%s/findings/%d/acknowledge", revisionPath(live.Revision.ID), got.Finding.ID)
	e.must(t, http.StatusForbidden, "POST", ack, c.director, map[string]string{"reason": "同意"})
	e.must(t, http.StatusOK, "POST", ack, c.secrecy, map[string]string{"reason": "课题名称已公开"})
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?open=true", c.secrecy, nil).decode(t, &list)
	if len(list.Findings) != 0 {
		t.Fatalf("after acknowledging: %+v", list)
	}
	// Without open=true the list keeps what was acknowledged, newest first, by pages.
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?limit=1", auditor, nil).decode(t, &list)
	if len(list.Findings) != 1 || list.NextCursor == nil || list.Findings[0].Finding.Kind != "sensitive_word" ||
		list.Findings[0].Finding.Acknowledged == nil {
		t.Fatalf("first page: %+v", list)
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/findings?limit=1&cursor="+*list.NextCursor, auditor, nil).decode(t, &list)
	if len(list.Findings) != 1 || list.NextCursor != nil || list.Findings[0].Finding.Kind != "mobile" || list.Findings[0].Finding.Rescan {
		t.Fatalf("second page: %+v", list)
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

type findingBody struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Field        string `json:"field"`
	Excerpt      string `json:"excerpt"`
	Severity     string `json:"severity"`
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

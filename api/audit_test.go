package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tlhpf/cms/storage"
)

// auditPage is one page of GET /api/v1/audit as far as the tests read it.
type auditPage struct {
	Entries []struct {
		Seq     int64  `json:"seq"`
		Action  string `json:"action"`
		Subject string `json:"subject"`
		Actor   *struct {
			Username string `json:"username"`
		} `json:"actor"`
		MAC *string `json:"mac"`
	} `json:"entries"`
	NextCursor *string `json:"next_cursor"`
}

// TestAuditLogForAuditors: auditors read the audit log newest first,
// filtered by who, what, which subject and when, a page at a time, and
// verify its chain; nobody else may, administrators included.
func TestAuditLogForAuditors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	id := e.publishNews(t, c, "缴存通知", "正文")
	for _, tok := range []string{c.editor, c.publisher, e.admin} {
		e.must(t, http.StatusForbidden, "GET", "/api/v1/audit", tok, nil)
		e.must(t, http.StatusForbidden, "GET", "/api/v1/audit/verify", tok, nil)
	}

	var all auditPage
	e.must(t, http.StatusOK, "GET", "/api/v1/audit?limit=100", auditor, nil).decode(t, &all)
	if len(all.Entries) < 10 || all.Entries[0].Seq <= all.Entries[1].Seq || all.Entries[0].MAC == nil {
		t.Fatalf("newest first, with MACs: %+v", all.Entries[:2])
	}

	var pub auditPage
	e.must(t, http.StatusOK, "GET", "/api/v1/audit?actor=publisher&action=transition", auditor, nil).decode(t, &pub)
	if len(pub.Entries) != 1 || pub.Entries[0].Actor == nil || pub.Entries[0].Actor.Username != "publisher" {
		t.Fatalf("the publisher's transitions: %+v", pub.Entries)
	}
	subject := pub.Entries[0].Subject
	var about auditPage
	e.must(t, http.StatusOK, "GET", "/api/v1/audit?subject="+url.QueryEscape(subject), auditor, nil).decode(t, &about)
	if len(about.Entries) < 6 { // submit, approve, two signatures, clear, publish
		t.Fatalf("entries about %s: %d", subject, len(about.Entries))
	}
	for _, en := range about.Entries {
		if en.Subject != subject {
			t.Fatalf("subject filter let through %q", en.Subject)
		}
	}
	var nobody auditPage
	e.must(t, http.StatusOK, "GET", "/api/v1/audit?actor=no.such.user", auditor, nil).decode(t, &nobody)
	if len(nobody.Entries) != 0 || nobody.NextCursor != nil {
		t.Fatalf("an unknown actor: %+v", nobody)
	}
	future := url.QueryEscape(time.Now().Add(24 * time.Hour).Format(time.RFC3339))
	var later auditPage
	e.must(t, http.StatusOK, "GET", "/api/v1/audit?from="+future, auditor, nil).decode(t, &later)
	if len(later.Entries) != 0 {
		t.Fatalf("entries from tomorrow: %d", len(later.Entries))
	}

	// Paging: every entry once, in order.
	seen, cursor := 0, ""
	for last := int64(1 << 62); ; {
		var p auditPage
		path := "/api/v1/audit?limit=7"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		e.must(t, http.StatusOK, "GET", path, auditor, nil).decode(t, &p)
		for _, en := range p.Entries {
			if en.Seq >= last {
				t.Fatalf("entry %d after %d", en.Seq, last)
			}
			last = en.Seq
			seen++
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if seen < len(all.Entries) {
		t.Fatalf("paging saw %d entries, the log has at least %d", seen, len(all.Entries))
	}
	for _, bad := range []string{"limit=0", "limit=101", "cursor=nonsense", "from=yesterday", "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z"} {
		if r := e.send(t, request{method: "GET", path: "/api/v1/audit?" + bad, token: auditor, raw: true}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}

	var report struct {
		Intact    bool   `json:"intact"`
		Entries   int64  `json:"entries"`
		MACs      int64  `json:"macs"`
		Keyed     bool   `json:"keyed"`
		KeyedFrom *int64 `json:"keyed_from"`
		Anchors   int    `json:"anchors"`
		Problems  []struct {
			Seq  int64  `json:"seq"`
			Kind string `json:"kind"`
		} `json:"problems"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/audit/verify", auditor, nil).decode(t, &report)
	if !report.Intact || !report.Keyed || report.KeyedFrom == nil || report.Entries < int64(len(all.Entries)) ||
		report.MACs == 0 || report.Anchors == 0 || len(report.Problems) != 0 {
		t.Fatalf("an intact log: %+v", report)
	}

	// Someone with the database edits an entry: the verification names it.
	lift := "DROP TRIGGER audit_log_no_update"
	if e.db.Dialect == storage.Postgres {
		lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
	}
	e.exec(t, lift)
	e.exec(t, "UPDATE audit_log SET subject = 'item:"+strconv.FormatInt(id+1000, 10)+"' WHERE seq = ?", about.Entries[0].Seq)
	e.must(t, http.StatusOK, "GET", "/api/v1/audit/verify", auditor, nil).decode(t, &report)
	if report.Intact || len(report.Problems) == 0 || report.Problems[0].Seq != about.Entries[0].Seq ||
		report.Problems[0].Kind != "edited_entry" {
		t.Fatalf("an edited entry: %+v", report)
	}
}

package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestPatrolSuspendsTamperedContent edits a live revision's content and a
// live file directly in storage: the next patrol catches both, suspends the
// items at once and the content API stops serving them.
func TestPatrolSuspendsTamperedContent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	clean := e.publishNews(t, c, "正常内容", "未被篡改")
	edited := e.publishNews(t, c, "缴存通知", "缴存比例为12%")
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "附件通知", "body": "见附件"}).decode(t, &it)
	var up uploaded
	e.upload(t, c.editor, it.Revision.ID, "表.pdf", pdfBytes).decode(t, &up)
	e.toState(t, c, it.Revision.ID, "published")

	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	e.must(t, http.StatusForbidden, "POST", "/api/v1/patrols", c.editor, nil)
	var rep struct {
		ID          int64 `json:"id"`
		Revisions   int   `json:"revisions"`
		Attachments int   `json:"attachments"`
		Problems    []struct {
			ItemID    int64  `json:"item_id"`
			Kind      string `json:"kind"`
			Suspended bool   `json:"suspended"`
		} `json:"problems"`
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/patrols", c.publisher, nil).decode(t, &rep)
	if rep.Revisions != 3 || rep.Attachments != 1 || len(rep.Problems) != 0 {
		t.Fatalf("clean patrol: %+v", rep)
	}

	// Someone with database access changes a published number; someone with
	// disk access changes a published file.
	if _, err := e.db.Bun().NewRaw("UPDATE revisions SET body = 'cashier: 缴存比例为5%' WHERE item_id = ?", edited).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	blobPath := filepath.Join(e.blobRoot, up.SHA256[:2], up.SHA256[2:4], up.SHA256)
	if err := os.WriteFile(blobPath, append([]byte("%PDF-1.4 forged"), pdfBytes...), 0o600); err != nil {
		t.Fatal(err)
	}
	report, err := e.svc.Patrol.RunScheduled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[int64]string{}
	for _, p := range report.Problems {
		if !p.Suspended {
			t.Errorf("problem not suspended: %+v", p)
		}
		kinds[p.ItemID] = p.Kind
	}
	if len(report.Problems) != 2 || kinds[edited] != "content" || kinds[it.ID] != "attachment" {
		t.Fatalf("patrol problems: %+v", report.Problems)
	}
	e.must(t, http.StatusNotFound, "GET", publicItemPath(edited), "", nil)
	e.must(t, http.StatusNotFound, "GET", publicItemPath(it.ID), "", nil)
	e.must(t, http.StatusOK, "GET", publicItemPath(clean), "", nil)
	h := e.history(t, c.editor, edited)
	if last := h[len(h)-1]; last.Event != "suspend" || last.Role != "system" || last.Actor != nil {
		t.Errorf("suspension in history: %+v", last)
	}
	var list struct {
		Patrols []struct {
			Scheduled bool `json:"scheduled"`
			Problems  []any
		} `json:"patrols"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/patrols", auditor, nil).decode(t, &list)
	if len(list.Patrols) != 2 || !list.Patrols[0].Scheduled || len(list.Patrols[0].Problems) != 2 {
		t.Fatalf("patrol reports: %+v", list)
	}
	e.must(t, http.StatusForbidden, "GET", "/api/v1/patrols", c.editor, nil)
}

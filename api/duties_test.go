package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// refusedAsEditor fires event as token and expects 403 naming the edit.
func (e *env) refusedAsEditor(t *testing.T, token string, revID int64, event, comment string) {
	t.Helper()
	r := e.call(t, "POST", revisionPath(revID)+"/transitions", token, map[string]string{"event": event, "comment": comment})
	if r.Status != http.StatusForbidden {
		t.Fatalf("%s by a co-editor: %d %s, want 403", event, r.Status, r.Body)
	}
	if p := r.problem(t); p.Code != "forbidden" || !strings.Contains(p.Detail, "changed") {
		t.Errorf("%s by a co-editor: %s %q, want a reason naming their change", event, p.Code, p.Detail)
	}
}

// TestCoEditorsMayNotReview: whoever changed a revision's content, fields or
// attachments may not approve, sign, clear or reject it, even when a
// colleague wrote and submitted it; the queue agrees with the transitions.
func TestCoEditorsMayNotReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, coHead := e.user(t, "co-head", "collection", role{"editor", "collection"}, role{"dept_head", "collection"})
	_, coLeader := e.user(t, "co-leader", "collection", role{"editor", "collection"}, role{"leader", "collection"})
	_, coSecrecy := e.user(t, "co-secrecy", "office", role{"editor", "collection"}, role{"secrecy_reviewer", "office"})

	// The co-head changes a field of the editor's draft; the editor submits.
	_, revID := e.completeGuide(t, c.editor)
	if r := e.send(t, request{method: "PATCH", path: revisionPath(revID), token: coHead,
		body: map[string]any{"fields": map[string]any{"fees": "不收费"}}, header: map[string]string{"If-Match": `"1"`}}); r.Status != http.StatusOK {
		t.Fatalf("co-editor's patch: %d %s", r.Status, r.Body)
	}
	// The co-leader only removes a file the editor attached, the co-secrecy
	// reviewer only attaches one: attachments are content too.
	var att uploaded
	if r := e.upload(t, c.editor, revID, "申请表.pdf", pdfBytes); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	} else {
		r.decode(t, &att)
	}
	e.must(t, http.StatusNoContent, "DELETE", revisionPath(revID)+"/attachments/"+strconv.FormatInt(att.ID, 10), coLeader, nil)
	if r := e.upload(t, coSecrecy, revID, "须知.txt", []byte("办理须知\n")); r.Status != http.StatusCreated {
		t.Fatalf("upload by the co-secrecy reviewer: %d %s", r.Status, r.Body)
	}
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")

	if e.queue(t, coHead, "").has(revID) {
		t.Error("a co-editor sees the revision in their approval queue")
	}
	e.refusedAsEditor(t, coHead, revID, "approve", "")
	e.refusedAsEditor(t, coHead, revID, "reject", "我改过")
	e.fire(t, http.StatusOK, c.head, revID, "approve", "")

	if e.queue(t, coLeader, "").has(revID) {
		t.Error("a leader who removed a file sees the revision in their queue")
	}
	e.refusedAsEditor(t, coLeader, revID, "sign", "")
	e.refusedAsEditor(t, coLeader, revID, "reject", "我改过")
	e.fire(t, http.StatusOK, c.leader, revID, "sign", "")
	e.fire(t, http.StatusOK, c.director, revID, "sign", "")

	if e.queue(t, coSecrecy, "").has(revID) {
		t.Error("a secrecy reviewer who attached a file sees the revision in their queue")
	}
	e.refusedAsEditor(t, coSecrecy, revID, "clear", "")
	e.refusedAsEditor(t, coSecrecy, revID, "reject", "我改过")
	e.fire(t, http.StatusOK, c.secrecy, revID, "clear", "")

	var denied int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = ?", cms.AuditPermissionDenied).Scan(context.Background(), &denied); err != nil || denied != 6 {
		t.Errorf("refusals audited: %d (%v), want 6", denied, err)
	}
}

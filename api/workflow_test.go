package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// chainUsers are the people of one editorial chain for 归集科 (collection).
type chainUsers struct {
	editor, editor2, head, leader, director, secrecy, publisher string
	editorID                                                    int64
}

func newChain(t testing.TB, e *env) chainUsers {
	t.Helper()
	var c chainUsers
	c.editorID, c.editor = e.user(t, "editor", "collection", role{"editor", "collection"})
	_, c.editor2 = e.user(t, "editor2", "collection", role{"editor", "collection"})
	_, c.head = e.user(t, "head", "collection", role{"dept_head", "collection"})
	_, c.leader = e.user(t, "leader", "office", role{"leader", "collection"}, role{"leader", "finance"})
	_, c.director = e.user(t, "director", "office", role{"director", "office"})
	_, c.secrecy = e.user(t, "secrecy", "office", role{"secrecy_reviewer", "office"})
	_, c.publisher = e.user(t, "publisher", "information", role{"publisher", "information"})
	return c
}

type revState struct {
	ID          int64   `json:"id"`
	ItemID      int64   `json:"item_id"`
	State       string  `json:"state"`
	Version     int     `json:"version"`
	SignoffStep int     `json:"signoff_step"`
	Approved    *string `json:"approved_hash"`
	ContentHash string  `json:"content_hash"`
}

// fire sends a transition and fails unless the status is want.
func (e *env) fire(t testing.TB, want int, token string, revID int64, event, comment string) revState {
	t.Helper()
	r := e.call(t, "POST", revisionPath(revID)+"/transitions", token, map[string]string{"event": event, "comment": comment})
	if r.Status != want {
		t.Fatalf("%s on revision %d: %d, want %d: %s", event, revID, r.Status, want, r.Body)
	}
	var rs revState
	if want == http.StatusOK {
		r.decode(t, &rs)
	}
	return rs
}

// completeGuide creates a guide that validates for submission.
func (e *env) completeGuide(t testing.TB, token string) (itemID, revID int64) {
	t.Helper()
	body := guideBody("guides-deposit")
	body["fields"].(map[string]any)["steps"] = []map[string]any{{"title": "提交材料"}}
	body["fields"].(map[string]any)["place"] = "市政务服务中心"
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", token, body).decode(t, &it)
	return it.ID, it.Revision.ID
}

// toState walks a fresh revision of c's editor to state.
func (e *env) toState(t testing.TB, c chainUsers, revID int64, state string) {
	t.Helper()
	steps := []struct{ token, event, comment, reached string }{
		{c.editor, "submit", "", "dept_review"}, {c.head, "approve", "", "leadership_signoff"}, {c.leader, "sign", "", ""},
		{c.director, "sign", "", "secrecy_review"}, {c.secrecy, "clear", "", "scheduled"}, {c.publisher, "publish", "", "published"},
		{c.publisher, "suspend", "应急", "suspended"},
	}
	if state == "archived" {
		steps = append(steps[:6], struct{ token, event, comment, reached string }{c.publisher, "archive", "", "archived"})
	}
	for _, s := range steps {
		if state == "draft" {
			return
		}
		rs := e.fire(t, http.StatusOK, s.token, revID, s.event, s.comment)
		if rs.State == state && s.reached == state {
			return
		}
	}
	t.Fatalf("cannot walk to %s", state)
}

func (e *env) itemState(t *testing.T, token string, itemID int64) (live *int64, state string) {
	t.Helper()
	var it struct {
		LiveRevisionID *int64 `json:"live_revision_id"`
		State          string `json:"state"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(itemID), token, nil).decode(t, &it)
	return it.LiveRevisionID, it.State
}

type historyRow struct {
	Event   string `json:"event"`
	From    string `json:"from"`
	To      string `json:"to"`
	Role    string `json:"role"`
	Comment string `json:"comment"`
	Actor   *struct {
		Username string `json:"username"`
	} `json:"actor"`
	RevisionNumber int    `json:"revision_number"`
	ContentHash    string `json:"content_hash"`
}

func (e *env) history(t *testing.T, token string, itemID int64) []historyRow {
	t.Helper()
	var h struct {
		Transitions []historyRow `json:"transitions"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(itemID)+"/history", token, nil).decode(t, &h)
	return h.Transitions
}

type queueBody struct {
	Items []struct {
		Revision struct {
			ID int64 `json:"id"`
		} `json:"revision"`
		State      string     `json:"state"`
		Event      string     `json:"event"`
		Overdue    bool       `json:"overdue"`
		DueAt      *time.Time `json:"due_at"`
		NextSigner *string    `json:"next_signer"`
	} `json:"items"`
	Counts map[string]int `json:"counts"`
}

func (e *env) queue(t *testing.T, token, query string) queueBody {
	t.Helper()
	var q queueBody
	e.must(t, http.StatusOK, "GET", "/api/v1/queue"+query, token, nil).decode(t, &q)
	return q
}

func (q queueBody) has(revID int64) bool {
	for _, it := range q.Items {
		if it.Revision.ID == revID {
			return true
		}
	}
	return false
}

// TestFullChainEditDeleteSuspendRestore walks an item from draft to
// published with a real user of each role, then edits the live item,
// suspends and restores it, and finally deletes it through the same chain.
func TestFullChainEditDeleteSuspendRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	itemID, rev1 := e.completeGuide(t, c.editor)

	e.fire(t, http.StatusOK, c.editor, rev1, "submit", "请审核")
	if q := e.queue(t, c.head, ""); !q.has(rev1) || q.Items[0].Event != "approve" || q.Counts["dept_review"] != 1 {
		t.Fatalf("dept head queue: %+v", q)
	}
	if q := e.queue(t, c.leader, ""); q.has(rev1) {
		t.Fatal("leader sees a revision still in department review")
	}
	// Frozen while in review.
	r := e.send(t, request{method: "PATCH", path: revisionPath(rev1), token: c.editor, body: map[string]any{"title": "改"},
		header: map[string]string{"If-Match": `"2"`}})
	if r.Status != http.StatusConflict {
		t.Fatalf("edit in review: %d %s", r.Status, r.Body)
	}
	e.fire(t, http.StatusOK, c.head, rev1, "approve", "")
	q := e.queue(t, c.leader, "")
	if !q.has(rev1) || q.Items[0].NextSigner == nil || *q.Items[0].NextSigner != "leader" {
		t.Fatalf("leader queue: %+v", q)
	}
	if e.queue(t, c.director, "").has(rev1) {
		t.Fatal("the director sees the revision before the leader signed")
	}
	e.fire(t, http.StatusForbidden, c.director, rev1, "sign", "") // not the director's turn yet
	rs := e.fire(t, http.StatusOK, c.leader, rev1, "sign", "同意")
	if rs.State != "leadership_signoff" || rs.SignoffStep != 1 {
		t.Fatalf("after the leader signed: %+v", rs)
	}
	if e.queue(t, c.leader, "").has(rev1) || !e.queue(t, c.director, "").has(rev1) {
		t.Fatal("after the leader signed, the director's queue should hold it and the leader's not")
	}
	e.fire(t, http.StatusOK, c.director, rev1, "sign", "签发")
	e.fire(t, http.StatusOK, c.secrecy, rev1, "clear", "")
	if live, _ := e.itemState(t, c.editor, itemID); live != nil {
		t.Fatal("live before publication")
	}
	// 第十条: a cleared revision waits in 待发布 for 信息科; the scheduler
	// does not publish it on its own.
	if n, _, err := e.svc.Workflow.RunScheduler(context.Background()); err != nil || n != 0 {
		t.Fatalf("scheduler published %d before a publisher acted: %v", n, err)
	}
	if live, state := e.itemState(t, c.editor, itemID); live != nil || state != "scheduled" {
		t.Fatalf("after the scheduler ran: live %v state %s", live, state)
	}
	if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusNotFound {
		t.Fatalf("the content API serves a cleared revision no publisher published: %d", st)
	}
	q = e.queue(t, c.publisher, "")
	if !q.has(rev1) || q.Items[0].Event != "publish" || q.Items[0].DueAt == nil || q.Counts["scheduled"] != 1 {
		t.Fatalf("publisher's queue: %+v", q)
	}
	e.fire(t, http.StatusOK, c.publisher, rev1, "publish", "")
	live, state := e.itemState(t, c.editor, itemID)
	if live == nil || *live != rev1 || state != "published" {
		t.Fatalf("after publication: live %v state %s", live, state)
	}
	h := e.history(t, c.editor, itemID)
	var trail []string
	for _, row := range h {
		who := "system"
		if row.Actor != nil {
			who = row.Actor.Username
		}
		trail = append(trail, fmt.Sprintf("%s:%s:%s>%s", who, row.Role, row.Event, row.To))
	}
	want := "editor:editor:submit>dept_review head:dept_head:approve>leadership_signoff leader:leader:sign>leadership_signoff " +
		"director:director:sign>secrecy_review secrecy:secrecy_reviewer:clear>scheduled publisher:publisher:publish>published"
	if strings.Join(trail, " ") != want {
		t.Fatalf("history:\n got %s\nwant %s", strings.Join(trail, " "), want)
	}
	if h[0].Comment != "请审核" || h[2].ContentHash == "" {
		t.Errorf("history details: %+v", h[:3])
	}

	// An edit of the live item climbs the same chain while the old revision stays live.
	var rev struct {
		ID int64 `json:"id"`
	}
	e.must(t, http.StatusCreated, "POST", itemPath(itemID)+"/revisions", c.editor2,
		map[string]any{"action": "publish", "title": "住房公积金缴存登记（2026年修订）"}).decode(t, &rev)
	rev2 := rev.ID
	e.must(t, http.StatusConflict, "POST", itemPath(itemID)+"/revisions", c.editor, map[string]any{"action": "unpublish"})
	var diff struct {
		AgainstID *int64 `json:"against_id"`
		Changes   []struct {
			Field, Change string
		} `json:"changes"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(rev2)+"/diff", c.head, nil).decode(t, &diff)
	if diff.AgainstID == nil || *diff.AgainstID != rev1 || len(diff.Changes) != 1 || diff.Changes[0].Field != "title" || diff.Changes[0].Change != "changed" {
		t.Fatalf("diff: %+v", diff)
	}
	// editor2 wrote it, so editor2 submits; the same dept head may approve a new revision.
	e.fire(t, http.StatusOK, c.editor2, rev2, "submit", "")
	e.fire(t, http.StatusOK, c.head, rev2, "approve", "")
	e.fire(t, http.StatusOK, c.leader, rev2, "sign", "")
	e.fire(t, http.StatusOK, c.director, rev2, "sign", "")
	e.fire(t, http.StatusOK, c.secrecy, rev2, "clear", "")
	if live, _ := e.itemState(t, c.editor, itemID); live == nil || *live != rev1 {
		t.Fatal("the old revision must stay live until the new one is published")
	}
	e.fire(t, http.StatusOK, c.publisher, rev2, "publish", "提前发布")
	if live, _ := e.itemState(t, c.editor, itemID); live == nil || *live != rev2 {
		t.Fatalf("live after the edit: %v", live)
	}
	var old revState
	e.must(t, http.StatusOK, "GET", revisionPath(rev1), c.editor, nil).decode(t, &old)
	if old.State != "superseded" {
		t.Fatalf("old revision is %s", old.State)
	}

	// Suspension takes it down at once; restore needs the approved hash.
	e.fire(t, http.StatusUnprocessableEntity, c.publisher, rev2, "suspend", "")
	e.fire(t, http.StatusOK, c.director, rev2, "suspend", "内容被篡改")
	if _, state := e.itemState(t, c.editor, itemID); state != "suspended" {
		t.Fatalf("item state after suspension: %s", state)
	}
	e.fire(t, http.StatusOK, c.publisher, rev2, "restore", "已核实")
	if _, err := e.db.Bun().NewRaw("UPDATE revisions SET body = body || ' 篡改' WHERE id = ?", rev2).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.fire(t, http.StatusOK, c.publisher, rev2, "suspend", "巡查发现篡改")
	if p := e.call(t, "POST", revisionPath(rev2)+"/transitions", c.publisher, map[string]string{"event": "restore", "comment": "试图恢复"}).problem(t); p.Code != "conflict" || p.Status != 409 {
		t.Fatalf("restore of tampered content: %+v", p)
	}
	if _, err := e.db.Bun().NewRaw("UPDATE revisions SET body = replace(body, ' 篡改', '') WHERE id = ?", rev2).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.fire(t, http.StatusOK, c.director, rev2, "restore", "已恢复")

	// A deletion request takes the item offline when it is published.
	e.must(t, http.StatusCreated, "POST", itemPath(itemID)+"/revisions", c.editor, map[string]any{"action": "unpublish"}).decode(t, &rev)
	rev3 := rev.ID
	for _, s := range []struct{ token, event string }{{c.editor, "submit"}, {c.head, "approve"}, {c.leader, "sign"},
		{c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
		e.fire(t, http.StatusOK, s.token, rev3, s.event, "")
	}
	live, state = e.itemState(t, c.editor, itemID)
	if live != nil || state != "archived" {
		t.Fatalf("after the deletion request: live %v, state %s", live, state)
	}
	e.must(t, http.StatusOK, "GET", revisionPath(rev2), c.editor, nil).decode(t, &old)
	if old.State != "archived" {
		t.Fatalf("the deleted revision is %s, want archived", old.State)
	}
	if n, p, err := cms.VerifyAudit(context.Background(), e.db); err != nil || p != nil || n < 30 {
		t.Fatalf("audit: %d entries, problem %+v, %v", n, p, err)
	}
	// The history is append-only as well.
	for _, stmt := range []string{"UPDATE transitions SET comment = 'x'", "DELETE FROM transitions"} {
		if _, err := e.db.Bun().ExecContext(context.Background(), stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// TestRejectionsAndWithdrawalsReturnToDraft: every rejection and withdrawal
// path ends in draft with its comment kept, and can be resubmitted.
func TestRejectionsAndWithdrawalsReturnToDraft(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	cases := []struct {
		state, token, event string
	}{
		{"dept_review", c.head, "reject"},
		{"leadership_signoff", c.leader, "reject"},
		{"secrecy_review", c.secrecy, "reject"},
		{"dept_review", c.editor, "withdraw"},
		{"leadership_signoff", c.editor, "withdraw"},
		{"secrecy_review", c.editor, "withdraw"},
		{"scheduled", c.editor, "withdraw"},
	}
	for _, tc := range cases {
		t.Run(tc.event+" at "+tc.state, func(t *testing.T) {
			itemID, revID := e.completeGuide(t, c.editor)
			if tc.state == "scheduled" {
				// Keep it from being published before the withdrawal.
				e.must(t, http.StatusOK, "GET", revisionPath(revID), c.editor, nil)
				e.send(t, request{method: "PATCH", path: revisionPath(revID), token: c.editor,
					body: map[string]any{"publish_at": "2030-01-01T00:00:00Z"}, header: map[string]string{"If-Match": `"1"`}})
			}
			e.toState(t, c, revID, tc.state)
			if tc.event == "reject" {
				e.fire(t, http.StatusUnprocessableEntity, tc.token, revID, "reject", "  ")
			} else {
				e.fire(t, http.StatusForbidden, c.editor2, revID, "withdraw", "") // only the submitter
			}
			comment := "理由：" + tc.state
			rs := e.fire(t, http.StatusOK, tc.token, revID, tc.event, comment)
			if rs.State != "draft" || rs.SignoffStep != 0 || rs.Approved != nil {
				t.Fatalf("after %s: %+v", tc.event, rs)
			}
			h := e.history(t, c.editor, itemID)
			last := h[len(h)-1]
			if last.Event != tc.event || last.From != tc.state || last.To != "draft" || last.Comment != comment {
				t.Fatalf("history: %+v", last)
			}
			// Back in draft it can be edited and submitted again.
			e.send(t, request{method: "PATCH", path: revisionPath(revID), token: c.editor,
				body: map[string]any{"title": "修改后重新提交"}, header: map[string]string{"If-Match": strconv.Itoa(rs.Version)}})
			e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
		})
	}
}

func TestSubmitNeedsACompleteRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, guideBody("guides-deposit")).decode(t, &it)
	p := e.call(t, "POST", revisionPath(it.Revision.ID)+"/transitions", c.editor, map[string]string{"event": "submit"}).problem(t)
	if p.Status != 422 || !p.hasField("fields.steps") || !p.hasField("fields.place") {
		t.Fatalf("submit of an incomplete guide: %+v", p)
	}
	e.fire(t, http.StatusUnprocessableEntity, c.editor, it.Revision.ID, "explode", "")
	// Stale If-Match on a transition.
	r := e.send(t, request{method: "POST", path: revisionPath(it.Revision.ID) + "/transitions", token: c.editor,
		body: map[string]string{"event": "submit"}, header: map[string]string{"If-Match": `"7"`}})
	if r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
	}
}

// TestSeparationOfDuties: nobody approves their own submission or acts at
// two stages of the same revision.
func TestSeparationOfDuties(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	// A head who also edits writes an item; they may not approve it.
	_, both := e.user(t, "both", "collection", role{"editor", "collection"}, role{"dept_head", "collection"})
	_, revID := e.completeGuide(t, both)
	e.fire(t, http.StatusOK, both, revID, "submit", "")
	if e.queue(t, both, "").has(revID) {
		t.Error("the author sees their own revision in their approval queue")
	}
	e.fire(t, http.StatusForbidden, both, revID, "approve", "")
	e.fire(t, http.StatusOK, c.head, revID, "approve", "")
	// Someone who approved may not also sign, even holding the role.
	_, headLeader := e.user(t, "headleader", "collection", role{"dept_head", "collection"}, role{"leader", "collection"})
	_, rev2 := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, rev2, "submit", "")
	e.fire(t, http.StatusOK, headLeader, rev2, "approve", "")
	e.fire(t, http.StatusForbidden, headLeader, rev2, "sign", "")
	e.fire(t, http.StatusOK, c.leader, rev2, "sign", "")

	var denied int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = ?", cms.AuditPermissionDenied).Scan(context.Background(), &denied); err != nil || denied != 2 {
		t.Errorf("permission denials audited: %d (%v), want 2", denied, err)
	}
}

func TestSignoffChainPerColumn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	e.must(t, http.StatusForbidden, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", c.director, map[string]any{"chain": []string{"director"}})
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", e.admin, map[string]any{"chain": []string{"publisher"}})
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", e.admin, map[string]any{"chain": []string{}})
	e.must(t, http.StatusNotFound, "PUT", "/api/v1/columns/nope/signoff-chain", e.admin, map[string]any{"chain": []string{"director"}})
	e.must(t, http.StatusOK, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", e.admin, map[string]any{"chain": []string{"director"}})
	var chain struct{ Chain []string }
	e.must(t, http.StatusOK, "GET", "/api/v1/columns/guides-deposit/signoff-chain", c.editor, nil).decode(t, &chain)
	if len(chain.Chain) != 1 || chain.Chain[0] != "director" {
		t.Fatalf("chain = %v", chain.Chain)
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/columns/guides-loan/signoff-chain", c.editor, nil).decode(t, &chain)
	if strings.Join(chain.Chain, ",") != "leader,director" {
		t.Fatalf("default chain = %v", chain.Chain)
	}
	_, revID := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	e.fire(t, http.StatusOK, c.head, revID, "approve", "")
	e.fire(t, http.StatusForbidden, c.leader, revID, "sign", "")
	if rs := e.fire(t, http.StatusOK, c.director, revID, "sign", ""); rs.State != "secrecy_review" {
		t.Fatalf("director-only chain: %s", rs.State)
	}
}

func TestQueueDueDatesAndFilters(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour }) // the test spans days
	c := newChain(t, e)
	_, a := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, a, "submit", "")
	e.clock.Advance(time.Hour)
	_, b := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, b, "submit", "")
	q := e.queue(t, c.head, "")
	if len(q.Items) != 2 || q.Items[0].Revision.ID != a || q.Items[1].Revision.ID != b || q.Items[0].Overdue {
		t.Fatalf("queue: %+v", q)
	}
	if q.Items[0].DueAt == nil || !q.Items[0].DueAt.Equal(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("due_at = %v, want 48 h after submission", q.Items[0].DueAt)
	}
	e.clock.Advance(47*time.Hour + 30*time.Minute)
	q = e.queue(t, c.head, "")
	if !q.Items[0].Overdue || q.Items[1].Overdue {
		t.Errorf("overdue flags: %v %v", q.Items[0].Overdue, q.Items[1].Overdue)
	}
	if q := e.queue(t, c.head, "?stage=secrecy_review"); len(q.Items) != 0 {
		t.Errorf("stage filter: %+v", q)
	}
	if q := e.queue(t, c.head, "?column=guides-loan"); len(q.Items) != 0 {
		t.Errorf("column filter: %+v", q)
	}
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/queue?stage=published", c.head, nil)
	// A head of another department sees nothing; so does the auditor.
	_, other := e.user(t, "finance-head", "finance", role{"dept_head", "finance"})
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	if len(e.queue(t, other, "").Items) != 0 || len(e.queue(t, auditor, "").Items) != 0 {
		t.Error("queue shows revisions to people who cannot act on them")
	}
	// Decisions: the caller's own, newest first.
	e.fire(t, http.StatusOK, c.head, a, "approve", "")
	e.fire(t, http.StatusOK, c.head, b, "reject", "材料不全")
	var d struct {
		Transitions []struct {
			Event string `json:"event"`
		} `json:"transitions"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/decisions", c.head, nil).decode(t, &d)
	if len(d.Transitions) != 2 || d.Transitions[0].Event != "reject" || d.Transitions[1].Event != "approve" {
		t.Fatalf("decisions: %+v", d)
	}
}

func TestSchedulingPublishesAndExpires(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour }) // the test spans weeks
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.send(t, request{method: "PATCH", path: revisionPath(revID), token: c.editor, header: map[string]string{"If-Match": `"1"`},
		body: map[string]any{"publish_at": "2026-03-05T00:00:00Z", "expire_at": "2026-04-01T00:00:00Z"}})
	for _, s := range []struct{ token, event string }{{c.editor, "submit"}, {c.head, "approve"}, {c.leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}} {
		e.fire(t, http.StatusOK, s.token, revID, s.event, "")
	}
	ctx := context.Background()
	// The publisher keeps the publish_at the chain approved; the scheduler
	// publishes then on their behalf.
	e.fire(t, http.StatusOK, c.publisher, revID, "release", "")
	if n, _, _ := e.svc.Workflow.RunScheduler(ctx); n != 0 {
		t.Fatal("published before publish_at")
	}
	e.clock.Advance(4 * 24 * time.Hour) // 2026-03-05T08:00
	if n, _, err := e.svc.Workflow.RunScheduler(ctx); n != 1 || err != nil {
		t.Fatalf("published %d at publish_at: %v", n, err)
	}
	if n, _, _ := e.svc.Workflow.RunScheduler(ctx); n != 0 {
		t.Fatal("published twice")
	}
	e.clock.Advance(30 * 24 * time.Hour)
	if _, n, err := e.svc.Workflow.RunScheduler(ctx); n != 1 || err != nil {
		t.Fatalf("archived %d at expire_at: %v", n, err)
	}
	if live, state := e.itemState(t, c.editor, itemID); live != nil || state != "archived" {
		t.Fatalf("after expiry: %v %s", live, state)
	}
}

// TestConcurrentReviewers fires the same approval from many reviewers at
// once: exactly one wins, the rest get 409, and exactly one transition and
// one audit entry are recorded.
func TestConcurrentReviewers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	const heads = 8
	var tokens []string
	for i := range heads {
		_, tok := e.user(t, "head"+strconv.Itoa(i), "collection", role{"dept_head", "collection"})
		tokens = append(tokens, tok)
	}
	for round := range 3 {
		itemID, revID := e.completeGuide(t, c.editor)
		e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
		var wg sync.WaitGroup
		statuses := make(chan int, heads*4)
		start := make(chan struct{})
		for i := range heads * 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := e.call(t, "POST", revisionPath(revID)+"/transitions", tokens[i%heads], map[string]string{"event": "approve"})
				statuses <- r.Status
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != heads*4-1 {
			t.Fatalf("round %d: statuses %v", round, counts)
		}
		approvals := 0
		for _, h := range e.history(t, c.editor, itemID) {
			if h.Event == "approve" {
				approvals++
			}
		}
		if approvals != 1 {
			t.Fatalf("round %d: %d approvals recorded", round, approvals)
		}
	}
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = 'transition' AND detail LIKE '%\"approve\"%'").Scan(context.Background(), &n); err != nil || n != 3 {
		t.Fatalf("approval audit entries: %d (%v)", n, err)
	}
	if _, p, err := cms.VerifyAudit(context.Background(), e.db); p != nil || err != nil {
		t.Fatalf("audit chain after concurrency: %+v %v", p, err)
	}
}

// TestShortenedChainKeepsRevisionsMoving: a revision past the end of a
// chain shortened during its sign-off gets its final signature from the
// last role of the new chain.
func TestShortenedChainKeepsRevisionsMoving(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "leadership_signoff")
	e.fire(t, http.StatusOK, c.leader, revID, "sign", "") // step 1 of 2: the director's turn
	e.must(t, http.StatusOK, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", e.admin, map[string]any{"chain": []string{"leader"}})
	if q := e.queue(t, c.director, ""); q.has(revID) {
		t.Error("the director still sees it after leaving the chain")
	}
	p := e.call(t, "PUT", "/api/v1/columns/guides-deposit/signoff-chain", e.admin, map[string]any{"chain": []string{"leader", "leader"}}).problem(t)
	if !p.hasField("chain[1]") {
		t.Errorf("repeated role: %+v", p.Errors)
	}
	e.fire(t, http.StatusForbidden, c.director, revID, "sign", "")
	_, leader2 := e.user(t, "leader2", "office", role{"leader", "collection"})
	if !e.queue(t, leader2, "").has(revID) {
		t.Fatal("another leader in charge does not see the final signature in their queue")
	}
	if rs := e.fire(t, http.StatusOK, leader2, revID, "sign", ""); rs.State != "secrecy_review" {
		t.Fatalf("after the final signature: %+v", rs)
	}
}

// TestSchedulerRacesPublishEachRevisionOnce runs the scheduler of several
// "processes" at once over the same database: every due revision is
// published exactly once.
func TestSchedulerRacesPublishEachRevisionOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	const n = 12
	var items []int64
	for range n {
		itemID, revID := e.completeGuide(t, c.editor)
		e.toState(t, c, revID, "scheduled")
		e.release(t, http.StatusOK, c.publisher, revID, e.clock.Now().Format(time.RFC3339)) // due at once
		items = append(items, itemID)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			published, _, err := e.svc.Workflow.RunScheduler(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += published
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != n {
		t.Fatalf("schedulers published %d in all, want %d", total, n)
	}
	for _, id := range items {
		publishes := 0
		for _, h := range e.history(t, c.editor, id) {
			if h.Event == "publish" {
				publishes++
			}
		}
		if publishes != 1 {
			t.Fatalf("item %d published %d times", id, publishes)
		}
	}
}

// TestQueuePages: with limit the queue comes a page at a time, in the
// order of the whole queue, every entry once, without counts; entries the
// caller cannot act on never fill a page.
func TestQueuePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var revs []int64
	for i := range 7 {
		_, rev := e.completeGuide(t, c.editor)
		e.fire(t, http.StatusOK, c.editor, rev, "submit", "")
		e.clock.Advance(time.Minute)
		if i%3 == 1 { // the head approved these already: they wait for the leader
			e.fire(t, http.StatusOK, c.head, rev, "approve", "")
			continue
		}
		revs = append(revs, rev)
	}
	whole := e.queue(t, c.head, "")
	if len(whole.Items) != len(revs) || whole.Counts["dept_review"] != len(revs) {
		t.Fatalf("whole queue: %+v", whole)
	}
	var got []int64
	cursor := ""
	for pages := 0; ; pages++ {
		var p struct {
			queueBody
			NextCursor *string `json:"next_cursor"`
		}
		q := "?limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		e.must(t, http.StatusOK, "GET", "/api/v1/queue"+q, c.head, nil).decode(t, &p)
		if p.Counts != nil || len(p.Items) > 2 || pages > 5 {
			t.Fatalf("page %d: %+v", pages, p)
		}
		for _, it := range p.Items {
			got = append(got, it.Revision.ID)
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if !slices.Equal(got, revs) {
		t.Fatalf("pages gave %v, want %v", got, revs)
	}
	if r := e.send(t, request{method: "GET", path: "/api/v1/queue?limit=2&cursor=bogus", token: c.head, raw: true}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bogus cursor: %d", r.Status)
	}
}

package api_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tlhpf/cms/cms"
)

type featureBody struct {
	ID          int64  `json:"id"`
	Department  string `json:"department"`
	Channel     string `json:"channel"`
	Title       string `json:"title"`
	State       string `json:"state"`
	SubmittedBy int64  `json:"submitted_by"`
	DecidedBy   *int64 `json:"decided_by"`
	DoneBy      *int64 `json:"done_by"`
	History     []struct {
		Kind      string `json:"kind"`
		ActorID   int64  `json:"actor_id"`
		ActorName string `json:"actor_name"`
		Comment   string `json:"comment"`
	} `json:"history"`
}

type featureList struct {
	Requests []featureBody `json:"requests"`
}

func featurePath(id int64, rest string) string {
	return "/api/v1/feature-requests/" + strconv.FormatInt(id, 10) + rest
}

// featureUsers are the people of the feature-request tests beside the chain.
type featureUsers struct {
	chainUsers
	auditor, finance, officeLeader, headLeader string
	headLeaderID                               int64
}

func newFeatureUsers(t *testing.T, e *env) featureUsers {
	t.Helper()
	u := featureUsers{chainUsers: newChain(t, e)}
	_, u.auditor = e.user(t, "auditor", "office", role{"auditor", "office"})
	_, u.finance = e.user(t, "finance-editor", "finance", role{"editor", "finance"})
	_, u.officeLeader = e.user(t, "office-leader", "office", role{"leader", "office"})
	// A head of 归集科 who is also in charge of it as a leader: may submit
	// and may decide, but not on their own request.
	u.headLeaderID, u.headLeader = e.user(t, "head-leader", "collection", role{"dept_head", "collection"}, role{"leader", "collection"})
	return u
}

func (e *env) submitFeature(t *testing.T, token, title string) featureBody {
	t.Helper()
	var f featureBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/feature-requests", token, map[string]any{"channel": "wechat",
		"title": title, "description": "在公众号菜单中增加" + title}).decode(t, &f)
	return f
}

// TestFeatureRequestLifecycle: 第十六条. An editor suggests a function for
// their department; 信息科 and the department comment; the leader in charge
// approves; 信息科 records it done. Every refusal of the service is tested:
// who may submit, read, comment, decide and record done, and which states
// allow which step (409 invalid_transition otherwise). Each change is an
// audit entry of its own.
func TestFeatureRequestLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := newFeatureUsers(t, e)
	req := map[string]any{"channel": "both", "title": "公积金提取进度查询", "description": "群众希望在公众号和App查询提取审批进度。"}

	// Submitting: the department's editors and head, for their own department.
	for name, tok := range map[string]string{"publisher": u.publisher, "director": u.director, "leader": u.leader,
		"auditor": u.auditor, "secrecy": u.secrecy, "admin": e.admin} {
		if r := e.call(t, "POST", "/api/v1/feature-requests", tok, req); r.Status != http.StatusForbidden {
			t.Errorf("%s submitted: %d %s", name, r.Status, r.Body)
		}
	}
	other := map[string]any{"department": "finance", "channel": "app", "title": "x", "description": "y"}
	e.must(t, http.StatusForbidden, "POST", "/api/v1/feature-requests", u.editor, other)
	var f featureBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/feature-requests", u.editor, req).decode(t, &f)
	if f.Department != "collection" || f.State != "submitted" || f.Channel != "both" || len(f.History) != 1 ||
		f.History[0].Kind != "submitted" || f.History[0].ActorName != "editor" || f.DecidedBy != nil {
		t.Fatalf("submitted: %+v", f)
	}
	// One who acts for two departments names the department.
	_, twoDepts := e.user(t, "two-depts", "collection", role{"editor", "collection"}, role{"editor", "finance"})
	if p := e.call(t, "POST", "/api/v1/feature-requests", twoDepts, req).problem(t); p.Status != 422 || !p.hasField("department") {
		t.Errorf("two departments, none named: %+v", p)
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/feature-requests", twoDepts, other)

	// Reading: the department, 信息科, its leaders, the director, auditors.
	path := featurePath(f.ID, "")
	for _, tok := range []string{u.editor2, u.head, u.publisher, u.leader, u.director, u.auditor} {
		e.must(t, http.StatusOK, "GET", path, tok, nil)
	}
	for _, tok := range []string{u.finance, u.officeLeader, u.secrecy, e.admin} {
		e.must(t, http.StatusForbidden, "GET", path, tok, nil)
	}
	e.must(t, http.StatusNotFound, "GET", featurePath(9999, ""), u.auditor, nil)

	// Comments: 信息科, the deciding leaders and the department; auditors only read.
	var got featureBody
	e.must(t, http.StatusCreated, "POST", path+"/comments", u.publisher, map[string]any{"comment": "已收集，拟与App版本一并开发"}).decode(t, &got)
	e.must(t, http.StatusCreated, "POST", path+"/comments", u.editor2, map[string]any{"comment": "补充：需显示经办网点"})
	for _, tok := range []string{u.auditor, u.finance, u.officeLeader} {
		e.must(t, http.StatusForbidden, "POST", path+"/comments", tok, map[string]any{"comment": "看看"})
	}
	if p := e.call(t, "POST", path+"/comments", u.publisher, map[string]any{"comment": "  "}).problem(t); !p.hasField("comment") {
		t.Errorf("empty comment: %+v", p)
	}

	// Deciding: the leader in charge of 归集科 or the director; not 信息科,
	// not the head, not a leader of other departments, not an auditor.
	decision := path + "/decision"
	for name, tok := range map[string]string{"publisher": u.publisher, "head": u.head, "office leader": u.officeLeader,
		"auditor": u.auditor, "editor": u.editor} {
		if r := e.call(t, "POST", decision, tok, map[string]any{"approve": true}); r.Status != http.StatusForbidden {
			t.Errorf("%s decided: %d %s", name, r.Status, r.Body)
		}
	}
	if p := e.call(t, "POST", decision, u.leader, map[string]any{"approve": false}).problem(t); p.Status != 422 || !p.hasField("comment") {
		t.Errorf("refusal without a reason: %+v", p)
	}
	// Not done before it is approved.
	if p := e.call(t, "POST", path+"/done", u.publisher, nil).problem(t); p.Status != 409 || p.Code != cms.ETRANSITION {
		t.Errorf("done while submitted: %+v", p)
	}
	e.must(t, http.StatusOK, "POST", decision, u.leader, map[string]any{"approve": true, "comment": "同意"}).decode(t, &got)
	if got.State != "approved" || got.DecidedBy == nil {
		t.Fatalf("approved: %+v", got)
	}
	if p := e.call(t, "POST", decision, u.director, map[string]any{"approve": false, "comment": "晚了"}).problem(t); p.Status != 409 || p.Code != cms.ETRANSITION {
		t.Errorf("decided twice: %+v", p)
	}

	// Done: 信息科 only, once.
	for _, tok := range []string{u.editor, u.leader, u.director, u.auditor} {
		e.must(t, http.StatusForbidden, "POST", path+"/done", tok, map[string]any{})
	}
	e.must(t, http.StatusOK, "POST", path+"/done", u.publisher, map[string]any{"comment": "已随App 3.2上线"}).decode(t, &got)
	if got.State != "done" || got.DoneBy == nil || len(got.History) != 5 {
		t.Fatalf("done: %+v", got)
	}
	kinds := []string{}
	for _, h := range got.History {
		kinds = append(kinds, h.Kind)
	}
	if strings.Join(kinds, ",") != "submitted,comment,comment,approved,done" || got.History[3].Comment != "同意" {
		t.Errorf("history: %+v", got.History)
	}
	if p := e.call(t, "POST", path+"/done", u.publisher, nil).problem(t); p.Status != 409 || p.Code != cms.ETRANSITION {
		t.Errorf("done twice: %+v", p)
	}
	if p := e.call(t, "POST", path+"/comments", u.publisher, map[string]any{"comment": "再议"}).problem(t); p.Status != 409 {
		t.Errorf("comment on a request done: %+v", p)
	}

	// Refused: by the director, with a reason; then closed.
	g := e.submitFeature(t, u.head, "在线预约")
	e.must(t, http.StatusOK, "POST", featurePath(g.ID, "/decision"), u.director, map[string]any{"approve": false, "comment": "已有同类功能"}).decode(t, &got)
	if got.State != "refused" {
		t.Fatalf("refused: %+v", got)
	}
	e.must(t, http.StatusConflict, "POST", featurePath(g.ID, "/done"), u.publisher, nil)
	e.must(t, http.StatusConflict, "POST", featurePath(g.ID, "/comments"), u.editor, map[string]any{"comment": "请再考虑"})

	// Nobody decides on their own request.
	own := e.submitFeature(t, u.headLeader, "贷款试算")
	if own.SubmittedBy != u.headLeaderID {
		t.Fatalf("own: %+v", own)
	}
	e.must(t, http.StatusForbidden, "POST", featurePath(own.ID, "/decision"), u.headLeader, map[string]any{"approve": true})
	e.must(t, http.StatusOK, "POST", featurePath(own.ID, "/decision"), u.leader, map[string]any{"approve": true})

	// Listing: each reads what they may; filters by state and department.
	list := func(tok, query string) []featureBody {
		t.Helper()
		var l featureList
		e.must(t, http.StatusOK, "GET", "/api/v1/feature-requests"+query, tok, nil).decode(t, &l)
		return l.Requests
	}
	if n := len(list(u.auditor, "")); n != 4 {
		t.Errorf("auditor lists %d, want 4", n)
	}
	if ls := list(u.finance, ""); len(ls) != 1 || ls[0].Department != "finance" {
		t.Errorf("finance editor lists %+v", ls)
	}
	if ls := list(u.editor, "?state=approved"); len(ls) != 1 || ls[0].ID != own.ID || ls[0].History != nil {
		t.Errorf("approved for the editor: %+v", ls)
	}
	if ls := list(u.publisher, "?department=collection&state=done"); len(ls) != 1 || ls[0].ID != f.ID {
		t.Errorf("done in collection: %+v", ls)
	}
	if ls := list(u.officeLeader, ""); len(ls) != 0 {
		t.Errorf("a leader of the office lists %+v", ls)
	}
	e.must(t, http.StatusForbidden, "GET", "/api/v1/feature-requests", e.admin, nil)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/feature-requests", u.secrecy, nil)

	// Each change is in the audit log (beside the refusals above), and the
	// decisions are events.
	entries, err := e.db.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range entries {
		if a.Subject == "feature_request:"+strconv.FormatInt(f.ID, 10) && a.Action != cms.AuditPermissionDenied {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, ",") != "feature_submitted,feature_commented,feature_commented,feature_approved,feature_done" {
		t.Errorf("audit of the request: %v", actions)
	}
	evs := e.eventTypes(t)
	if evs[cms.FeatureSubmittedEvent] != 4 || evs[cms.FeatureApprovedEvent] != 2 || evs[cms.FeatureRefusedEvent] != 1 || evs[cms.FeatureDoneEvent] != 1 {
		t.Errorf("events: %v", evs)
	}
}

// TestFeatureRequestBadInput: malformed, hostile or unknown input gets a
// clear 4xx problem, never a 500.
func TestFeatureRequestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	f := e.submitFeature(t, c.editor, "网点排队")
	cases := []struct {
		name   string
		rq     request
		status int
		field  string
	}{
		{"unknown channel", request{method: "POST", path: "/api/v1/feature-requests", body: map[string]any{"channel": "web", "title": "a", "description": "b"}}, 422, "channel"},
		{"no title", request{method: "POST", path: "/api/v1/feature-requests", body: map[string]any{"channel": "app", "title": " ", "description": "b"}}, 422, "title"},
		{"no description", request{method: "POST", path: "/api/v1/feature-requests", body: map[string]any{"channel": "app", "title": "a"}}, 422, "description"},
		{"long title", request{method: "POST", path: "/api/v1/feature-requests", body: map[string]any{"channel": "app", "title": strings.Repeat("长", 201), "description": "b"}}, 422, "title"},
		{"unknown field", request{method: "POST", path: "/api/v1/feature-requests", body: map[string]any{"channel": "app", "title": "a", "description": "b", "state": "done"}}, 422, "state"},
		{"malformed", request{method: "POST", path: "/api/v1/feature-requests", rawBody: []byte(`{"channel":`)}, 400, ""},
		{"not JSON", request{method: "POST", path: "/api/v1/feature-requests", rawBody: []byte("channel=app"), contentType: "application/x-www-form-urlencoded"}, 415, ""},
		{"unknown state", request{method: "GET", path: "/api/v1/feature-requests?state=pending"}, 422, "state"},
		{"no approve", request{method: "POST", path: featurePath(f.ID, "/decision"), body: map[string]any{"comment": "同意"}}, 422, "approve"},
		{"null approve", request{method: "POST", path: featurePath(f.ID, "/decision"), body: map[string]any{"approve": nil}}, 422, "approve"},
		{"approve not boolean", request{method: "POST", path: featurePath(f.ID, "/decision"), body: map[string]any{"approve": "yes"}}, 422, "approve"},
		{"the old decision field", request{method: "POST", path: featurePath(f.ID, "/decision"), body: map[string]any{"decision": "approve"}}, 422, "decision"},
		{"non-numeric id", request{method: "GET", path: "/api/v1/feature-requests/abc"}, 404, ""},
		{"long comment", request{method: "POST", path: featurePath(f.ID, "/comments"), body: map[string]any{"comment": strings.Repeat("意", 2001)}}, 422, "comment"},
	}
	for _, tc := range cases {
		tc.rq.raw = true
		tc.rq.token = c.director
		if tc.rq.method == "POST" && !strings.Contains(tc.rq.path, "/decision") {
			tc.rq.token = c.editor
		}
		r := e.send(t, tc.rq)
		p := r.problem(t)
		if r.Status != tc.status || (tc.field != "" && !p.hasField(tc.field)) {
			t.Errorf("%s: %d %+v, want %d naming %q", tc.name, r.Status, p, tc.status, tc.field)
		}
	}
}

// TestFeatureRequestNotifies: 信息科, the leader in charge of the
// department and the director hear of a new request, a leader of other
// departments does not; the submitter hears of the decision with its
// comment, and of the request done.
func TestFeatureRequestNotifies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := newFeatureUsers(t, e)
	e.runEvents(t)
	f := e.submitFeature(t, u.editor, "公积金缴存证明打印")
	for _, who := range []string{u.publisher, u.leader, u.director} {
		e.waitInbox(t, who, "new request", func(ns []inboxNote) bool {
			return len(ns) > 0 && strings.Contains(ns[0].Title, "《公积金缴存证明打印》") && strings.Contains(ns[0].Body, "归集科") &&
				ns[0].Link == "/console/feature-requests/"+strconv.FormatInt(f.ID, 10)
		})
	}
	e.must(t, http.StatusOK, "POST", featurePath(f.ID, "/decision"), u.leader, map[string]any{"approve": true, "comment": "请信息科尽快安排"})
	e.waitInbox(t, u.editor, "approval", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "功能建议已批准") && strings.Contains(ns[0].Body, "请信息科尽快安排")
	})
	e.waitInbox(t, u.publisher, "approval for 信息科", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "交软件开发单位")
	})
	e.must(t, http.StatusOK, "POST", featurePath(f.ID, "/done"), u.publisher, nil)
	e.waitInbox(t, u.editor, "done", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "功能建议已修改完善")
	})
	g := e.submitFeature(t, u.editor, "人脸识别登录")
	e.must(t, http.StatusOK, "POST", featurePath(g.ID, "/decision"), u.director, map[string]any{"approve": false, "comment": "需先完成实名认证改造"})
	e.waitInbox(t, u.editor, "refusal", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "未获批准") && strings.Contains(ns[0].Body, "需先完成实名认证改造")
	})
	for _, tok := range []string{u.officeLeader, u.finance, u.auditor} {
		for _, n := range e.inbox(t, tok) {
			if strings.Contains(n.Title, "功能建议") {
				t.Errorf("told of another department's request: %+v", n)
			}
		}
	}
	for _, n := range e.inbox(t, u.leader) {
		if strings.Contains(n.Title, "已批准") {
			t.Errorf("the deciding leader is told of their own decision: %+v", n)
		}
	}
}

// TestFeatureRequestDecidedOnce: the leader in charge and the director
// decide at the same moment; exactly one decision is recorded, the other
// gets 409, and the history holds one decision.
func TestFeatureRequestDecidedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	for round := range 5 {
		f := e.submitFeature(t, c.editor, "并发审批"+strconv.Itoa(round))
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, tok := range []string{c.leader, c.director} {
			wg.Go(func() {
				statuses[i] = e.call(t, "POST", featurePath(f.ID, "/decision"), tok, map[string]any{"approve": false, "comment": "不同意"}).Status
			})
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != http.StatusOK || statuses[1] != http.StatusConflict {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		var got featureBody
		e.must(t, http.StatusOK, "GET", featurePath(f.ID, ""), c.publisher, nil).decode(t, &got)
		if len(got.History) != 2 || got.History[1].Kind != "refused" {
			t.Fatalf("round %d: history %+v", round, got.History)
		}
	}
}

package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

type windowBody struct {
	ID        int64   `json:"id"`
	State     string  `json:"state"`
	DecidedBy *int64  `json:"decided_by"`
	Comment   string  `json:"comment"`
	EndsAt    *string `json:"ends_at"`
}

type menuMaintenance struct {
	Maintenance *struct {
		Notice string `json:"notice"`
		Active bool   `json:"active"`
	} `json:"maintenance"`
}

// announce has publisher token pub request a maintenance window of channel
// and a director approve it (第十五条), as announcing one now needs.
func (e *env) announce(t testing.TB, pub, channel, notice, startsAt string) windowBody {
	t.Helper()
	var w windowBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/maintenance-windows", pub, map[string]any{"channel": channel,
		"kind": "upgrade", "reason": "系统升级", "notice": notice, "starts_at": startsAt}).decode(t, &w)
	if e.approver == "" {
		_, e.approver = e.user(t, "maint-director", "office", role{"director", "office"})
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/maintenance-windows/"+strconv.FormatInt(w.ID, 10)+"/decision", e.approver,
		map[string]any{"approve": true}).decode(t, &w)
	return w
}

func (e *env) menuNotice(t *testing.T, channel string) menuMaintenance {
	t.Helper()
	var m menuMaintenance
	e.must(t, http.StatusOK, "GET", "/content/v1/channels/"+channel+"/menu", "", nil).decode(t, &m)
	return m
}

func (e *env) eventTypes(t *testing.T) map[cms.EventType]int {
	t.Helper()
	evs, err := e.db.Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[cms.EventType]int{}
	for _, ev := range evs {
		out[ev.Type]++
	}
	return out
}

// TestMaintenanceWindowNeedsApproval: 第十五条. 信息科 requests a window with
// its reason and time; the director refuses one, which is never announced
// (no menu notice, no maintenance.changed for webhooks), and the leader in
// charge of 信息科 approves another, which the content API's menu carries
// from 24 hours before it and which goes out as maintenance.changed.
func TestMaintenanceWindowNeedsApproval(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour }) // the test spans days
	c := newChain(t, e)
	_, infoLeader := e.user(t, "info-leader", "office", role{"leader", "information"})
	start := e.clock.Now().Add(72 * time.Hour).Format(time.RFC3339)
	req := map[string]any{"channel": "wechat", "kind": "suspension", "reason": "机房搬迁", "notice": "3月4日暂停服务", "starts_at": start}

	e.must(t, http.StatusForbidden, "POST", "/api/v1/maintenance-windows", c.editor, req)
	e.must(t, http.StatusForbidden, "POST", "/api/v1/maintenance-windows", c.director, req)
	for field, bad := range map[string]any{"reason": "", "notice": "", "kind": "other", "starts_at": "2026-02-01T00:00:00Z"} {
		b := map[string]any{}
		for k, v := range req {
			b[k] = v
		}
		b[field] = bad
		if p := e.call(t, "POST", "/api/v1/maintenance-windows", c.publisher, b).problem(t); !p.hasField(field) {
			t.Errorf("%s=%v: %+v", field, bad, p)
		}
	}
	e.must(t, http.StatusNotFound, "POST", "/api/v1/maintenance-windows", c.publisher, map[string]any{"channel": "web",
		"kind": "upgrade", "reason": "x", "notice": "x", "starts_at": start})
	// Announcing directly is no longer possible.
	e.must(t, http.StatusConflict, "PUT", "/api/v1/channels/wechat/maintenance", c.publisher, map[string]any{"notice": "立即停服", "starts_at": start})

	var refused windowBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/maintenance-windows", c.publisher, req).decode(t, &refused)
	if refused.State != "requested" {
		t.Fatalf("request: %+v", refused)
	}
	path := "/api/v1/maintenance-windows/" + strconv.FormatInt(refused.ID, 10) + "/decision"
	e.must(t, http.StatusForbidden, "POST", path, c.publisher, map[string]any{"approve": true})
	e.must(t, http.StatusForbidden, "POST", path, c.leader, map[string]any{"approve": true}) // in charge of other departments
	if p := e.call(t, "POST", path, c.director, map[string]any{"approve": false}).problem(t); !p.hasField("comment") {
		t.Errorf("refusal without a reason: %+v", p)
	}
	e.must(t, http.StatusOK, "POST", path, c.director, map[string]any{"approve": false, "comment": "改在周末"}).decode(t, &refused)
	if refused.State != "refused" || refused.DecidedBy == nil || refused.Comment != "改在周末" {
		t.Fatalf("refused: %+v", refused)
	}
	e.must(t, http.StatusConflict, "POST", path, infoLeader, map[string]any{"approve": true})
	e.clock.Advance(60 * time.Hour) // 12 hours before the refused window
	if m := e.menuNotice(t, "wechat"); m.Maintenance != nil {
		t.Fatalf("a refused window is announced: %+v", m.Maintenance)
	}
	if n := e.eventTypes(t)[cms.MaintenanceChanged]; n != 0 {
		t.Fatalf("a refused window went out to webhooks: %d maintenance.changed events", n)
	}

	// Approved by the leader in charge of 信息科: announced from 24 hours before.
	req["starts_at"] = e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	var ok windowBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/maintenance-windows", c.publisher, req).decode(t, &ok)
	e.must(t, http.StatusOK, "POST", "/api/v1/maintenance-windows/"+strconv.FormatInt(ok.ID, 10)+"/decision", infoLeader,
		map[string]any{"approve": true, "comment": "同意"}).decode(t, &ok)
	if ok.State != "approved" {
		t.Fatalf("approved: %+v", ok)
	}
	if n := e.eventTypes(t)[cms.MaintenanceChanged]; n != 1 {
		t.Fatalf("the approval made %d maintenance.changed events, want 1", n)
	}
	if m := e.menuNotice(t, "wechat"); m.Maintenance != nil {
		t.Fatalf("announced 48 hours ahead, before the lead time: %+v", m.Maintenance)
	}
	e.clock.Advance(25 * time.Hour)
	if m := e.menuNotice(t, "wechat"); m.Maintenance == nil || m.Maintenance.Notice != "3月4日暂停服务" || m.Maintenance.Active {
		t.Fatalf("within the lead time: %+v", m.Maintenance)
	}
	e.clock.Advance(24 * time.Hour)
	if m := e.menuNotice(t, "wechat"); m.Maintenance == nil || !m.Maintenance.Active {
		t.Fatalf("during the window: %+v", m.Maintenance)
	}
	var list struct {
		Windows []windowBody `json:"windows"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/maintenance-windows?state=refused", c.director, nil).decode(t, &list)
	if len(list.Windows) != 1 || list.Windows[0].ID != refused.ID {
		t.Errorf("refused windows: %+v", list)
	}
	e.must(t, http.StatusForbidden, "GET", "/api/v1/maintenance-windows", c.editor, nil)
	// Withdrawing the notice stays with 信息科.
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/wechat/maintenance", c.publisher, map[string]any{"notice": ""})
	if m := e.menuNotice(t, "wechat"); m.Maintenance != nil {
		t.Fatalf("after withdrawal: %+v", m.Maintenance)
	}
}

// TestMaintenanceRequestNotifiesApprovers: the director and the leader in
// charge of 信息科 are told of a request, a leader of other departments
// is not; the requester is told of the refusal with its reason.
func TestMaintenanceRequestNotifiesApprovers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, infoLeader := e.user(t, "info-leader", "office", role{"leader", "information"})
	e.runEvents(t)
	var w windowBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/maintenance-windows", c.publisher, map[string]any{"channel": "app",
		"kind": "upgrade", "reason": "App 升级到 3.0", "notice": "App 升级，暂停服务两小时",
		"starts_at": e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)}).decode(t, &w)
	for _, who := range []string{c.director, infoLeader} {
		e.waitInbox(t, who, "request", func(ns []inboxNote) bool {
			return len(ns) > 0 && strings.Contains(ns[0].Title, "停服维护申请待批") && strings.Contains(ns[0].Body, "App 升级到 3.0")
		})
	}
	// The window starts at 08:00 UTC on 3 March: the leaders read China time.
	if ns := e.inbox(t, c.director); len(ns) == 0 || !strings.Contains(ns[0].Body, "2026-03-03 16:00 起") ||
		strings.Contains(ns[0].Body, "T08:00") {
		t.Errorf("the window's time is not given in China time: %+v", ns)
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/maintenance-windows/"+strconv.FormatInt(w.ID, 10)+"/decision", c.director,
		map[string]any{"approve": false, "comment": "避开月初缴存高峰"})
	e.waitInbox(t, c.publisher, "refusal", func(ns []inboxNote) bool {
		return len(ns) > 0 && strings.Contains(ns[0].Title, "未获批准") && strings.Contains(ns[0].Body, "避开月初缴存高峰")
	})
	for _, n := range e.inbox(t, c.leader) {
		if strings.Contains(n.Title, "停服维护") {
			t.Errorf("a leader not in charge of 信息科 was told: %+v", n)
		}
	}
}

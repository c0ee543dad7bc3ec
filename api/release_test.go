package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
)

// release sends a publisher's release with a publication time ("" keeps
// the revision's publish_at) and fails unless the status is want.
func (e *env) release(t testing.TB, want int, token string, revID int64, at string) *response {
	t.Helper()
	body := map[string]string{"event": "release"}
	if at != "" {
		body["publish_at"] = at
	}
	r := e.call(t, "POST", revisionPath(revID)+"/transitions", token, body)
	if r.Status != want {
		t.Fatalf("release of revision %d at %q: %d, want %d: %s", revID, at, r.Status, want, r.Body)
	}
	return r
}

// TestClearedRevisionWaitsForThePublisher: by default (第十条) a cleared
// revision is not public until a publisher of 信息科 acts. Releasing it
// for a time records their decision; the scheduler publishes it then on
// their behalf, and the history names them.
func TestClearedRevisionWaitsForThePublisher(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.Auth.SessionTTL = 1000 * time.Hour }) // the test spans a month
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "scheduled")
	ctx := context.Background()
	clearedAt := e.clock.Now()
	e.clock.Advance(30 * 24 * time.Hour)
	if n, _, err := e.svc.Workflow.RunScheduler(ctx); n != 0 || err != nil {
		t.Fatalf("the scheduler published %d without a publisher: %v", n, err)
	}
	if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusNotFound {
		t.Fatalf("public before the publisher acted: %d", st)
	}
	// The publisher's queue holds it, overdue past the 24 hours of the stage.
	q := e.queue(t, c.publisher, "?stage=scheduled")
	if !q.has(revID) || q.Items[0].DueAt == nil || !q.Items[0].DueAt.Equal(clearedAt.Add(24*time.Hour)) || !q.Items[0].Overdue {
		t.Fatalf("publisher's queue: %+v", q)
	}
	// Nobody else releases, and a release needs a time.
	e.release(t, http.StatusForbidden, c.editor, revID, "2026-04-01T00:00:00Z")
	e.release(t, http.StatusForbidden, c.secrecy, revID, "2026-04-01T00:00:00Z")
	if p := e.release(t, http.StatusUnprocessableEntity, c.publisher, revID, "").problem(t); !p.hasField("publish_at") {
		t.Errorf("release without a time: %+v", p)
	}
	bad := e.send(t, request{method: "POST", path: revisionPath(revID) + "/transitions", token: c.publisher, raw: true,
		body: map[string]string{"event": "release", "publish_at": "明天"}})
	if p := bad.problem(t); bad.Status != http.StatusUnprocessableEntity || !p.hasField("publish_at") {
		t.Errorf("release at a bad time: %d %+v", bad.Status, p)
	}
	if p := e.call(t, "POST", revisionPath(revID)+"/transitions", c.publisher,
		map[string]string{"event": "publish", "publish_at": "2026-04-01T00:00:00Z"}).problem(t); !p.hasField("publish_at") {
		t.Errorf("publish with a time: %+v", p)
	}
	at := e.clock.Now().Add(2 * time.Hour)
	var rev struct {
		State      string     `json:"state"`
		ReleasedBy *int64     `json:"released_by"`
		ReleaseAt  *time.Time `json:"release_at"`
	}
	e.release(t, http.StatusOK, c.publisher, revID, at.Format(time.RFC3339)).decode(t, &rev)
	if rev.State != "scheduled" || rev.ReleasedBy == nil || *rev.ReleasedBy != e.userID(t, "publisher") || rev.ReleaseAt == nil || !rev.ReleaseAt.Equal(at) {
		t.Fatalf("after the release: %+v", rev)
	}
	if e.queue(t, c.publisher, "").has(revID) {
		t.Error("a released revision still waits in the publisher's queue")
	}
	if n, _, _ := e.svc.Workflow.RunScheduler(ctx); n != 0 {
		t.Fatal("published before the time the publisher set")
	}
	e.clock.Advance(2 * time.Hour)
	if n, _, err := e.svc.Workflow.RunScheduler(ctx); n != 1 || err != nil {
		t.Fatalf("published %d at the publisher's time: %v", n, err)
	}
	if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusOK {
		t.Fatalf("not public after publication: %d", st)
	}
	h := e.history(t, c.editor, itemID)
	rel, pub := h[len(h)-2], h[len(h)-1]
	if rel.Event != "release" || rel.Actor == nil || rel.Actor.Username != "publisher" || rel.Role != "publisher" || rel.To != "scheduled" {
		t.Errorf("release in the history: %+v", rel)
	}
	if pub.Event != "publish" || pub.Actor == nil || pub.Actor.Username != "publisher" || pub.Role != "publisher" || pub.Comment == "" {
		t.Errorf("the publication is not recorded as the publisher's decision: %+v", pub)
	}
}

// TestWithdrawForgetsTheRelease: a revision pulled back to draft loses the
// publisher's release; cleared again, it waits for a publisher again.
func TestWithdrawForgetsTheRelease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "scheduled")
	e.release(t, http.StatusOK, c.publisher, revID, e.clock.Now().Add(time.Hour).Format(time.RFC3339))
	var rev struct {
		ReleasedBy *int64 `json:"released_by"`
	}
	e.fire(t, http.StatusOK, c.editor, revID, "withdraw", "")
	e.must(t, http.StatusOK, "GET", revisionPath(revID), c.editor, nil).decode(t, &rev)
	if rev.ReleasedBy != nil {
		t.Fatalf("a withdrawn revision keeps its release: %+v", rev)
	}
	e.toState(t, c, revID, "scheduled")
	e.clock.Advance(2 * time.Hour)
	if n, _, _ := e.svc.Workflow.RunScheduler(context.Background()); n != 0 {
		t.Fatal("the old release published the revision cleared again")
	}
}

// TestAutoPublish: with CMS_AUTO_PUBLISH the scheduler publishes a cleared
// revision itself, at once when it has no publish_at, and the history
// names the system.
func TestAutoPublish(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.AutoPublish = true })
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "scheduled")
	if n, _, err := e.svc.Workflow.RunScheduler(context.Background()); n != 1 || err != nil {
		t.Fatalf("auto publish: %d %v", n, err)
	}
	if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusOK {
		t.Fatalf("not public at once: %d", st)
	}
	h := e.history(t, c.editor, itemID)
	if last := h[len(h)-1]; last.Event != "publish" || last.Actor != nil || last.Role != "system" {
		t.Errorf("auto publication in the history: %+v", last)
	}
}

// TestReleaseLapsesWithThePublisher: the scheduler publishes a released
// revision on the publisher's behalf only while they still hold the
// publisher role. Disabled, or the role taken away, their release lapses
// at the time it was due: nothing is published, the revision waits in
// 信息科's queue again and its publishers are told.
func TestReleaseLapsesWithThePublisher(t *testing.T) {
	t.Parallel()
	for name, revoke := range map[string]map[string]any{
		"disabled":     {"disabled": true},
		"role removed": {"roles": []map[string]string{{"role": "editor", "department": "information"}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := eventsEnv(t, nil)
			c := newChain(t, e)
			_, other := e.user(t, "publisher2", "information", role{"publisher", "information"})
			itemID, revID := e.completeGuide(t, c.editor)
			e.toState(t, c, revID, "scheduled")
			e.release(t, http.StatusOK, c.publisher, revID, e.clock.Now().Add(time.Hour).Format(time.RFC3339))
			e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(e.userID(t, "publisher"), 10), e.admin, revoke)
			e.clock.Advance(2 * time.Hour)
			if n, _, err := e.svc.Workflow.RunScheduler(context.Background()); n != 0 || err != nil {
				t.Fatalf("the scheduler published %d on the release of a publisher who no longer is one: %v", n, err)
			}
			if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusNotFound {
				t.Fatalf("public on a lapsed release: %d", st)
			}
			var rev struct {
				State      string  `json:"state"`
				ReleasedBy *int64  `json:"released_by"`
				ReleaseAt  *string `json:"release_at"`
			}
			e.must(t, http.StatusOK, "GET", revisionPath(revID), c.editor, nil).decode(t, &rev)
			if rev.State != "scheduled" || rev.ReleasedBy != nil || rev.ReleaseAt != nil {
				t.Fatalf("after the lapse: %+v", rev)
			}
			h := e.history(t, c.editor, itemID)
			if last := h[len(h)-1]; last.Event != "release" || last.Actor != nil || last.Role != "system" || last.Comment == "" {
				t.Errorf("the lapse in the history: %+v", last)
			}
			if !e.queue(t, other, "").has(revID) {
				t.Error("the revision does not wait in the other publisher's queue")
			}
			e.waitInbox(t, other, "the other publisher hears of the lapse", func(n []inboxNote) bool {
				for _, x := range n {
					if x.Kind == "review" && strings.Contains(x.Body, "定时发布已取消") {
						return true
					}
				}
				return false
			})
			if n, _, _ := e.svc.Workflow.RunScheduler(context.Background()); n != 0 {
				t.Fatal("a later run published the lapsed release")
			}
			e.fire(t, http.StatusOK, other, revID, "publish", "")
			if st := e.get("/content/v1/items/" + strconv.FormatInt(itemID, 10)); st != http.StatusOK {
				t.Fatalf("not public after the other publisher published: %d", st)
			}
			// The approval form's 发布 box holds the decisions, not the lapse.
			var form struct {
				Stages []struct {
					Stage   string `json:"stage"`
					Signers []struct {
						Event string `json:"event"`
						Role  string `json:"role"`
					} `json:"signers"`
				} `json:"stages"`
			}
			e.must(t, http.StatusOK, "GET", revisionPath(revID)+"/approval-form", c.editor, nil).decode(t, &form)
			if box := form.Stages[5].Signers; len(box) != 2 || box[0].Event != "release" || box[0].Role != "publisher" ||
				box[1].Event != "publish" || box[1].Role != "publisher" {
				t.Errorf("the form's 发布 box: %+v", box)
			}
		})
	}
}

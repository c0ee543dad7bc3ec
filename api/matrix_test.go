package api_test

import (
	"net/http"
	"testing"
)

// TestPermissionMatrix fires every event at every state as every role, from
// the owning department and from another, and checks each answer against
// the workflow table written out here independently of the code: 200 when
// allowed, 403 when the actor may not, 409 when the event does not apply.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, editorOther := e.user(t, "ed-fin", "finance", role{"editor", "finance"})
	_, headOther := e.user(t, "head-fin", "finance", role{"dept_head", "finance"})
	_, leaderOther := e.user(t, "leader-lic", "office", role{"leader", "licensing"})
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})

	type actor struct {
		name, token string
		reads       bool // may read items of 归集科
	}
	actors := []actor{
		{"editor (owning, submitter)", c.editor, true}, {"editor (other dept)", editorOther, false},
		{"dept_head (owning)", c.head, true}, {"dept_head (other dept)", headOther, false},
		{"leader (owning)", c.leader, true}, {"leader (other dept)", leaderOther, false},
		{"director", c.director, true}, {"secrecy_reviewer", c.secrecy, true}, {"publisher", c.publisher, true},
		{"auditor", auditor, true}, {"admin", e.admin, false},
	}
	applicable := map[string][]string{
		"draft":              {"submit"},
		"dept_review":        {"withdraw", "approve", "reject"},
		"leadership_signoff": {"withdraw", "sign", "reject"},
		"secrecy_review":     {"withdraw", "clear", "reject"},
		"scheduled":          {"withdraw", "publish"},
		"published":          {"archive", "suspend"},
		"suspended":          {"restore"},
		"archived":           {},
	}
	// allowed[state][event] lists who may fire it (at the first sign-off step).
	allowed := map[string]map[string][]string{
		"draft":              {"submit": {"editor (owning, submitter)"}},
		"dept_review":        {"withdraw": {"editor (owning, submitter)"}, "approve": {"dept_head (owning)"}, "reject": {"dept_head (owning)"}},
		"leadership_signoff": {"withdraw": {"editor (owning, submitter)"}, "sign": {"leader (owning)"}, "reject": {"leader (owning)"}},
		"secrecy_review":     {"withdraw": {"editor (owning, submitter)"}, "clear": {"secrecy_reviewer"}, "reject": {"secrecy_reviewer"}},
		"scheduled":          {"withdraw": {"editor (owning, submitter)"}, "publish": {"publisher"}},
		"published":          {"archive": {"publisher"}, "suspend": {"publisher", "director"}},
		"suspended":          {"restore": {"publisher", "director"}},
	}
	events := []string{"submit", "withdraw", "approve", "sign", "clear", "reject", "publish", "archive", "suspend", "restore"}
	contains := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	checked := map[int]int{}
	for state, evs := range applicable {
		_, base := e.completeGuide(t, c.editor)
		e.toState(t, c, base, state)
		for _, ev := range events {
			for _, a := range actors {
				if contains(allowed[state][ev], a.name) {
					_, fresh := e.completeGuide(t, c.editor)
					e.toState(t, c, fresh, state)
					r := e.call(t, "POST", revisionPath(fresh)+"/transitions", a.token, map[string]string{"event": ev, "comment": "matrix"})
					if r.Status != http.StatusOK {
						t.Errorf("%s: %s by %s: %d, want 200: %s", state, ev, a.name, r.Status, r.Body)
					}
					checked[r.Status]++
					continue
				}
				want := http.StatusForbidden
				if a.reads && !contains(evs, ev) {
					want = http.StatusConflict
				}
				r := e.call(t, "POST", revisionPath(base)+"/transitions", a.token, map[string]string{"event": ev, "comment": "matrix"})
				if r.Status != want {
					t.Errorf("%s: %s by %s: %d, want %d: %s", state, ev, a.name, r.Status, want, r.Body)
					continue
				}
				if p := r.problem(t); want == http.StatusConflict && p.Code != "invalid_transition" {
					t.Errorf("%s: %s by %s: code %q", state, ev, a.name, p.Code)
				}
				checked[r.Status]++
			}
		}
	}
	t.Logf("matrix: %d allowed, %d forbidden, %d inapplicable", checked[200], checked[403], checked[409])
	if checked[200] != 17 || checked[200]+checked[403]+checked[409] != 8*10*11 {
		t.Errorf("checked %v", checked)
	}
}

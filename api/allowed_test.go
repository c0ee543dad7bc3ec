package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// allowed asks which events a user may fire on a revision now.
func (e *env) allowed(t *testing.T, token string, revID int64) []string {
	t.Helper()
	var out struct {
		Events []string `json:"events"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(revID)+"/transitions", token, nil).decode(t, &out)
	return out.Events
}

// TestAllowedEventsFollowTheChain walks a revision through the chain and,
// at every stage, asks each person what they may do: the answer names
// exactly the events the transition endpoint then accepts, so a client
// that shows only those never offers a refused action.
func TestAllowedEventsFollowTheChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, incomplete := e.completeGuide(t, c.editor)
	if r := e.send(t, request{method: "PATCH", path: revisionPath(incomplete), token: c.editor,
		body: map[string]any{"fields": map[string]any{"place": nil}}, header: map[string]string{"If-Match": `"1"`}}); r.Status != http.StatusOK {
		t.Fatalf("clear a required field: %d %s", r.Status, r.Body)
	}
	_, revID := e.completeGuide(t, c.editor)
	people := map[string]string{"editor": c.editor, "editor2": c.editor2, "head": c.head, "leader": c.leader,
		"director": c.director, "secrecy": c.secrecy, "publisher": c.publisher}
	check := func(stage string, want map[string][]string) {
		t.Helper()
		for name, token := range people {
			got := e.allowed(t, token, revID)
			if !slices.Equal(got, want[name]) && !(len(got) == 0 && len(want[name]) == 0) {
				t.Errorf("%s: %s may %v, want %v", stage, name, got, want[name])
			}
		}
	}
	if got := e.allowed(t, c.editor, incomplete); len(got) != 0 {
		t.Errorf("an incomplete draft may be %v", got)
	}
	check("draft", map[string][]string{"editor": {"submit"}, "editor2": {"submit"}})
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	check("dept_review", map[string][]string{"editor": {"withdraw"}, "head": {"approve", "reject"}})
	e.fire(t, http.StatusOK, c.head, revID, "approve", "")
	check("leader's turn", map[string][]string{"editor": {"withdraw"}, "leader": {"sign", "reject"}})
	e.fire(t, http.StatusOK, c.leader, revID, "sign", "同意")
	check("director's turn", map[string][]string{"editor": {"withdraw"}, "director": {"sign", "reject"}})
	e.fire(t, http.StatusOK, c.director, revID, "sign", "")
	check("secrecy_review", map[string][]string{"editor": {"withdraw"}, "secrecy": {"clear", "reject"}})
	e.fire(t, http.StatusOK, c.secrecy, revID, "clear", "")
	check("scheduled", map[string][]string{"editor": {"withdraw"}, "publisher": {"release", "publish"}})
	e.fire(t, http.StatusOK, c.publisher, revID, "publish", "")
	check("published", map[string][]string{"director": {"suspend"}, "publisher": {"archive", "suspend"}})
	e.fire(t, http.StatusOK, c.director, revID, "suspend", "应急")
	check("suspended", map[string][]string{"director": {"restore"}, "publisher": {"restore"}})

	// Those who may not read the item are refused, as everywhere else.
	_, other := e.user(t, "finance.editor", "finance", role{"editor", "finance"})
	e.must(t, http.StatusForbidden, "GET", revisionPath(revID)+"/transitions", other, nil)
	e.must(t, http.StatusNotFound, "GET", revisionPath(999999)+"/transitions", c.editor, nil)
	e.must(t, http.StatusUnauthorized, "GET", revisionPath(revID)+"/transitions", "", nil)
}

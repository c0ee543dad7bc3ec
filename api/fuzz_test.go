package api_test

import (
	"net/http"
	"testing"
)

// FuzzManagementBodies sends arbitrary bodies to the JSON endpoints an
// editor reaches: the answer is never a server error, and every answer
// still conforms to openapi.yaml.
func FuzzManagementBodies(f *testing.F) {
	for _, s := range []string{
		`{"column":"guides-deposit","title":"x","fields":{"materials":[{"copies":"two"}]}}`,
		`{"column":"news","title":"\u0000","publish_at":"2026-13-01T00:00:00Z"}`,
		`{"column":["news"]}`, `[]`, `null`, `{"title":1e999}`, "\xff", `{"fields":{"coordinates":{"lat":"x"}}}`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	e := newEnv(f)
	c := newChain(f, e)
	var it createdItem
	e.must(f, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "guides-deposit", "title": "fuzz"}).decode(f, &it)
	var grantee userBody
	e.must(f, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{"username": "grantee", "password": initialPassword,
		"department": "office", "roles": []map[string]string{{"role": "director", "department": "office"}}}).decode(f, &grantee)
	f.Fuzz(func(t *testing.T, body []byte, route uint8) {
		rq := request{token: c.editor, rawBody: body, raw: true}
		switch route % 5 {
		case 4:
			rq.method, rq.path, rq.token = "POST", grantPath(grantee.PendingGrants[0].ID, "refuse"), e.admin2
		case 0:
			rq.method, rq.path = "POST", "/api/v1/items"
		case 1:
			rq.method, rq.path, rq.header = "PATCH", revisionPath(it.Revision.ID), map[string]string{"If-Match": `"1"`}
		case 2:
			rq.method, rq.path = "POST", revisionPath(it.Revision.ID)+"/transitions"
		case 3:
			rq.method, rq.path, rq.token = "POST", "/content/v1/loan-calculator", ""
		}
		if r := e.send(t, rq); r.Status >= 500 {
			t.Fatalf("%s %s with %q: %d %s", rq.method, rq.path, body, r.Status, r.Body)
		}
	})
}

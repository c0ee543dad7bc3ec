package api_test

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestBadInputIsRefusedAndChangesNothing sends malformed, oversized and
// hostile requests; each gets a 4xx problem body and no item is written.
func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ed := e.user(t, "ed", "collection", role{"editor", "collection"})
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, guideBody("guides-deposit")).decode(t, &it)
	rev := revisionPath(it.Revision.ID)
	ifMatch := map[string]string{"If-Match": `"1"`}

	cases := []struct {
		name   string
		rq     request
		status int
		code   string
		field  string
	}{
		{"malformed JSON", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`{"column":`)}, 400, "bad_request", ""},
		{"not an object", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`[1,2]`)}, 400, "bad_request", ""},
		{"two values", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`{"column":"news","title":"a"} {}`)}, 400, "bad_request", ""},
		{"invalid UTF-8", request{method: "POST", path: "/api/v1/items", rawBody: []byte("{\"column\":\"news\",\"title\":\"\xff\xfe\"}")}, 400, "bad_request", ""},
		{"wrong media type", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`{}`), contentType: "text/plain"}, 415, "unsupported_media_type", ""},
		{"form body", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`column=news`), contentType: "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"10 MB body", request{method: "POST", path: "/api/v1/items", rawBody: bytes.Repeat([]byte(" "), 10<<20)}, 413, "payload_too_large", ""},
		{"wrong type", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`{"column":"news","title":42}`)}, 422, "validation_failed", "title"},
		{"unknown field", request{method: "POST", path: "/api/v1/items", rawBody: []byte(`{"column":"news","title":"a","admin":true}`)}, 422, "validation_failed", "admin"},
		{"unknown column", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "nope", "title": "a"}}, 422, "validation_failed", "column"},
		{"SQL as column", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "news' OR '1'='1", "title": "a"}}, 422, "validation_failed", "column"},
		{"no title", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "guides-deposit"}}, 422, "validation_failed", "title"},
		{"blank title", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "guides-deposit", "title": "  "}}, 422, "validation_failed", "title"},
		{"long title", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "guides-deposit", "title": strings.Repeat("长", 201)}}, 422, "validation_failed", "title"},
		{"unknown typed field", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "guides-deposit", "title": "a", "fields": map[string]any{"colour": "red"}}}, 422, "validation_failed", "fields.colour"},
		{"bad typed field", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "guides-deposit", "title": "a", "fields": map[string]any{"materials": []any{map[string]any{"copies": "two"}}}}}, 422, "validation_failed", "fields.materials[0].copies"},
		{"bad body format", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "news", "title": "a", "body_format": "docx"}}, 422, "validation_failed", "body_format"},
		{"bad time", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "news", "title": "a", "publish_at": "tomorrow"}}, 422, "validation_failed", "publish_at"},
		{"expiry before publication", request{method: "POST", path: "/api/v1/items", body: map[string]any{"column": "news", "title": "a", "publish_at": "2026-05-02T00:00:00Z", "expire_at": "2026-05-01T00:00:00Z"}}, 422, "validation_failed", "expire_at"},
		{"PATCH bad If-Match", request{method: "PATCH", path: rev, body: map[string]any{"title": "b"}, header: map[string]string{"If-Match": "W/\"x\""}, raw: true}, 412, "precondition_failed", ""},
		{"PATCH malformed", request{method: "PATCH", path: rev, rawBody: []byte(`{"title":`), header: ifMatch}, 400, "bad_request", ""},
		{"PATCH wrong field type", request{method: "PATCH", path: rev, body: map[string]any{"fields": map[string]any{"conditions": "all"}}, header: ifMatch}, 422, "validation_failed", "fields.conditions"},
		{"non-numeric id", request{method: "GET", path: "/api/v1/items/abc", raw: true}, 404, "not_found", ""},
		{"negative id", request{method: "GET", path: "/api/v1/revisions/-1", raw: true}, 404, "not_found", ""},
		{"huge id", request{method: "GET", path: "/api/v1/items/99999999999999999999", raw: true}, 404, "not_found", ""},
		{"unknown route", request{method: "GET", path: "/api/v1/nothing"}, 404, "not_found", ""},
		{"wrong method", request{method: "DELETE", path: "/api/v1/columns"}, 405, "method_not_allowed", ""},
		{"unknown column slug", request{method: "GET", path: "/api/v1/columns/%27%3B%20DROP%20TABLE%20items%3B--"}, 404, "not_found", ""},
		{"unknown channel", request{method: "GET", path: "/api/v1/channels/web/menu"}, 404, "not_found", ""},
		{"bad revision action", request{method: "POST", path: itemPath(it.ID) + "/revisions", body: map[string]any{"action": "destroy"}}, 422, "validation_failed", "action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.rq.token = ed
			if c.rq.rawBody != nil {
				c.rq.raw = true
			}
			r := e.send(t, c.rq)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			p := r.problem(t)
			if p.Code != c.code {
				t.Errorf("code %q, want %q", p.Code, c.code)
			}
			if c.field != "" && !p.hasField(c.field) {
				t.Errorf("errors %+v do not name %s", p.Errors, c.field)
			}
		})
	}

	// Nothing of the above was written: one item, its draft unchanged.
	var list struct{ Items []struct{ ID int64 } }
	e.must(t, http.StatusOK, "GET", "/api/v1/items", ed, nil).decode(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("%d items after bad input, want 1", len(list.Items))
	}
	var got struct {
		Version int    `json:"version"`
		Title   string `json:"title"`
	}
	e.must(t, http.StatusOK, "GET", rev, ed, nil).decode(t, &got)
	if got.Version != 1 || got.Title != "住房公积金缴存登记" {
		t.Errorf("draft changed: %+v", got)
	}

	// SQL-looking strings are stored and returned literally.
	hostile := "'; DROP TABLE items; -- <script>alert(1)</script>"
	var created createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, map[string]any{"column": "news", "title": hostile,
		"body": "<img src=x onerror=alert(1)>[x](javascript:alert(1))"}).decode(t, &created)
	var stored struct {
		Title    string `json:"title"`
		BodyHTML string `json:"body_html"`
	}
	e.must(t, http.StatusOK, "GET", revisionPath(created.Revision.ID), ed, nil).decode(t, &stored)
	if stored.Title != hostile {
		t.Errorf("title = %q", stored.Title)
	}
	if strings.Contains(stored.BodyHTML, "onerror") || strings.Contains(stored.BodyHTML, "javascript:") {
		t.Errorf("unsanitised body_html %q", stored.BodyHTML)
	}
}

// TestSpecDescribesEveryRoute compares echo's routes with openapi.yaml's operations.
func TestSpecDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	router := openAPIRouter(t)
	_ = router
	var routes []string
	for _, r := range e.server.Echo().Routes() {
		if strings.HasPrefix(r.Path, "/") && !strings.Contains(r.Path, "*") {
			routes = append(routes, r.Method+" "+echoToOpenAPI(r.Path))
		}
	}
	ops := specOperations(t)
	sort.Strings(routes)
	missing, extra := diff(routes, ops), diff(ops, routes)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("operations in openapi.yaml without a route: %v", extra)
	}
}

func echoToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func diff(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range b {
		set[s] = true
	}
	var out []string
	for _, s := range a {
		if !set[s] {
			out = append(out, s)
		}
	}
	return out
}

func TestProbesAndSpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.must(t, http.StatusOK, "GET", "/healthz", "", nil)
	e.must(t, http.StatusOK, "GET", "/readyz", "", nil)
	r := e.must(t, http.StatusOK, "GET", "/openapi.yaml", "", nil)
	if !bytes.HasPrefix(r.Body, []byte("openapi: 3.")) {
		t.Errorf("spec starts with %q", r.Body[:20])
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	e.db.Close()
	e.must(t, http.StatusServiceUnavailable, "GET", "/readyz", "", nil)
}

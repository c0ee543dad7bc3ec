package api_test

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	openapi "github.com/tlhpf/cms"
)

// hostileStrings are what neither database stores as text (NUL), other
// control characters, and bytes that are not UTF-8.
var hostileStrings = []struct{ name, raw string }{
	{"NUL", "\x00"},
	{"SOH", "\x01"},
	{"ESC", "\x1b"},
	{"DEL", "\x7f"},
	{"C1 NEL", "\u0085"},
	{"not UTF-8", "\xff"},
}

// TestHostileStringsOnEveryRoute walks echo's route table: a control
// character or invalid UTF-8 in each path parameter and in a query
// parameter, and, for routes that take a JSON body, in each string of it
// and a null body. Every answer is a 4xx problem, never a 500.
func TestHostileStringsOnEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatal(err)
	}
	var bodyCases, nullCases atomic.Int64
	routes := e.server.Echo().Routes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
	refused := func(t *testing.T, rq request, want ...int) {
		t.Helper()
		rq.raw = true
		if rq.token == "" {
			rq.token = e.admin
		}
		r := e.send(t, rq)
		if r.Status < 400 || r.Status >= 500 {
			t.Fatalf("%s %q: %d %s", rq.method, rq.path, r.Status, r.Body)
		}
		r.problem(t)
		if len(want) > 0 && !contains(want, r.Status) {
			t.Fatalf("%s %q: %d, want one of %v: %s", rq.method, rq.path, r.Status, want, r.Body)
		}
	}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/") || strings.Contains(rt.Path, "*") {
			continue
		}
		op := doc.Paths.Find(echoToOpenAPI(rt.Path)).GetOperation(rt.Method)
		if op == nil {
			t.Errorf("%s %s is not in openapi.yaml", rt.Method, rt.Path)
			continue
		}
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			token := e.login("admin", adminPassword) // logout ends it
			refused := func(t *testing.T, rq request, want ...int) { rq.token = token; refused(t, rq, want...) }
			for _, h := range hostileStrings {
				esc := url.PathEscape(h.raw)
				for _, name := range pathParams(rt.Path) {
					refused(t, request{method: rt.Method, path: fillPath(rt.Path, name, "1"+esc)}, 400)
				}
				for _, name := range append(queryParams(op), "utm_source") {
					refused(t, request{method: rt.Method, path: fillPath(rt.Path, "", "") + "?" + name + "=a" + esc}, 400)
				}
			}
			if !jsonBody(op) {
				return
			}
			body := func(v any) request {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				return request{method: rt.Method, path: fillPath(rt.Path, "", ""), rawBody: b, header: map[string]string{"If-Match": `"1"`}}
			}
			for _, raw := range []string{`null`, ` null `} {
				rq := body(nil)
				rq.rawBody = []byte(raw)
				refused(t, rq, 422)
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			strs, nulls := hostileBodies(schema, "\x00"), hostileBodies(schema, nil)
			bodyCases.Add(int64(len(strs)))
			nullCases.Add(int64(len(nulls)))
			for field, v := range strs {
				rq := body(v)
				rq.raw = true
				rq.token = token
				r := e.send(t, rq)
				if r.Status != 422 || !r.problem(t).hasField(field) {
					t.Errorf("%s with a NUL in %s: %d %s", rt.Path, field, r.Status, r.Body)
				}
			}
			for field, v := range nulls {
				r := e.send(t, request{method: rt.Method, path: fillPath(rt.Path, "", ""), body: v, token: token,
					header: map[string]string{"If-Match": `"1"`}, raw: true})
				if r.Status != 422 || !r.problem(t).hasField(field) {
					t.Errorf("%s with %s null: %d %s", rt.Path, field, r.Status, r.Body)
				}
			}
		})
	}
	if bodyCases.Load() < 40 || nullCases.Load() < 5 {
		t.Errorf("only %d strings and %d nulls in bodies were tried", bodyCases.Load(), nullCases.Load())
	}
	t.Logf("%d routes; %d strings and %d non-nullable values in bodies", len(routes), bodyCases.Load(), nullCases.Load())
	e.admin = e.login("admin", adminPassword)
	// Login with a NUL in the username, the reviewers' first finding.
	r := e.send(t, request{method: "POST", path: "/api/v1/auth/login", rawBody: []byte(`{"username":"admin\u0000","password":"x"}`), raw: true})
	if r.Status != 422 || !r.problem(t).hasField("username") {
		t.Errorf("login with NUL: %d %s", r.Status, r.Body)
	}
	// A sensitive-word list of null neither empties the list nor passes.
	for _, raw := range []string{`null`, `{"words":null}`, `{"words":[null]}`} {
		r := e.send(t, request{method: "PUT", path: "/api/v1/sensitive-words", token: e.admin, rawBody: []byte(raw), raw: true})
		if r.Status != 422 {
			t.Errorf("sensitive words %s: %d %s", raw, r.Status, r.Body)
		}
	}
	// Tabs and line breaks stay allowed where text may span lines.
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	e.announce(t, pub, "app", "系统升级\r\n\t暂停服务", "2026-03-02T00:00:00Z")
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// pathParams lists the names of an echo route's parameters.
func pathParams(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if strings.HasPrefix(s, ":") {
			out = append(out, s[1:])
		}
	}
	return out
}

// fillPath gives every parameter a plausible value, and name the one given.
func fillPath(p, name, value string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		switch {
		case s == ":"+name:
			parts[i] = value
		case s == ":channel":
			parts[i] = "app"
		case s == ":slug":
			parts[i] = "news"
		case s == ":token":
			parts[i] = "token"
		case strings.HasPrefix(s, ":"):
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

func queryParams(op *openapi3.Operation) []string {
	var out []string
	for _, p := range op.Parameters {
		if p.Value.In == openapi3.ParameterInQuery {
			out = append(out, p.Value.Name)
		}
	}
	return out
}

func jsonBody(op *openapi3.Operation) bool {
	return op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil
}

// hostileBodies returns, per string of the body schema (at any depth, by
// its field path), a body that holds v there and nothing else; with v nil,
// per non-nullable object or array, a body that holds null there.
func hostileBodies(s *openapi3.Schema, v any) map[string]any {
	out := map[string]any{}
	var walk func(s *openapi3.Schema, path string, wrap func(any) any)
	walk = func(s *openapi3.Schema, path string, wrap func(any) any) {
		switch {
		case s.Type.Is("string") && v != nil:
			out[path] = wrap(v)
		case s.Type.Is("array"):
			if v == nil && !s.Nullable {
				out[path] = wrap(nil)
			}
			walk(s.Items.Value, path+"[0]", func(x any) any { return wrap([]any{x}) })
		case s.Type.Is("object"):
			if v == nil && !s.Nullable && path != "" {
				out[path] = wrap(nil)
			}
			for name, p := range s.Properties {
				field := strings.TrimPrefix(path+"."+name, ".")
				walk(p.Value, field, func(x any) any { return wrap(map[string]any{name: x}) })
			}
			if ap := s.AdditionalProperties; (ap.Has != nil && *ap.Has) || ap.Schema != nil {
				if v != nil {
					field := strings.TrimPrefix(path+".x", ".")
					out[field] = wrap(map[string]any{"x": v})
				}
			}
		}
	}
	walk(s, "", func(x any) any { return x })
	return out
}

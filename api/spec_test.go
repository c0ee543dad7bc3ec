package api_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	openapi "github.com/tlhpf/cms"
)

// OpenAPI 3.0 allows null only where a schema says `nullable: true` beside
// its own `type` (3.0.3, Schema Object): next to `allOf` or `$ref` alone it
// has no effect, and an `enum` must list null itself. kin-openapi reads
// `nullable` more loosely than that, so the harness first takes out every
// `nullable` a strict validator would ignore (strictNulls), and this test
// names each one, so that the spec says what strict clients will accept.

// TestSpecNullsAreStrict fails on every `nullable` that a strict OpenAPI 3.0
// validator would ignore.
func TestSpecNullsAreStrict(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	walkSchemas(doc, func(where string, s *openapi3.Schema) {
		if why := looseNull(s); why != "" {
			bad = append(bad, where+": "+why)
		}
	})
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// TestSpecPathParametersHaveExamples: every path parameter shows a value.
func TestSpecPathParametersHaveExamples(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		params := slices.Clone(item.Parameters)
		for method, op := range item.Operations() {
			for _, p := range append(params, op.Parameters...) {
				v := p.Value
				if v.In == openapi3.ParameterInPath && v.Example == nil && len(v.Examples) == 0 &&
					(v.Schema == nil || v.Schema.Value.Example == nil) {
					t.Errorf("%s %s: path parameter %s has no example", method, path, v.Name)
				}
			}
		}
	}
}

// looseNull says why a schema's `nullable` does not allow null to a strict
// validator, or "" when it does or the schema is not nullable.
func looseNull(s *openapi3.Schema) string {
	if !s.Nullable {
		return ""
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return "nullable without a type has no effect (use anyOf with a nullable branch of a type)"
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
		return "nullable with an enum that does not list null allows no null"
	}
	return ""
}

// strictNulls clears every `nullable` that a strict validator ignores, so
// that kin-openapi refuses the nulls such a validator would refuse.
func strictNulls(doc *openapi3.T) {
	walkSchemas(doc, func(_ string, s *openapi3.Schema) {
		if looseNull(s) != "" {
			s.Nullable = false
		}
	})
}

// walkSchemas calls fn once for every schema of the document, named by
// where it is first met.
func walkSchemas(doc *openapi3.T, fn func(where string, s *openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(where string, ref *openapi3.SchemaRef)
	visitAll := func(where string, refs openapi3.SchemaRefs) {
		for i, r := range refs {
			visit(fmt.Sprintf("%s[%d]", where, i), r)
		}
	}
	visit = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		fn(where, s)
		for _, name := range sortedKeys(s.Properties) {
			visit(where+".properties."+name, s.Properties[name])
		}
		visit(where+".items", s.Items)
		visit(where+".additionalProperties", s.AdditionalProperties.Schema)
		visit(where+".not", s.Not)
		visitAll(where+".allOf", s.AllOf)
		visitAll(where+".anyOf", s.AnyOf)
		visitAll(where+".oneOf", s.OneOf)
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		visit("components.schemas."+name, doc.Components.Schemas[name])
	}
	visitContent := func(where string, c openapi3.Content) {
		for _, mt := range sortedKeys(c) {
			visit(where+"."+mt, c[mt].Schema)
		}
	}
	for _, name := range sortedKeys(doc.Components.Parameters) {
		visit("components.parameters."+name, doc.Components.Parameters[name].Value.Schema)
	}
	for _, name := range sortedKeys(doc.Components.Headers) {
		visit("components.headers."+name, doc.Components.Headers[name].Value.Schema)
	}
	for _, name := range sortedKeys(doc.Components.Responses) {
		visitContent("components.responses."+name, doc.Components.Responses[name].Value.Content)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			where := strings.ToUpper(method) + " " + path
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				visit(where+" parameter "+p.Value.Name, p.Value.Schema)
			}
			if op.RequestBody != nil {
				visitContent(where+" request", op.RequestBody.Value.Content)
			}
			for status, r := range op.Responses.Map() {
				visitContent(where+" "+status, r.Value.Content)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

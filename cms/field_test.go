package cms_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// fieldCase is one value given to a field: what it normalises to, or the
// error it gets, and how the content API serves it.
type fieldCase struct {
	name string
	in   any
	want any    // canonical value; nil: the field is left out
	err  string // part of the message expected, "" when accepted
	path string // where the error is reported; "fields.f" when empty
	// served is what the content API serves for want; nil: want as stored.
	served any
}

// markRenderer marks what it renders, so that tests see which values went
// through the renderer and with which format.
type markRenderer struct{}

func (markRenderer) HTML(body, format string) string { return "<" + format + ">" + body }
func (markRenderer) Text(body, format string) string { return body }

// runFieldCases gives each case's value to the field f of a content type
// holding only spec, and checks what comes out of NormalizeFields and
// RenderFields.
func runFieldCases(t *testing.T, spec cms.FieldSpec, cases []fieldCase) {
	t.Helper()
	spec.Name, spec.Label = "f", "字段"
	ct := &cms.ContentType{Name: "test", Label: "测试", Fields: []cms.FieldSpec{spec}}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, fe := ct.NormalizeFields(map[string]any{"f": tt.in})
			if tt.err != "" {
				path := tt.path
				if path == "" {
					path = "fields.f"
				}
				if !hasFieldError(fe, path, tt.err) {
					t.Fatalf("errors = %+v, want %q on %s", fe, tt.err, path)
				}
				if _, ok := got["f"]; ok && len(fe) == 1 && path == "fields.f" {
					t.Errorf("refused value kept as %#v", got["f"])
				}
				return
			}
			if len(fe) > 0 {
				t.Fatalf("errors = %+v, want none", fe)
			}
			if v, ok := got["f"]; tt.want == nil && ok {
				t.Fatalf("normalised to %#v, want it left out", v)
			}
			if !reflect.DeepEqual(got["f"], tt.want) {
				t.Fatalf("normalised to %#v, want %#v", got["f"], tt.want)
			}
			if tt.want == nil {
				return
			}
			served := tt.served
			if served == nil {
				served = tt.want
			}
			if out := ct.RenderFields(got, markRenderer{}); !reflect.DeepEqual(out["f"], served) {
				t.Errorf("served as %#v, want %#v", out["f"], served)
			}
		})
	}
}

func hasFieldError(fe cms.FieldErrors, path, msg string) bool {
	for _, e := range fe {
		if e.Field == path && strings.Contains(e.Message, msg) {
			return true
		}
	}
	return false
}

// TestRenderFieldsKeepsUnknownValues: values without a field (stored
// before a field was dropped) are served as they are, never lost.
func TestRenderFieldsKeepsUnknownValues(t *testing.T) {
	t.Parallel()
	ct := cms.LookupContentType(cms.TypeFAQ)
	got := ct.RenderFields(map[string]any{"question": "问", "answer": "**答**", "old": "旧"}, markRenderer{})
	want := map[string]any{"question": "问", "answer": "<markdown>**答**", "old": "旧"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RenderFields = %#v, want %#v", got, want)
	}
}

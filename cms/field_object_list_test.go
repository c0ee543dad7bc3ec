package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestObjectListField(t *testing.T) {
	t.Parallel()
	one := 1.0
	spec := cms.FieldSpec{Kind: cms.KindObjectList, MaxLen: 2, Fields: []cms.FieldSpec{
		{Name: "title", Label: "步骤", Kind: cms.KindString, Required: true, MaxLen: 20},
		{Name: "description", Label: "说明", Kind: cms.KindText},
		{Name: "copies", Label: "份数", Kind: cms.KindInteger, Min: &one},
	}}
	runFieldCases(t, spec, []fieldCase{
		{name: "entries normalised, text inside rendered",
			in:     []any{map[string]any{"title": " 提交 ", "description": "**x**", "copies": json.Number("2")}, map[string]any{"title": "审核", "description": nil}},
			want:   []any{map[string]any{"title": "提交", "description": "**x**", "copies": int64(2)}, map[string]any{"title": "审核"}},
			served: []any{map[string]any{"title": "提交", "description": "<markdown>**x**", "copies": int64(2)}, map[string]any{"title": "审核"}}},
		{name: "required sub-field missing", in: []any{map[string]any{"description": "x"}}, err: "is required", path: "fields.f[0].title"},
		{name: "required sub-field blank", in: []any{map[string]any{"title": "  "}}, err: "is required", path: "fields.f[0].title"},
		{name: "sub-field refused", in: []any{map[string]any{"title": "t", "copies": json.Number("0")}}, err: "must be at least 1", path: "fields.f[0].copies"},
		{name: "unknown sub-field", in: []any{map[string]any{"title": "t", "color": "red"}}, err: "is not a field", path: "fields.f[0].color"},
		{name: "entry not an object", in: []any{"t"}, err: "must be an object", path: "fields.f[0]"},
		{name: "too many", in: []any{map[string]any{"title": "a"}, map[string]any{"title": "b"}, map[string]any{"title": "c"}}, err: "must have at most 2 entries"},
		{name: "one object", in: map[string]any{"title": "t"}, err: "must be a list of objects"},
	})
}

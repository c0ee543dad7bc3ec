package cms_test

import (
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestStringListField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindStringList, MaxLen: 3}, []fieldCase{
		{name: "trimmed, in order, repeats kept", in: []any{" b ", "a", "a"}, want: []any{"b", "a", "a"}},
		{name: "entry at its maximum", in: []any{strings.Repeat("字", 500)}, want: []any{strings.Repeat("字", 500)}},
		{name: "too many", in: []any{"a", "b", "c", "d"}, err: "must have at most 3 entries"},
		{name: "blank entry", in: []any{"a", " "}, err: "must be a non-empty single-line string", path: "fields.f[1]"},
		{name: "entry over two lines", in: []any{"a\nb"}, err: "single-line", path: "fields.f[0]"},
		{name: "entry too long", in: []any{strings.Repeat("字", 501)}, err: "at most 500 characters", path: "fields.f[0]"},
		{name: "entry not a string", in: []any{7.0}, err: "non-empty single-line string", path: "fields.f[0]"},
		{name: "one string", in: "a", err: "must be a list of strings"},
		{name: "null left out", in: nil},
	})
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindStringList}, []fieldCase{
		{name: "default maximum", in: make([]any, 201), err: "must have at most 200 entries"},
	})
}

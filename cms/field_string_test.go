package cms_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestStringField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindString, MaxLen: 5}, []fieldCase{
		{name: "trimmed", in: "  ab ", want: "ab"},
		{name: "maximum counted in characters", in: "五个汉字啊", want: "五个汉字啊"},
		{name: "markup served as written", in: "**a**", want: "**a**"},
		{name: "too long", in: "123456", err: "must be at most 5 characters"},
		{name: "line break", in: "a\nb", err: "must be a single line"},
		{name: "carriage return", in: "a\rb", err: "must be a single line"},
		{name: "number", in: json.Number("1"), err: "must be a string"},
		{name: "blank left out", in: "   "},
	})
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindString}, []fieldCase{
		{name: "default maximum", in: strings.Repeat("字", 500), want: strings.Repeat("字", 500)},
		{name: "over the default maximum", in: strings.Repeat("字", 501), err: "must be at most 500 characters"},
	})
}

package cms_test

import (
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestTextField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindText, MaxLen: 10}, []fieldCase{
		{name: "several lines, served rendered as Markdown", in: " **a**\n\nb ", want: "**a**\n\nb", served: "<markdown>**a**\n\nb"},
		{name: "too long", in: strings.Repeat("字", 11), err: "must be at most 10 characters"},
		{name: "list", in: []any{"a"}, err: "must be a string"},
	})
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindText}, []fieldCase{
		{name: "default maximum", in: strings.Repeat("a", 100_000), want: strings.Repeat("a", 100_000),
			served: "<markdown>" + strings.Repeat("a", 100_000)},
		{name: "over the default maximum", in: strings.Repeat("a", 100_001), err: "must be at most 100000 characters"},
	})
}

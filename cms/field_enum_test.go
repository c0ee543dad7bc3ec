package cms_test

import (
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestEnumField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindEnum, Options: []string{"current", "repealed"}}, []fieldCase{
		{name: "option", in: "repealed", want: "repealed"},
		{name: "trimmed", in: " current ", want: "current"},
		{name: "other value", in: "expired", err: "must be one of current, repealed"},
		{name: "case matters", in: "Current", err: "must be one of"},
		{name: "list", in: []any{"current"}, err: "must be one of"},
	})
}

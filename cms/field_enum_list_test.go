package cms_test

import (
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestEnumListField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindEnumList, MaxLen: 3, Options: []string{"loan", "deposit", "withdrawal", "repayment"}}, []fieldCase{
		{name: "options kept in order", in: []any{" loan", "deposit "}, want: []any{"loan", "deposit"}},
		{name: "repeated", in: []any{"loan", "loan"}, err: "is repeated", path: "fields.f[1]"},
		{name: "other value", in: []any{"loan", "gift"}, err: "must be one of loan, deposit, withdrawal, repayment", path: "fields.f[1]"},
		{name: "too many", in: []any{"loan", "deposit", "withdrawal", "repayment"}, err: "must have at most 3 entries"},
		{name: "one string", in: "loan", err: "must be a list of strings"},
		{name: "empty list left out", in: []any{}},
	})
}

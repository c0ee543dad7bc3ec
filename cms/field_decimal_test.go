package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestDecimalField(t *testing.T) {
	t.Parallel()
	max := 100.0
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindDecimal, Max: &max}, []fieldCase{
		{name: "JSON number kept exact", in: json.Number("2.85"), want: "2.85"},
		{name: "string", in: " 3.1 ", want: "3.1"},
		{name: "float", in: 0.5, want: "0.5"},
		{name: "eight decimal places", in: "0.12345678", want: "0.12345678"},
		{name: "nine decimal places", in: "0.123456789", err: "at most 8 decimal places"},
		{name: "negative", in: json.Number("-1"), err: "must be a non-negative decimal number"},
		{name: "exponent", in: json.Number("1e2"), err: "must be a non-negative decimal number"},
		{name: "above the maximum", in: "100.5", err: "must be at most 100"},
		{name: "boolean", in: true, err: "must be a decimal number"},
	})
}

package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestIntegerField(t *testing.T) {
	t.Parallel()
	one, hundred := 1.0, 100.0
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindInteger, Min: &one, Max: &hundred}, []fieldCase{
		{name: "JSON number", in: json.Number("42"), want: int64(42)},
		{name: "float without fraction", in: 42.0, want: int64(42)},
		{name: "Go integer", in: 7, want: int64(7)},
		{name: "at the bounds", in: json.Number("100"), want: int64(100)},
		{name: "fraction", in: json.Number("1.5"), err: "must be an integer"},
		{name: "float fraction", in: 1.5, err: "must be an integer"},
		{name: "string", in: "42", err: "must be an integer"},
		{name: "below the minimum", in: json.Number("0"), err: "must be at least 1"},
		{name: "above the maximum", in: json.Number("101"), err: "must be at most 100"},
		{name: "beyond int64", in: json.Number("99999999999999999999"), err: "must be an integer"},
	})
}

package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestDateField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindDate}, []fieldCase{
		{name: "date", in: "2024-02-29", want: "2024-02-29"},
		{name: "trimmed", in: " 2024-01-01 ", want: "2024-01-01"},
		{name: "no such day", in: "2023-02-29", err: "must be a date as YYYY-MM-DD"},
		{name: "other layout", in: "2024/01/01", err: "must be a date"},
		{name: "with a time", in: "2024-01-01T00:00:00Z", err: "must be a date"},
		{name: "number", in: json.Number("20240101"), err: "must be a date"},
	})
}

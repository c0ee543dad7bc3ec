package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestPhoneField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindPhone}, []fieldCase{
		{name: "as printed", in: "(0562) 123-4567", want: "(0562) 123-4567"},
		{name: "international, trimmed", in: " +86 562 1234567 ", want: "+86 562 1234567"},
		{name: "letters", in: "12345 ext", err: "must be a telephone number"},
		{name: "too short", in: "12", err: "must be a telephone number"},
		{name: "number", in: json.Number("12345"), err: "must be a telephone number"},
	})
}

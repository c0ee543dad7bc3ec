package cms_test

import (
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestVersionField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindVersion}, []fieldCase{
		{name: "major and minor", in: "2.4", want: "2.4"},
		{name: "with patch", in: "2.10.0", want: "2.10.0"},
		{name: "leading zero", in: "2.04", err: "must be a version such as 2.4 or 2.4.1"},
		{name: "one number", in: "2", err: "must be a version"},
		{name: "prefix", in: "v2.4", err: "must be a version"},
		{name: "four numbers", in: "1.2.3.4", err: "must be a version"},
	})
}

package cms_test

import (
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestURLField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindURL}, []fieldCase{
		{name: "https", in: "https://example.cn/app.apk", want: "https://example.cn/app.apk"},
		{name: "http", in: "http://example.cn", want: "http://example.cn"},
		{name: "relative", in: "/app.apk", err: "must be an absolute http or https URL"},
		{name: "javascript", in: "javascript:alert(1)", err: "must be an absolute http or https URL"},
		{name: "no host", in: "https://", err: "must be an absolute"},
		{name: "too long", in: "https://example.cn/" + strings.Repeat("a", 2000), err: "must be an absolute"},
	})
}

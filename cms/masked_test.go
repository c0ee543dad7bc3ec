package cms_test

import (
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestMaskedName(t *testing.T) {
	t.Parallel()
	key := []byte("k")
	a, b := cms.MaskedName(key, "张伟的密码Secret1"), cms.MaskedName(key, "张伟的密码Secret1")
	if a != b || !strings.HasPrefix(a, "张伟…") || strings.Contains(a, "密码") || len([]rune(a)) != 15 {
		t.Errorf("MaskedName = %q, %q", a, b)
	}
	if cms.MaskedName(key, "张伟x") == a || cms.MaskedName([]byte("other"), "张伟的密码Secret1") == a {
		t.Error("different names or keys give the same mask")
	}
	if m := cms.MaskedName(key, "\x00\nab"); !strings.HasPrefix(m, "??…") {
		t.Errorf("control characters kept: %q", m)
	}
	if m := cms.MaskedName(key, ""); !strings.HasPrefix(m, "…") {
		t.Errorf("empty: %q", m)
	}
}

package console

import (
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestFieldLabelsAndMessages: the services' field paths and messages read
// as Chinese, and anything the catalogue does not know still reads as a
// message rather than English.
func TestFieldLabelsAndMessages(t *testing.T) {
	guide := cms.LookupContentType(cms.TypeGuide)
	labels := []struct{ path, want string }{
		{"title", "标题"},
		{"body", "说明"},
		{"fields.place", "办理地点"},
		{"fields.conditions[2]", "办理条件 第3项"},
		{"fields.materials[1].copies", "所需材料 第2行 份数"},
		{"fields.nope", "nope"},
	}
	for _, l := range labels {
		if got := fieldLabel(guide, l.path); got != l.want {
			t.Errorf("fieldLabel(%q) = %q, want %q", l.path, got, l.want)
		}
	}
	messages := []struct{ msg, want string }{
		{"is required", "必填"},
		{"must be at most 200 characters", "最多 200 个字"},
		{"must be at least 1", "不能小于 1"},
		{"must be one of original, copy, original_and_copy", "请从选项中选择"},
		{"say why (it is kept in the history)", "请填写意见（将记入审批记录）"},
		{"something new", "格式不正确"},
	}
	for _, m := range messages {
		if got := fieldMessage(m.msg); got != m.want {
			t.Errorf("fieldMessage(%q) = %q, want %q", m.msg, got, m.want)
		}
	}
}

// TestSafeNext: after signing in, only console pages of this site.
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/queue?stage=dept_review": "/console/queue?stage=dept_review",
		"":                                 "/console/",
		"https://evil.example/console/":    "/console/",
		"//evil.example/console/":          "/console/",
		"/console/..//evil":                "/console/",
		`/console/\evil`:                   "/console/",
		"/api/v1/me":                       "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

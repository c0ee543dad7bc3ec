package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestFindingsMarkedInText: the secrecy reviewer sees each finding marked
// in the text where it stands (the body, a typed field), linked to its
// acknowledgement, the text around it escaped; an acknowledged one is
// marked as done.
func TestFindingsMarkedInText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	if _, err := e.svc.Secrecy.SetSensitiveWords(context.Background(), e.admin,
		[]cms.SensitiveWord{{Word: "内部参阅", Severity: cms.SeverityBlocking}}); err != nil {
		t.Fatal(err)
	}
	_, rev := e.guide(t, c.editor, "缴存登记")
	body := "<b>单位</b>经办人手机 13912345678，咨询后办理。"
	fields := guideFields()
	fields["conditions"] = []any{"新设立的单位", "持内部参阅通知的单位"}
	if _, _, err := e.svc.Items.UpdateDraft(context.Background(), e.as(t, c.editor), rev.ID, rev.Version,
		cms.Content{Body: &body, Fields: fields}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		u  *cms.User
		ev cms.Event
	}{{c.editor, cms.EventSubmit}, {c.head, cms.EventApprove}, {c.leader, cms.EventSign}, {c.director, cms.EventSign}} {
		e.fire(t, s.u, rev.ID, s.ev, "")
	}
	sec := e.browser(t)
	sec.login(c.secrecy.Username, staffPassword)
	p := sec.get(revPath(rev.ID)).must(t, http.StatusOK).has(t, "（原文，标出检查发现）", "办理条件 第2项（原文", "说明（原文",
		`<div class="pre">&lt;b&gt;单位&lt;/b&gt;经办人手机 <mark`, "</mark>，咨询后办理。</div>", `<div class="pre">持<mark`, "</mark>通知的单位</div>")
	marks := regexp.MustCompile(`<mark id="mark-(\d+)" class="blocking"><a href="#finding-(\d+)"><span class="sr-only">([^<]+)：</span>([^<]+)</a></mark>`).
		FindAllStringSubmatch(p.Body, -1)
	got := map[string]string{}
	for _, m := range marks {
		if m[1] != m[2] {
			t.Errorf("mark %s links to finding %s", m[1], m[2])
		}
		got[m[3]] = m[4]
		p.has(t, `id="finding-`+m[1]+`"`, `href="#mark-`+m[1]+`"`)
	}
	if got["手机号码"] != "13912345678" || got["敏感词"] != "内部参阅" || len(got) != 2 {
		t.Fatalf("marked: %v", got)
	}

	fid := marks[0][1]
	sec.post(revPath(rev.ID)+"/findings/"+fid+"/acknowledge", url.Values{"reason": {"经办人同意公开。"}}).must(t, http.StatusSeeOther)
	sec.get(revPath(rev.ID)).has(t, `<mark id="mark-`+fid+`" class="done">`)
}

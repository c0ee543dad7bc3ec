package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// oneTimePassword reads the password a created or reset page shows once.
var oneTimePassword = regexp.MustCompile(`aria-label="一次性密码"><code>([^<]+)</code>`)

// grantIDs finds the grants a users page lists, in order.
var grantIDs = regexp.MustCompile(`<li class="grant" id="grant-(\d+)">`)

// TestUsersAndGrants: an administrator creates an account with a one-time
// password shown once; the roles of the chain wait for a second
// administrator, who confirms or refuses them on the users page; neither
// the requester nor the grantee is ever offered a decision, and a forged
// decision is refused.
func TestUsersAndGrants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	second := e.staff(t, "wang.min", "王敏", "information", bind(cms.RoleAdmin, "information"))
	ed := e.staff(t, "zhang.wei", "张伟", "collection", bind(cms.RoleEditor, "collection"))

	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get("/console/").must(t, http.StatusOK).has(t, `href="/console/admin"`)
	if p := admin.get("/console/admin"); p.Location() != "/console/users" {
		t.Fatalf("系统管理 leads to %q", p.Location())
	}
	admin.get("/console/users/new").must(t, http.StatusOK).has(t, "新建账户", `value="editor|collection"`, `value="publisher|"`)
	admin.post("/console/users/new", url.Values{"username": {"Bad Name"}, "display_name": {"周杰"}, "department": {"information"}}).
		must(t, http.StatusUnprocessableEntity).has(t, "须为 2 至 63 位小写字母", `value="周杰"`)
	admin.post("/console/users/new", url.Values{"username": {"zhang.wei"}, "department": {"information"}}).
		must(t, http.StatusConflict).has(t, "该用户名已被使用")
	p := admin.post("/console/users/new", url.Values{"username": {"zhou.jie"}, "display_name": {`周杰<script>x</script>`},
		"department": {"information"}, "role": {"editor|information", "publisher|"}}).must(t, http.StatusCreated).
		has(t, "账户已创建", "此密码只显示这一次", "以下授权须另一名管理员确认后生效：发布员", "周杰&lt;script&gt;x&lt;/script&gt;").
		lacks(t, "<script>x")
	pw := html.UnescapeString(oneTimePassword.FindStringSubmatch(p.Body)[1])
	newcomer := e.browser(t)
	newcomer.login("zhou.jie", pw)
	if p := newcomer.get("/console/"); p.Location() != "/console/password" {
		t.Errorf("a one-time password leads to %q, want the password change", p.Location())
	}

	// The requester sees the grant but may not decide it.
	p = admin.get("/console/users").must(t, http.StatusOK).has(t, "待另一名管理员确认（1）", "授予“发布员”", "这是您申请的").
		lacks(t, `/confirm"`)
	gid := grantIDs.FindStringSubmatch(p.Body)[1]
	admin.post("/console/grants/"+gid+"/confirm", nil).must(t, http.StatusForbidden)

	other := e.browser(t)
	other.login(second.Username, staffPassword)
	other.get("/console/users").must(t, http.StatusOK).has(t, `/console/grants/`+gid+`/confirm"`, `/console/grants/`+gid+`/refuse"`)
	other.post("/console/grants/"+gid+"/confirm", url.Values{"csrf": {"forged"}}).must(t, http.StatusForbidden)
	other.post("/console/grants/"+gid+"/confirm", nil).must(t, http.StatusSeeOther)
	other.get("/console/users").has(t, "已确认授权", "待另一名管理员确认（0）")
	other.post("/console/grants/"+gid+"/confirm", nil).must(t, http.StatusConflict).has(t, "该授权已由他人处理")

	// A grant for an administrator: the grantee may not decide it either.
	sid := itoa(second.ID)
	p = admin.get("/console/users/"+sid).must(t, http.StatusOK).has(t, "账户：王敏", `value="admin|information" checked`)
	admin.post("/console/users/"+sid, url.Values{"display_name": {"王敏"}, "department": {"information"},
		"role": {"admin|information", "director|information"}}).must(t, http.StatusSeeOther)
	admin.get("/console/users/"+sid).has(t, "账户已保存", `value="director|information" checked`, "待确认")
	p = other.get("/console/users").has(t, "这是授予您本人的").lacks(t, `/confirm"`)
	admin.get("/console/users").has(t, "这是您申请的").lacks(t, `/confirm"`)
	gid = grantIDs.FindStringSubmatch(p.Body)[1]
	other.post("/console/grants/"+gid+"/refuse", url.Values{"reason": {"本人"}}).must(t, http.StatusForbidden)

	// The second administrator refuses a role the first asked for.
	zid := userIDOf(t, e, "zhou.jie")
	admin.post("/console/users/"+zid, url.Values{"display_name": {"周杰"}, "department": {"information"},
		"role": {"editor|information", "publisher|information", "dept_head|information"}}).must(t, http.StatusSeeOther)
	p = other.get("/console/users")
	var refuse string
	for _, m := range grantIDs.FindAllStringSubmatch(p.Body, -1) {
		if m[1] != gid {
			refuse = m[1]
		}
	}
	other.post("/console/grants/"+refuse+"/refuse", url.Values{"reason": {"未任科室负责人"}}).must(t, http.StatusSeeOther)
	acct, err := e.svc.Users.Get(context.Background(), e.admin, userIDNum(t, zid))
	if err != nil || acct.HasRole(cms.RoleDeptHead, "information") || !acct.HasRole(cms.RolePublisher, "") {
		t.Fatalf("after the decisions: %+v %v", acct, err)
	}

	// Disable, enable, reset the password, unlock.
	eid := itoa(ed.ID)
	admin.get("/console/users/"+eid).has(t, "停用账户", "重置密码")
	admin.post("/console/users/"+eid+"/disable", nil).must(t, http.StatusSeeOther)
	admin.get("/console/users/"+eid).has(t, "账户已停用", "启用账户")
	admin.post("/console/users/"+eid+"/enable", nil).must(t, http.StatusSeeOther)
	p = admin.post("/console/users/"+eid+"/password", nil).must(t, http.StatusOK).has(t, "密码已重置").lacks(t, "须另一名管理员确认后生效")
	edPw := html.UnescapeString(oneTimePassword.FindStringSubmatch(p.Body)[1])
	b := e.browser(t)
	b.get("/console/login")
	for range 5 {
		b.post("/console/login", url.Values{"username": {"zhang.wei"}, "password": {"wrong"}})
	}
	admin.get("/console/users/"+eid).has(t, "锁定至", "解除锁定")
	admin.post("/console/users/"+eid+"/unlock", nil).must(t, http.StatusSeeOther)
	b.login("zhang.wei", edPw)
	admin.post("/console/users/"+itoa(e.admin.User.ID)+"/disable", nil).must(t, http.StatusUnprocessableEntity).has(t, "不能停用自己的账户")
	admin.post("/console/users/"+eid+"/nonsense", nil).must(t, http.StatusNotFound)
}

func userIDOf(t *testing.T, e *env, username string) string {
	t.Helper()
	us, err := e.svc.Users.List(context.Background(), e.admin, cms.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Username == username {
			return itoa(u.ID)
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}

func userIDNum(t *testing.T, id string) int64 {
	t.Helper()
	var n int64
	for _, r := range id {
		n = n*10 + int64(r-'0')
	}
	return n
}

// TestAdminSettings: administrators set a column's sign-off chain and the
// sensitive words; the chain and the secrecy scan follow; nobody else gets
// these pages or the menu entry.
func TestAdminSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.chain(t)
	for _, u := range []*cms.User{c.editor, c.director, c.publisher, c.secrecy} {
		b := e.browser(t)
		b.login(u.Username, staffPassword)
		b.get("/console/").lacks(t, `href="/console/admin"`)
		for _, path := range []string{"/console/admin", "/console/users", "/console/users/new", "/console/signoff", "/console/words",
			"/console/users/" + itoa(c.editor.ID)} {
			b.get(path).must(t, http.StatusForbidden)
		}
		b.post("/console/signoff/guides-deposit", url.Values{"chain": {"director"}}).must(t, http.StatusForbidden)
		b.post("/console/words", url.Values{"blocking": {"机密"}}).must(t, http.StatusForbidden)
	}
	admin := e.browser(t)
	admin.login("admin", adminPassword)
	admin.get("/console/signoff").must(t, http.StatusOK).has(t, "签发流程", "办事指南 · 缴存类", `<option value="leader,director" selected>`)
	admin.post("/console/signoff/guides-deposit", url.Values{"chain": {"publisher"}}).must(t, http.StatusBadRequest)
	admin.post("/console/signoff/guides-deposit", url.Values{"chain": {"director"}}).must(t, http.StatusSeeOther)
	admin.get("/console/signoff").has(t, "签发流程已保存")
	chain, err := e.svc.Workflow.SignoffChain(context.Background(), e.as(t, c.editor), "guides-deposit")
	if err != nil || len(chain) != 1 || chain[0] != cms.RoleDirector {
		t.Fatalf("chain: %v %v", chain, err)
	}
	admin.get("/console/words").must(t, http.StatusOK).has(t, "共 0 个")
	admin.post("/console/words", url.Values{"blocking": {"绝密文件\n绝密文件"}}).must(t, http.StatusUnprocessableEntity).
		has(t, "“绝密文件”重复了", "绝密文件\n绝密文件")
	admin.post("/console/words", url.Values{"blocking": {"绝密文件\n  \n<b>内参</b>"}, "warning": {"试点"}}).must(t, http.StatusSeeOther)
	p := admin.get("/console/words").has(t, "敏感词已保存", "共 3 个", "&lt;b&gt;内参&lt;/b&gt;", "试点")
	if strings.Contains(p.Body, "<b>内参") {
		t.Error("a word is not escaped")
	}
	ws, err := e.svc.Secrecy.SensitiveWords(context.Background(), e.admin)
	if err != nil || len(ws) != 3 || ws[2].Severity != cms.SeverityWarning {
		t.Fatalf("words: %+v %v", ws, err)
	}
}

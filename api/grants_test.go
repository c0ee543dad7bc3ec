package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

type grantBody struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Role       string `json:"role"`
	Department string `json:"department"`
	Status     string `json:"status"`
	User       struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
	RequestedBy struct {
		Username string `json:"username"`
	} `json:"requested_by"`
	DecidedBy *struct {
		Username string `json:"username"`
	} `json:"decided_by"`
}

type userBody struct {
	ID                 int64       `json:"id"`
	Roles              []role      `json:"roles"`
	MustChangePassword bool        `json:"must_change_password"`
	PendingGrants      []grantBody `json:"pending_grants"`
}

func grantPath(id int64, action string) string {
	return "/api/v1/grants/" + strconv.FormatInt(id, 10) + "/" + action
}

// pendingGrants lists the pending grants of a user, as the second administrator sees them.
func (e *env) pendingGrants(t testing.TB, token string, userID int64) []grantBody {
	t.Helper()
	var list struct {
		Grants []grantBody `json:"grants"`
	}
	path := "/api/v1/grants?status=pending"
	if userID != 0 {
		path += "&user_id=" + strconv.FormatInt(userID, 10)
	}
	e.must(t, http.StatusOK, "GET", path, token, nil).decode(t, &list)
	return list.Grants
}

func (e *env) auditCount(t testing.TB, action string) int {
	t.Helper()
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOneAdministratorCannotPublishAlone walks every path of the outside
// review: an administrator who creates a whole chain with passwords of
// their choosing, resets a second administrator's password or confirms
// their own grants gets nothing published; a second administrator's
// confirmation is what makes a role in the chain count.
func TestOneAdministratorCannotPublishAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // two administrators: admin (bootstrap) and admin2 (added at the console)
	const chosen = "Ch0sen-by-Adm1n"
	people := []struct {
		name, dept string
		binding    role
	}{
		{"fake.editor", "collection", role{"editor", "collection"}},
		{"fake.head", "collection", role{"dept_head", "collection"}},
		{"fake.leader", "office", role{"leader", "collection"}},
		{"fake.director", "office", role{"director", "office"}},
		{"fake.secrecy", "office", role{"secrecy_reviewer", "office"}},
		{"fake.publisher", "information", role{"publisher", "information"}},
	}
	tokens := map[string]string{}
	var chainGrants []int64
	for _, p := range people {
		var u userBody
		e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{"username": p.name, "password": chosen,
			"department": p.dept, "roles": []map[string]string{{"role": p.binding.Role, "department": p.binding.Department}}}).decode(t, &u)
		if !u.MustChangePassword {
			t.Errorf("%s: a password the admin chose is not one-time", p.name)
		}
		switch {
		case p.binding.Role == "editor":
			if len(u.Roles) != 1 || len(u.PendingGrants) != 0 {
				t.Errorf("%s: an editor role needs no second admin: %+v", p.name, u)
			}
		case len(u.Roles) != 0 || len(u.PendingGrants) != 1 || u.PendingGrants[0].Status != "pending" ||
			u.PendingGrants[0].Role != p.binding.Role || u.PendingGrants[0].RequestedBy.Username != "admin":
			t.Errorf("%s: a role in the chain took effect without a second admin: %+v", p.name, u)
		default:
			chainGrants = append(chainGrants, u.PendingGrants[0].ID)
		}

		// The chosen password opens a session that can do nothing but change it.
		var login struct {
			Token              string `json:"token"`
			PasswordExpired    bool   `json:"password_expired"`
			MustChangePassword bool   `json:"must_change_password"`
		}
		e.must(t, http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": p.name, "password": chosen}).decode(t, &login)
		if !login.MustChangePassword || !login.PasswordExpired {
			t.Errorf("%s: login does not demand a new password: %+v", p.name, login)
		}
		if pr := e.must(t, http.StatusForbidden, "GET", "/api/v1/items", login.Token, nil).problem(t); pr.Code != "password_expired" {
			t.Errorf("%s: one-time password: %s", p.name, pr.Code)
		}
		tokens[p.name] = login.Token
	}
	if pr := e.must(t, http.StatusForbidden, "POST", "/api/v1/items", tokens["fake.editor"], guideBody("guides-deposit")).problem(t); pr.Code != "password_expired" {
		t.Errorf("editor with a one-time password creates items: %s", pr.Code)
	}

	// The administrator, who knows the passwords, changes them all...
	for _, p := range people {
		e.must(t, http.StatusNoContent, "PUT", "/api/v1/me/password", tokens[p.name],
			map[string]string{"current_password": chosen, "new_password": "0wned-by-Adm1n"})
	}
	// ...and drafts and submits, but nobody in the chain holds a role yet.
	_, revID := e.completeGuide(t, tokens["fake.editor"])
	e.fire(t, http.StatusOK, tokens["fake.editor"], revID, "submit", "")
	e.fire(t, http.StatusForbidden, tokens["fake.head"], revID, "approve", "")
	e.must(t, http.StatusForbidden, "GET", "/api/v1/queue", tokens["fake.head"], nil) // holds no role at all

	// The administrator cannot confirm (nor refuse) their own requests.
	for _, id := range chainGrants {
		if pr := e.must(t, http.StatusForbidden, "POST", grantPath(id, "confirm"), e.admin, nil).problem(t); pr.Code != "forbidden" {
			t.Errorf("self-confirmation: %s", pr.Code)
		}
	}
	e.must(t, http.StatusForbidden, "POST", grantPath(chainGrants[0], "refuse"), e.admin, map[string]string{"reason": "oops"})
	// A grantee who is not an administrator cannot confirm either.
	e.must(t, http.StatusForbidden, "POST", grantPath(chainGrants[0], "confirm"), tokens["fake.head"], nil)

	// Resetting the second administrator's password is a request too: the
	// new password does not work and the old sessions stay.
	admin2ID := e.userID(t, "admin2")
	var reset userBody
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(admin2ID, 10), e.admin,
		map[string]any{"password": "Reset-by-Adm1n"}).decode(t, &reset)
	if len(reset.PendingGrants) != 1 || reset.PendingGrants[0].Kind != "password_reset" {
		t.Fatalf("reset of an administrator's password: %+v", reset)
	}
	e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin2", "password": "Reset-by-Adm1n"})
	e.must(t, http.StatusOK, "GET", "/api/v1/me", e.admin2, nil)
	e.must(t, http.StatusForbidden, "POST", grantPath(reset.PendingGrants[0].ID, "confirm"), e.admin, nil)
	// The grantee may not decide on their own grant: admin2 cannot confirm
	// (nor refuse) the publisher role the admin asks for them, nor the reset.
	var pub userBody
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(admin2ID, 10), e.admin, map[string]any{"roles": []map[string]string{
		{"role": "admin", "department": "information"}, {"role": "publisher", "department": "information"}}}).decode(t, &pub)
	if len(pub.PendingGrants) != 2 || len(pub.Roles) != 1 {
		t.Fatalf("publisher for admin2: %+v", pub)
	}
	for _, g := range pub.PendingGrants {
		e.must(t, http.StatusForbidden, "POST", grantPath(g.ID, "confirm"), e.admin2, nil)
		e.must(t, http.StatusForbidden, "POST", grantPath(g.ID, "refuse"), e.admin2, nil)
	}

	// The second administrator sees every pending request and refuses the
	// fake chain: nothing moves.
	if got := len(e.pendingGrants(t, e.admin2, 0)); got != 7 {
		t.Errorf("pending grants: %d, want 7 (five chain roles, a reset, a publisher role)", got)
	}
	for _, id := range chainGrants {
		var g grantBody
		e.must(t, http.StatusOK, "POST", grantPath(id, "refuse"), e.admin2, map[string]string{"reason": "无此人"}).decode(t, &g)
		if g.Status != "refused" || g.DecidedBy == nil || g.DecidedBy.Username != "admin2" {
			t.Errorf("refused grant: %+v", g)
		}
		if pr := e.must(t, http.StatusConflict, "POST", grantPath(id, "confirm"), e.admin2, nil).problem(t); pr.Code != "conflict" {
			t.Errorf("confirming a refused grant: %s", pr.Code)
		}
	}
	e.fire(t, http.StatusForbidden, tokens["fake.head"], revID, "approve", "")

	// A confirmed request takes effect at once.
	headID, head := e.user(t, "real.head", "collection", role{"dept_head", "collection"})
	var me userBody
	e.must(t, http.StatusOK, "GET", "/api/v1/me", head, nil).decode(t, &me)
	if me.ID != headID || len(me.Roles) != 1 || me.Roles[0].Role != "dept_head" {
		t.Fatalf("confirmed dept_head: %+v", me)
	}
	e.fire(t, http.StatusOK, head, revID, "approve", "")

	for action, least := range map[string]int{cms.AuditGrantRequested: 8, cms.AuditGrantConfirmed: 1, cms.AuditGrantRefused: 5} {
		if n := e.auditCount(t, action); n < least {
			t.Errorf("%s audited %d times, want at least %d", action, n, least)
		}
	}
}

// TestSecondAdministratorIsAGrantToo: granting admin itself over the API
// needs a second administrator, so a lone administrator cannot make one.
func TestSecondAdministratorIsAGrantToo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var u userBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{"username": "admin3", "password": "Ch0sen-by-Adm1n",
		"department": "information", "roles": []map[string]string{{"role": "admin", "department": "information"}}}).decode(t, &u)
	if len(u.Roles) != 0 || len(u.PendingGrants) != 1 {
		t.Fatalf("admin granted without a second admin: %+v", u)
	}
	tok := e.login("admin3", "Ch0sen-by-Adm1n")
	e.must(t, http.StatusNoContent, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": "Ch0sen-by-Adm1n", "new_password": "Adm1n3-0wn-Passw0rd"})
	e.must(t, http.StatusForbidden, "GET", "/api/v1/grants", tok, nil)
	e.must(t, http.StatusOK, "POST", grantPath(u.PendingGrants[0].ID, "confirm"), e.admin2, nil)
	e.must(t, http.StatusOK, "GET", "/api/v1/grants?status=confirmed", tok, nil)

	// Editor and auditor roles need nobody else; a password the admin sets
	// for their holder is one-time, and replaces the old one at once.
	id, ed := e.user(t, "ed", "office", role{"editor", "office"}, role{"auditor", "office"})
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, map[string]any{"password": "Reset-by-Adm1n"})
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", ed, nil)
	if pr := e.must(t, http.StatusForbidden, "GET", "/api/v1/items", e.login("ed", "Reset-by-Adm1n"), nil).problem(t); pr.Code != "password_expired" {
		t.Errorf("reset password: %s", pr.Code)
	}
	// Withdrawn from the roles list, a pending grant is cancelled.
	var v userBody
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, map[string]any{"roles": []map[string]string{
		{"role": "editor", "department": "office"}, {"role": "dept_head", "department": "office"}}}).decode(t, &v)
	if len(v.PendingGrants) != 1 || len(v.Roles) != 1 {
		t.Fatalf("dept_head request: %+v", v)
	}
	withdrawn := v.PendingGrants[0].ID
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, map[string]any{"roles": []map[string]string{
		{"role": "editor", "department": "office"}}}).decode(t, &v)
	if len(v.PendingGrants) != 0 {
		t.Errorf("withdrawn request still pending: %+v", v)
	}
	e.must(t, http.StatusConflict, "POST", grantPath(withdrawn, "confirm"), tok, nil)
	// Bad input answers 4xx.
	for _, q := range []string{"status=maybe", "user_id=x", "limit=0", "cursor=zz"} {
		if r := e.send(t, request{method: "GET", path: "/api/v1/grants?" + q, token: e.admin, raw: true}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	e.must(t, http.StatusNotFound, "POST", grantPath(999, "confirm"), tok, nil)
	if r := e.send(t, request{method: "POST", path: "/api/v1/grants/x/refuse", token: tok, raw: true}); r.Status != http.StatusNotFound {
		t.Errorf("grant x: %d", r.Status)
	}
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, map[string]any{"roles": []map[string]string{
		{"role": "editor", "department": "office"}, {"role": "leader", "department": "office"}}}).decode(t, &v)
	refuse := grantPath(v.PendingGrants[0].ID, "refuse")
	for _, c := range []struct {
		rq     request
		status int
	}{
		{request{rawBody: []byte(`{"reason":`)}, http.StatusBadRequest},
		{request{rawBody: []byte(`{"reason":"x","grant":true}`)}, http.StatusUnprocessableEntity},
		{request{rawBody: []byte(`{"reason":7}`)}, http.StatusUnprocessableEntity},
		{request{body: map[string]string{"reason": strings.Repeat("长", 1001)}}, http.StatusUnprocessableEntity},
		{request{rawBody: []byte(`reason=x`), contentType: "text/plain"}, http.StatusUnsupportedMediaType},
	} {
		c.rq.method, c.rq.path, c.rq.token, c.rq.raw = "POST", refuse, tok, c.rq.rawBody != nil
		if r := e.send(t, c.rq); r.Status != c.status || r.problem(t).Status != c.status {
			t.Errorf("refuse with %s: %d %s, want %d", c.rq.rawBody, r.Status, r.Body, c.status)
		}
	}
	if got := e.pendingGrants(t, tok, id); len(got) != 1 || got[0].Role != "leader" {
		t.Errorf("bad input changed the grant: %+v", got)
	}

	// With a third administrator, the admin's reset of admin2's password
	// takes effect when admin3 confirms it: one-time, every session ended.
	var reset userBody
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(e.userID(t, "admin2"), 10), e.admin,
		map[string]any{"password": "Reset-by-Adm1n"}).decode(t, &reset)
	e.must(t, http.StatusOK, "GET", "/api/v1/me", e.admin2, nil)
	var confirmed grantBody
	e.must(t, http.StatusOK, "POST", grantPath(reset.PendingGrants[0].ID, "confirm"), tok, nil).decode(t, &confirmed)
	if confirmed.Kind != "password_reset" || confirmed.Status != "confirmed" || confirmed.DecidedBy.Username != "admin3" {
		t.Errorf("confirmed reset: %+v", confirmed)
	}
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", e.admin2, nil)
	if pr := e.must(t, http.StatusForbidden, "GET", "/api/v1/grants", e.login("admin2", "Reset-by-Adm1n"), nil).problem(t); pr.Code != "password_expired" {
		t.Errorf("confirmed reset: %s", pr.Code)
	}
}

// TestSingleAdministratorInstallation: with CMS_SINGLE_ADMIN the roles an
// administrator grants take effect at once; the passwords they choose are
// still one-time.
func TestSingleAdministratorInstallation(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *app.Config) { c.SingleAdmin = true })
	var u userBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{"username": "head", "password": "Ch0sen-by-Adm1n",
		"department": "collection", "roles": []map[string]string{{"role": "dept_head", "department": "collection"}}}).decode(t, &u)
	if len(u.Roles) != 1 || len(u.PendingGrants) != 0 || !u.MustChangePassword {
		t.Fatalf("single admin: %+v", u)
	}
	e.must(t, http.StatusForbidden, "GET", "/api/v1/items", e.login("head", "Ch0sen-by-Adm1n"), nil)
	// A reset of another administrator's password takes effect at once too.
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(e.userID(t, "admin2"), 10), e.admin, map[string]any{"password": "Reset-by-Adm1n"})
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", e.admin2, nil)
	e.login("admin2", "Reset-by-Adm1n")
}

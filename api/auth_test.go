package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestLoginLogoutAndTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "li.na", "finance", role{"editor", "finance"})

	var me struct {
		Username string `json:"username"`
		Roles    []role `json:"roles"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/me", tok, nil).decode(t, &me)
	if me.Username != "li.na" || len(me.Roles) != 1 || me.Roles[0].Role != "editor" {
		t.Errorf("me = %+v", me)
	}
	for name, token := range map[string]string{"none": "", "garbage": "cms_notatoken", "no prefix": "abc"} {
		p := e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", token, nil).problem(t)
		if p.Code != "unauthorized" {
			t.Errorf("%s: code %q", name, p.Code)
		}
	}
	e.must(t, http.StatusNoContent, "POST", "/api/v1/auth/logout", tok, nil)
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)

	// Tokens expire.
	tok = e.login("li.na", testPassword)
	e.clock.Advance(13 * time.Hour)
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)

	// Tokens are stored hashed: the database never holds the token itself.
	tok = e.login("li.na", testPassword)
	var n int
	if err := e.db.Bun().NewRaw("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", tok).Scan(t.Context(), &n); err != nil || n != 0 {
		t.Errorf("raw token found in sessions (%d, %v)", n, err)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "wang", "office", role{"editor", "office"})
	bad := map[string]string{"username": "wang", "password": "Wrong-Passw0rd"}
	for i := range 5 {
		if p := e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", bad).problem(t); p.Code != "unauthorized" {
			t.Fatalf("attempt %d: %q", i+1, p.Code)
		}
	}
	good := map[string]string{"username": "wang", "password": testPassword}
	r := e.must(t, http.StatusTooManyRequests, "POST", "/api/v1/auth/login", "", good)
	if p := r.problem(t); p.Code != "account_locked" {
		t.Fatalf("locked: code %q", p.Code)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 14*60 || s > 15*60+1 {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	e.clock.Advance(14 * time.Minute)
	e.must(t, http.StatusTooManyRequests, "POST", "/api/v1/auth/login", "", good)
	e.clock.Advance(2 * time.Minute)
	e.must(t, http.StatusOK, "POST", "/api/v1/auth/login", "", good)

	// A success resets the count: four more failures do not lock.
	for range 4 {
		e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", bad)
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/auth/login", "", good)

	// Unknown users get the same answer as wrong passwords.
	p := e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "x"}).problem(t)
	if p.Detail != "wrong username or password" {
		t.Errorf("unknown user detail %q", p.Detail)
	}
	e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", map[string]string{"username": "", "password": ""})
}

func TestPasswordAgeForcesChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "zhao", "collection", role{"editor", "collection"})
	other := e.login("zhao", testPassword)
	e.clock.Advance(91 * 24 * time.Hour)
	tok = e.login("zhao", testPassword) // the old tokens expired with time as well
	other = e.login("zhao", testPassword)

	for _, path := range []string{"/api/v1/items", "/api/v1/columns"} {
		if p := e.must(t, http.StatusForbidden, "GET", path, tok, nil).problem(t); p.Code != "password_expired" {
			t.Errorf("%s: code %q", path, p.Code)
		}
	}
	if p := e.must(t, http.StatusForbidden, "POST", "/api/v1/items", tok, guideBody("guides-deposit")).problem(t); p.Code != "password_expired" {
		t.Errorf("create: %q", p.Code)
	}
	var me struct {
		PasswordExpired bool `json:"password_expired"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/me", tok, nil).decode(t, &me)
	if !me.PasswordExpired {
		t.Error("me does not say the password expired")
	}
	// Weak, same and wrong-current passwords are refused.
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": testPassword, "new_password": "short"})
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": testPassword, "new_password": testPassword})
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": "Wrong-0ne-here", "new_password": "N3w-Passw0rd-2026"})
	e.must(t, http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "zhao", "password": testPassword}) // resets the count
	e.must(t, http.StatusNoContent, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": testPassword, "new_password": "N3w-Passw0rd-2026"})
	e.must(t, http.StatusOK, "GET", "/api/v1/items", tok, nil)
	// Other sessions end with the change; the old password no longer works.
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", other, nil)
	e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "zhao", "password": testPassword})
}

func TestFirstAdminWithGeneratedPasswordMustChangeIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// The env's admin was created with a given password, which is not expired.
	var me struct {
		PasswordExpired bool `json:"password_expired"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/me", e.admin, nil).decode(t, &me)
	if me.PasswordExpired {
		t.Error("a configured admin password counts as expired")
	}
}

func TestUserManagement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, editor := e.user(t, "sun", "licensing", role{"editor", "licensing"})
	body := map[string]any{"username": "qian", "password": testPassword, "department": "office",
		"roles": []map[string]string{{"role": "dept_head", "department": "office"}}}

	e.must(t, http.StatusForbidden, "POST", "/api/v1/users", editor, body)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/users", editor, nil)
	e.must(t, http.StatusOK, "GET", "/api/v1/users/"+strconv.FormatInt(id, 10), editor, nil) // oneself
	e.must(t, http.StatusForbidden, "GET", "/api/v1/users/1", editor, nil)

	cases := map[string]struct {
		change map[string]any
		field  string
	}{
		"weak password":      {map[string]any{"password": "password"}, "password"},
		"password with name": {map[string]any{"password": "Qian-Passw0rd"}, "password"},
		"unknown department": {map[string]any{"department": "nowhere"}, "department"},
		"unknown role":       {map[string]any{"roles": []map[string]string{{"role": "king", "department": "office"}}}, "roles[0].role"},
		"role department":    {map[string]any{"roles": []map[string]string{{"role": "editor", "department": "x"}}}, "roles[0].department"},
		"bad username":       {map[string]any{"username": "../Qian"}, "username"},
	}
	for name, c := range cases {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		for k, v := range c.change {
			b[k] = v
		}
		if p := e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/users", e.admin, b).problem(t); !p.hasField(c.field) {
			t.Errorf("%s: errors %+v lack %s", name, p.Errors, c.field)
		}
	}
	var qian userBody
	e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, body).decode(t, &qian)
	if p := e.must(t, http.StatusConflict, "POST", "/api/v1/users", e.admin, body).problem(t); p.Code != "conflict" {
		t.Errorf("duplicate: %q", p.Code)
	}

	// The dept_head role counts once a second administrator confirms it.
	var list struct{ Users []struct{ Username string } }
	e.must(t, http.StatusOK, "GET", "/api/v1/users?role=dept_head", e.admin, nil).decode(t, &list)
	if len(list.Users) != 0 {
		t.Errorf("role filter before the confirmation: %+v", list.Users)
	}
	e.must(t, http.StatusOK, "POST", grantPath(qian.PendingGrants[0].ID, "confirm"), e.admin2, nil)
	e.must(t, http.StatusOK, "GET", "/api/v1/users?role=dept_head", e.admin, nil).decode(t, &list)
	if len(list.Users) != 1 || list.Users[0].Username != "qian" {
		t.Errorf("role filter: %+v", list.Users)
	}

	// Granting an editor role takes effect at once; disabling an account ends its sessions.
	path := "/api/v1/users/" + strconv.FormatInt(id, 10)
	e.must(t, http.StatusForbidden, "POST", "/api/v1/items", editor, map[string]any{"column": "guides-deposit", "title": "x"})
	e.must(t, http.StatusOK, "PATCH", path, e.admin, map[string]any{"roles": []map[string]string{
		{"role": "editor", "department": "licensing"}, {"role": "editor", "department": "collection"}}})
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", editor, map[string]any{"column": "guides-deposit", "title": "x"})
	e.must(t, http.StatusOK, "PATCH", path, e.admin, map[string]any{"disabled": true})
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", editor, nil)
	e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "sun", "password": testPassword})

	// An admin cannot grant themselves a role in the chain.
	e.must(t, http.StatusUnprocessableEntity, "PATCH", "/api/v1/users/1", e.admin, map[string]any{"roles": []map[string]string{
		{"role": "admin", "department": "information"}, {"role": "publisher", "department": "information"}}})
	// An admin cannot lock themselves out.
	e.must(t, http.StatusUnprocessableEntity, "PATCH", "/api/v1/users/1", e.admin, map[string]any{"disabled": true})
	e.must(t, http.StatusUnprocessableEntity, "PATCH", "/api/v1/users/1", e.admin, map[string]any{"roles": []map[string]string{}})
	e.must(t, http.StatusNotFound, "PATCH", "/api/v1/users/999", e.admin, map[string]any{"disabled": true})

	// A password reset by the admin must be changed at next login.
	e.must(t, http.StatusOK, "PATCH", path, e.admin, map[string]any{"disabled": false, "password": "Reset-Passw0rd-1"})
	tok := e.login("sun", "Reset-Passw0rd-1")
	e.must(t, http.StatusForbidden, "GET", "/api/v1/items", tok, nil)
}

// TestGuessingTheCurrentPasswordLocksTheAccount: a stolen token cannot be
// used to guess the password through the change-password endpoint.
func TestGuessingTheCurrentPasswordLocksTheAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "qin", "office", role{"editor", "office"})
	for range 5 {
		e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/password", tok,
			map[string]string{"current_password": "Guess-Passw0rd-1", "new_password": "N3w-Passw0rd-2026"})
	}
	e.must(t, http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
	e.must(t, http.StatusTooManyRequests, "POST", "/api/v1/auth/login", "", map[string]string{"username": "qin", "password": testPassword})
}

package api_test

import (
	"net/http"
	"strconv"
	"testing"
)

// TestGuessablePasswordsAreRefused: passwords that satisfy the character
// rules but are common or built from the person's own names are refused,
// on creation, on reset and on change.
func TestGuessablePasswordsAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ username, display, password string }{
		{"li.ming", "李明", "Password123"},
		{"zhang.wei", "张伟", "Zhangwei2024!"},
		{"wang.fang", "Wang Fang", "Qwerty123456"},
		{"chen.jing", "陈静", "P@ssw0rd1234"},
	} {
		body := map[string]any{"username": c.username, "display_name": c.display, "password": c.password, "department": "office",
			"roles": []map[string]string{{"role": "editor", "department": "office"}}}
		if p := e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/users", e.admin, body).problem(t); !p.hasField("password") {
			t.Errorf("%s: %+v", c.password, p.Errors)
		}
	}
	id, tok := e.user(t, "zhao.lei", "office", role{"editor", "office"})
	e.must(t, http.StatusUnprocessableEntity, "PATCH", "/api/v1/users/"+strconv.FormatInt(id, 10), e.admin, map[string]any{"password": "Password123"})
	p := e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/password", tok,
		map[string]string{"current_password": testPassword, "new_password": "Zhaolei2024!"}).problem(t)
	if !p.hasField("new_password") {
		t.Errorf("change to a password built from the username: %+v", p.Errors)
	}
}

// TestRecentPasswordsCannotBeReused: the last five passwords of an account
// (the current one and four before it) are refused; older ones are not.
func TestRecentPasswordsCannotBeReused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.user(t, "rotate", "office", role{"editor", "office"})
	pw := func(i int) string { return "R0tation-Oak-" + strconv.Itoa(i) }
	current := testPassword
	change := func(want int, next string) {
		t.Helper()
		r := e.must(t, want, "PUT", "/api/v1/me/password", tok, map[string]string{"current_password": current, "new_password": next})
		if want == http.StatusNoContent {
			current = next
		} else if p := r.problem(t); !p.hasField("new_password") {
			t.Errorf("reuse of %q: %+v", next, p.Errors)
		}
	}
	for i := 1; i <= 4; i++ {
		change(http.StatusNoContent, pw(i))
	}
	// The last five are testPassword and pw(1)…pw(4).
	change(http.StatusUnprocessableEntity, testPassword)
	change(http.StatusUnprocessableEntity, pw(2))
	change(http.StatusNoContent, pw(5))
	// testPassword is now the sixth: it may come back.
	change(http.StatusNoContent, testPassword)
}

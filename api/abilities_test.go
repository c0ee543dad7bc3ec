package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestMeSaysWhatTheCallerMayDo: GET /api/v1/me lists the centre-wide tasks
// and release events the policy gives the caller, so that a client builds
// its menu from what the services allow; nothing before the password is
// the user's own.
func TestMeSaysWhatTheCallerMayDo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	type me struct {
		Abilities     []string `json:"abilities"`
		ReleaseEvents []string `json:"release_events"`
	}
	cases := []struct {
		name, token string
		abilities   []string
		release     []string
	}{
		{"editor", c.editor, []string{"report.read_department"}, []string{}},
		{"head", c.head, []string{"report.read_department"}, []string{}},
		{"leader", c.leader, []string{"report.read"}, []string{}},
		{"director", c.director, []string{"maintenance.decide", "patrol.run", "report.read"}, []string{"suspend", "restore"}},
		{"secrecy reviewer", c.secrecy, []string{"finding.read"}, []string{}},
		{"publisher", c.publisher, []string{"menu.manage", "patrol.run", "archive.export", "report.read"}, []string{"release", "publish", "suspend", "restore", "archive"}},
		{"auditor", auditor, []string{"patrol.run", "finding.read", "audit.read", "archive.export", "report.read"}, []string{}},
		{"admin", e.admin, []string{"user.manage", "user.unlock", "user.reset_otp", "workflow.configure", "sensitive_words.manage", "webhook.manage"}, []string{}},
	}
	for _, tc := range cases {
		var got me
		e.must(t, http.StatusOK, "GET", "/api/v1/me", tc.token, nil).decode(t, &got)
		if !slices.Equal(got.Abilities, tc.abilities) || !slices.Equal(got.ReleaseEvents, tc.release) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got.Abilities, got.ReleaseEvents, tc.abilities, tc.release)
		}
	}

	// A one-time password: nothing yet.
	e.must(t, http.StatusCreated, "POST", "/api/v1/users", e.admin, map[string]any{"username": "new.publisher",
		"password": initialPassword, "department": "information", "roles": []map[string]string{{"role": "auditor"}}})
	var fresh me
	e.must(t, http.StatusOK, "GET", "/api/v1/me", e.login("new.publisher", initialPassword), nil).decode(t, &fresh)
	if len(fresh.Abilities) != 0 || len(fresh.ReleaseEvents) != 0 {
		t.Errorf("before choosing a password: %+v", fresh)
	}
}

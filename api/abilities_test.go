package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestMeSaysWhatTheCallerMayDo: GET /api/v1/me lists the centre-wide tasks
// and release events the policy gives the caller, so that a client builds
// its menu from what the services allow; nothing before the password is
// the user's own. Feature requests (第十六条) are among them, as the
// console's menu shows them.
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
		{"editor", c.editor, []string{"report.read_department", "feature.submit", "feature.read"}, []string{}},
		{"head", c.head, []string{"report.read_department", "feature.submit", "feature.read"}, []string{}},
		{"leader", c.leader, []string{"report.read", "feature.decide", "feature.read"}, []string{}},
		{"director", c.director, []string{"maintenance.decide", "patrol.run", "report.read", "feature.decide", "feature.read"}, []string{"suspend", "restore"}},
		{"secrecy reviewer", c.secrecy, []string{"finding.read"}, []string{}},
		{"publisher", c.publisher, []string{"menu.manage", "patrol.run", "archive.export", "report.read", "feature.collect", "feature.read"}, []string{"release", "publish", "suspend", "restore", "archive"}},
		{"auditor", auditor, []string{"patrol.run", "finding.read", "audit.read", "archive.export", "report.read", "feature.read"}, []string{}},
		{"admin", e.admin, []string{"user.manage", "user.unlock", "user.reset_otp", "workflow.configure", "sensitive_words.manage", "webhook.manage"}, []string{}},
	}
	for _, tc := range cases {
		var got me
		e.must(t, http.StatusOK, "GET", "/api/v1/me", tc.token, nil).decode(t, &got)
		if !slices.Equal(got.Abilities, tc.abilities) || !slices.Equal(got.ReleaseEvents, tc.release) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got.Abilities, got.ReleaseEvents, tc.abilities, tc.release)
		}
		// feature.read says what the service answers: the list, or 403.
		want := http.StatusForbidden
		if slices.Contains(got.Abilities, "feature.read") {
			want = http.StatusOK
		}
		if r := e.call(t, "GET", "/api/v1/feature-requests", tc.token, nil); r.Status != want {
			t.Errorf("%s: GET /api/v1/feature-requests %d, want %d as abilities %v say", tc.name, r.Status, want, got.Abilities)
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

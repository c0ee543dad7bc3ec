package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnknownUsernamesAreNotStoredVerbatim: a password typed into the
// username field must not stay in the append-only audit log. The entry
// keeps the first two characters and a keyed hash, so that repeated
// attempts with one name can still be told apart from others.
func TestUnknownUsernamesAreNotStoredVerbatim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.auditHead(t)
	typed := "Tr0ub4dor&3-my-password"
	for range 2 {
		e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": typed, "password": "x"})
	}
	e.must(t, http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "another-name", "password": "x"})
	all, err := e.db.AuditEntries(t.Context(), start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d audit entries, want 3", len(all))
	}
	for _, a := range all {
		if strings.Contains(a.Subject+a.Detail, "ub4dor") || strings.Contains(a.Subject+a.Detail, "password") {
			t.Errorf("audit entry keeps the typed name: %q %s", a.Subject, a.Detail)
		}
		if !strings.HasPrefix(a.Subject, "username:") || len(a.Subject) > 40 {
			t.Errorf("subject %q", a.Subject)
		}
	}
	if all[0].Subject != all[1].Subject || all[0].Subject == all[2].Subject || !strings.HasPrefix(all[0].Subject, "username:Tr…") {
		t.Errorf("subjects %q, %q, %q: want the same for the same name, another for another", all[0].Subject, all[1].Subject, all[2].Subject)
	}
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// failed returns the names of the checks doctor's output marks FAIL.
func failed(out string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^FAIL  (\S+(?: \S+)?)\s{2,}`).FindAllStringSubmatch(out, -1) {
		names = append(names, strings.TrimSpace(m[1]))
	}
	slices.Sort(names)
	return names
}

// TestDoctor: on a sound deployment every check passes and the verdict is
// healthy; on one broken in six ways each is named and the command fails.
func TestDoctor(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "admin-password")
	if err := os.WriteFile(pwFile, []byte("Admin-Passw0rd-Doctor\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := testEnv(t, map[string]string{"CMS_ADMIN_PASSWORD_FILE": pwFile})
	for _, u := range []string{"wang.min", "li.na"} {
		if _, _, err := runCmd(t, getenv, "Admin-Passw0rd-1\n", "user", "add", "-username", u, "-department", "information", "-role", "admin"); err != nil {
			t.Fatal(err)
		}
	}
	// Every department but 归集科 has its contact (专人, 第六条): a warning naming it.
	var collection int64
	designate := func(dept string, id int64) {
		t.Helper()
		cfg, err := loadConfig(getenv)
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.Open(context.Background(), cfg.Config, cfg.logger())
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		admins, err := a.DB.Users(context.Background(), cms.UserFilter{Role: cms.RoleAdmin})
		if err != nil || len(admins) == 0 {
			t.Fatalf("administrators: %v %v", admins, err)
		}
		if _, err := a.Services.Structure.SetContacts(context.Background(), &cms.Principal{User: &admins[0]}, dept, []int64{id}); err != nil {
			t.Fatal(err)
		}
	}
	for _, dept := range []string{"office", "collection", "finance", "licensing", "information", "branches", "zongyang"} {
		out, errOut, err := runCmd(t, getenv, "Harbour-L4ntern-92\n", "user", "add", "-username", "contact."+dept, "-department", dept, "-role", "editor:"+dept)
		if err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		id := userIDIn(t, out)
		if dept == "collection" {
			collection = id
			continue
		}
		designate(dept, id)
	}
	out, _, err := runCmd(t, getenv, "", "doctor")
	if err != nil || !strings.Contains(out, "verdict: healthy, with 1 warning(s)") ||
		!regexp.MustCompile(`(?m)^WARN  contacts .*1 department\(s\) without a contact.*: 归集科 \(collection\);`).MatchString(out) {
		t.Fatalf("a department without a contact: %v\n%s", err, out)
	}
	designate("collection", collection)
	out, _, err = runCmd(t, getenv, "", "doctor")
	if err != nil || !strings.Contains(out, "verdict: healthy\n") || strings.Contains(out, "WARN") {
		t.Fatalf("a sound deployment: %v\n%s", err, out)
	}
	for _, check := range []string{"audit key", "admin_password", "database", "migrations", "clock", "administrators", "contacts", "audit chain", "blob store"} {
		if !regexp.MustCompile(`(?m)^ok    ` + check + ` `).MatchString(out) {
			t.Errorf("no passed check %q:\n%s", check, out)
		}
	}

	// Break it: secrets others may read, a migration missing, no active
	// administrator, an edited audit entry, a blob store that takes nothing.
	data := getenv("CMS_DATA_DIR")
	for _, f := range []string{filepath.Join(data, "audit.key"), pwFile} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, getenv("CMS_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	lift := "DROP TRIGGER audit_log_no_update"
	if db.Dialect == storage.Postgres {
		lift = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
	}
	for _, q := range []string{lift, "UPDATE audit_log SET subject = 'user:999' WHERE seq = 1",
		"UPDATE users SET disabled = TRUE", "DELETE FROM bun_migrations WHERE id = (SELECT MAX(id) FROM bun_migrations)"} {
		if _, err := db.Bun().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	blobs := filepath.Join(data, "blobs")
	if err := os.RemoveAll(blobs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blobs, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd(t, getenv, "", "doctor")
	t.Logf("doctor on the broken deployment:\n%s", out)
	want := []string{"admin_password", "administrators", "audit chain", "audit key", "blob store", "migrations"}
	if err == nil || !strings.Contains(out, "verdict: NOT HEALTHY: 6 check(s) failed") || !slices.Equal(failed(out), want) {
		t.Fatalf("a broken deployment: %v, failed %v, want %v\n%s", err, failed(out), want, out)
	}

	// A database that is not there.
	missing := testEnv(t, map[string]string{"CMS_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "none", "cms.db")})
	out, _, err = runCmd(t, missing, "", "doctor")
	if err == nil || !slices.Contains(failed(out), "database") {
		t.Fatalf("no database: %v\n%s", err, out)
	}
}

// userIDIn reads the id from cms user add's "added user x (id N)".
func userIDIn(t *testing.T, out string) int64 {
	t.Helper()
	m := regexp.MustCompile(`\(id (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no id in %q", out)
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

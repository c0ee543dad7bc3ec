package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// TestArchiveCommands exports a period with the CLI and verifies it.
func TestArchiveCommands(t *testing.T) {
	getenv := testEnv(t, nil)
	seedContent(t, getenv)
	now := time.Now().In(cms.China) // archive periods are days in China
	day, from := now.Format(time.DateOnly), now.AddDate(0, -1, 0).Format(time.DateOnly)
	file := filepath.Join(t.TempDir(), "archive.zip")
	out, _, err := runCmd(t, getenv, "", "archive", "export", "-q", "-from", from, "-to", day, "-o", file)
	if err != nil || !strings.Contains(out, "wrote "+file) {
		t.Fatalf("export: %q %v", out, err)
	}
	out, _, err = runCmd(t, getenv, "", "archive", "verify", file)
	if err != nil || !strings.Contains(out, "verifies") {
		t.Fatalf("verify: %q %v", out, err)
	}
	for _, args := range [][]string{
		{"archive", "export", "-from", "2026-13-01", "-to", day, "-o", file},
		{"archive", "export", "-from", day, "-to", from, "-o", file},
		{"archive", "export", "-from", from, "-to", day},
		{"archive", "export", "-from", "2010-01-01", "-to", day, "-o", file},
		{"archive", "frobnicate"},
	} {
		if _, _, err := runCmd(t, getenv, "", args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, _, err := runCmd(t, getenv, "", "archive", "verify", filepath.Join(t.TempDir(), "missing.zip")); err == nil {
		t.Error("verifying a missing file succeeded")
	}
}

// publishTampered publishes a news item through the whole chain with the
// services, then edits its live revision in the database behind the
// workflow's back, and returns the item's id.
func publishTampered(t *testing.T, getenv func(string) string) int64 {
	t.Helper()
	cfg, err := loadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	users := map[cms.Role]*cms.Principal{}
	for _, r := range []struct {
		role cms.Role
		dept string
	}{{cms.RoleEditor, "collection"}, {cms.RoleDeptHead, "collection"}, {cms.RoleLeader, "collection"},
		{cms.RoleDirector, "office"}, {cms.RoleSecrecyReviewer, "office"}, {cms.RolePublisher, "information"}} {
		u, err := a.Services.Users.AddFromCLI(ctx, cms.NewUser{Username: string(r.role), Password: "Chain-Passw0rd-1",
			Department: r.dept, Roles: []cms.RoleBinding{{Role: r.role, Department: r.dept}}})
		if err != nil {
			t.Fatal(err)
		}
		users[r.role] = &cms.Principal{User: u}
	}
	title, body := "缴存比例通知", "缴存比例为12%"
	it, rev, err := a.Services.Items.Create(ctx, users[cms.RoleEditor], cms.NewItem{Column: "news", Content: cms.Content{Title: &title, Body: &body}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		role cms.Role
		ev   cms.Event
	}{{cms.RoleEditor, cms.EventSubmit}, {cms.RoleDeptHead, cms.EventApprove}, {cms.RoleLeader, cms.EventSign},
		{cms.RoleDirector, cms.EventSign}, {cms.RoleSecrecyReviewer, cms.EventClear}, {cms.RolePublisher, cms.EventPublish}} {
		if _, _, err := a.Services.Workflow.Fire(ctx, users[s.role], rev.ID, s.ev, "", 0); err != nil {
			t.Fatalf("%s: %v", s.ev, err)
		}
	}
	if _, err := a.DB.Bun().ExecContext(ctx, "UPDATE revisions SET body = '缴存比例为5%' WHERE id = ?", rev.ID); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// TestArchiveExportOfTamperedContent: exporting content whose hash no
// longer matches its approval writes the archive, marked, but warns and
// fails unless the operator accepts it with -allow-tampered.
func TestArchiveExportOfTamperedContent(t *testing.T) {
	getenv := testEnv(t, nil)
	id := publishTampered(t, getenv)
	now := time.Now().In(cms.China) // archive periods are days in China
	day, from := now.Format(time.DateOnly), now.AddDate(0, -1, 0).Format(time.DateOnly)
	file := filepath.Join(t.TempDir(), "archive.zip")
	_, stderr, err := runCmd(t, getenv, "", "archive", "export", "-q", "-from", from, "-to", day, "-o", file)
	if err == nil || !strings.Contains(err.Error(), "-allow-tampered") || !strings.Contains(stderr, "item "+strconv.FormatInt(id, 10)) {
		t.Fatalf("export of tampered content: %v\n%s", err, stderr)
	}
	out, stderr, err := runCmd(t, getenv, "", "archive", "export", "-q", "-allow-tampered", "-from", from, "-to", day, "-o", file)
	if err != nil || !strings.Contains(out, "wrote "+file) || !strings.Contains(stderr, "WARNING") {
		t.Fatalf("export with -allow-tampered: %q %q %v", out, stderr, err)
	}
	if out, _, err := runCmd(t, getenv, "", "archive", "verify", file); err == nil || !strings.Contains(out, "content does not match") {
		t.Errorf("verify of a marked archive: %q %v", out, err)
	}
}

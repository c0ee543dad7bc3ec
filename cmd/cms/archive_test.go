package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestArchiveCommands exports a period with the CLI and verifies it.
func TestArchiveCommands(t *testing.T) {
	getenv := testEnv(t, nil)
	seedContent(t, getenv)
	day := time.Now().UTC().Format(time.DateOnly)
	from := time.Now().UTC().AddDate(0, -1, 0).Format(time.DateOnly)
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

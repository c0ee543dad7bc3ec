package spec_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tlhpf/cms"

// goListDeps returns the import paths of patterns and everything they
// import, as `go list -deps` reports them from the repository root.
// Unless mayBeEmpty, listing nothing fails the test.
func goListDeps(tb testing.TB, mayBeEmpty bool, patterns ...string) []string {
	tb.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps"}, patterns...)...)
	cmd.Dir = "."
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list -deps %s: %v\n%s", strings.Join(patterns, " "), err, stderr.String())
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 && !mayBeEmpty {
		tb.Fatalf("go list -deps %s listed nothing", strings.Join(patterns, " "))
	}
	return deps
}

// standard reports whether path is a standard library package: their first
// path element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestDomainImportsStandardLibraryOnly enforces the dependency rule: the
// domain package cms depends on nothing but the standard library.
func TestDomainImportsStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	deps := goListDeps(t, false, module+"/cms")
	if !slices.Contains(deps, module+"/cms") {
		t.Fatalf("go list -deps does not list the cms package itself: %q", deps)
	}
	banned := []string{"echo", "uptrace/bun", "casbin", "looplab/fsm", "minio"}
	for _, dep := range deps {
		for _, b := range banned {
			if strings.Contains(dep, b) {
				t.Errorf("cms depends on %s (%s is banned from the domain)", dep, b)
			}
		}
		if dep != module+"/cms" && !standard(dep) {
			t.Errorf("cms depends on %s, which is not in the standard library", dep)
		}
	}
}

// TestAdaptersDoNotImportAPI checks that the packages implementing cms
// ports (workflow, rbac, storage) import neither api, cmd nor each other.
func TestAdaptersDoNotImportAPI(t *testing.T) {
	t.Parallel()
	adapters := []string{"workflow", "rbac", "storage"}
	for _, a := range adapters {
		t.Run(a, func(t *testing.T) {
			t.Parallel()
			// "./a/..." rather than "./a": workflow has no Go files yet, and
			// a pattern matching nothing lists nothing instead of failing.
			deps := goListDeps(t, true, "./"+a+"/...")
			if len(deps) == 0 {
				if a != "workflow" {
					t.Fatalf("go list -deps ./%s/... listed nothing", a)
				}
				t.Logf("./%s/... has no packages yet", a)
			}
			for _, dep := range deps {
				for _, banned := range []string{"api", "cmd"} {
					if within(dep, module+"/"+banned) {
						t.Errorf("%s depends on %s", a, dep)
					}
				}
				for _, other := range adapters {
					if other != a && within(dep, module+"/"+other) {
						t.Errorf("%s depends on the adapter %s", a, dep)
					}
				}
			}
		})
	}
}

// TestAPIDoesNotImportAdapters checks that the delivery adapter api reaches
// rendering, storage, authorization and the state machine only through the
// cms ports.
func TestAPIDoesNotImportAdapters(t *testing.T) {
	t.Parallel()
	for _, dep := range goListDeps(t, false, "./api") {
		for _, banned := range []string{"render", "storage", "rbac", "workflow", "media", "cmd"} {
			if within(dep, module+"/"+banned) {
				t.Errorf("api depends on %s", dep)
			}
		}
	}
}

// within reports whether the import path dep is pkg or below it.
func within(dep, pkg string) bool {
	return dep == pkg || strings.HasPrefix(dep, pkg+"/")
}

// TestStandard checks the classifier the dependency rule relies on.
func TestStandard(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"fmt":                                    true,
		"crypto/internal/entropy/v1.0.0":         true,
		"vendor/golang.org/x/net/dns/dnsmessage": true,
		"github.com/tlhpf/cms/api":               false,
		"golang.org/x/crypto/argon2":             false,
		"github.com/labstack/echo/v4":            false,
		"modernc.org/sqlite":                     false,
	}
	for path, want := range tests {
		if got := standard(path); got != want {
			t.Errorf("standard(%q) = %v, want %v", path, got, want)
		}
	}
}

package openapi_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tlhpf/cms"

// The rooms of the house. Delivery adapters speak to people and programs
// (HTTP today, the staff console next); port adapters implement the ports
// the domain declares; the composition root wires them all.
var (
	domain           = []string{"cms"}
	deliveryAdapters = []string{"api", "console"}
	portAdapters     = []string{"storage", "rbac", "workflow", "render", "archive", "media", "outbound", "metrics"}
	compositionRoot  = []string{"app", "cmd"}
	// tooling may do what it needs to measure the product.
	tooling = []string{"scripts"}
)

// pkgImports maps every package of the module to the packages its
// non-test files import, as `go list` reports them.
func pkgImports(tb testing.TB) map[string][]string {
	tb.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs[f[0]] = f[1:]
	}
	if len(pkgs) < 5 {
		tb.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// room returns which room of rooms holds pkg, or "".
func room(pkg string, rooms []string) string {
	for _, r := range rooms {
		if within(pkg, module+"/"+r) {
			return r
		}
	}
	return ""
}

// within reports whether the import path dep is pkg or below it.
func within(dep, pkg string) bool {
	return dep == pkg || strings.HasPrefix(dep, pkg+"/")
}

// standard reports whether path is a standard library package: their first
// path element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestDomainImportsStandardLibraryOnly enforces the dependency rule: the
// domain package cms depends, even indirectly, on nothing but the standard
// library.
func TestDomainImportsStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", "./cms")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cms: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/cms") {
		t.Fatalf("go list -deps does not list the cms package itself: %q", deps)
	}
	for _, dep := range deps {
		if dep != module+"/cms" && !standard(dep) {
			t.Errorf("cms depends on %s, which is not in the standard library", dep)
		}
	}
}

// TestRoomsImportOnlyInward checks who may import whom: delivery adapters
// import the domain and libraries only; port adapters import the domain,
// never another adapter or the root; only the composition root imports
// adapters (storage above all) and wires them.
func TestRoomsImportOnlyInward(t *testing.T) {
	t.Parallel()
	adapters := append(slices.Clone(deliveryAdapters), portAdapters...)
	for pkg, imports := range pkgImports(t) {
		from := room(pkg, adapters)
		for _, imp := range imports {
			if !within(imp, module) {
				continue
			}
			to := room(imp, append(slices.Clone(adapters), compositionRoot...))
			switch {
			case to == "" || to == from:
				// the domain, the spec, or the package's own room
			case room(pkg, compositionRoot) != "" || room(pkg, tooling) != "":
				// the root wires everything; tools measure it
			case room(pkg, domain) != "":
				t.Errorf("the domain %s imports %s", pkg, imp)
			case from != "":
				t.Errorf("the adapter %s imports %s: adapters depend on cms only", pkg, imp)
			default:
				t.Errorf("%s imports %s, which only the composition root may", pkg, imp)
			}
		}
	}
}

// sqlPattern matches SQL statements and the packages that send them.
var sqlPattern = regexp.MustCompile(`(?i)"(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX|SCHEMA|TRIGGER)|DROP |ALTER TABLE|VACUUM|PRAGMA)\b|"database/sql"|"github\.com/uptrace/bun|\.Bun\(\)`)

// TestSQLOnlyInStorage checks that no production code outside storage
// speaks SQL or holds a database handle: tests and the benchmark seeder
// may (to tamper with rows, or to write a million of them quickly).
func TestSQLOnlyInStorage(t *testing.T) {
	t.Parallel()
	for _, path := range goFiles(t) {
		if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, "storage/") || strings.HasPrefix(path, "scripts/") {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if m := sqlPattern.FindString(sc.Text()); m != "" {
				t.Errorf("%s:%d: %s outside storage", path, n, m)
			}
		}
		f.Close()
	}
}

// TestFilesStaySmall keeps every production file readable in one sitting.
func TestFilesStaySmall(t *testing.T) {
	t.Parallel()
	for _, path := range goFiles(t) {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "Code generated") {
			continue
		}
		if n := strings.Count(string(b), "\n"); n > 500 {
			t.Errorf("%s has %d lines: split it by concern (at most 500)", path, n)
		}
	}
}

// goFiles lists the Go files of the repository, relative to its root.
func goFiles(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, filepath.ToSlash(path))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) < 20 {
		tb.Fatalf("found only %d Go files", len(files))
	}
	return files
}

// TestClassifiers checks the helpers the rules rely on.
func TestClassifiers(t *testing.T) {
	t.Parallel()
	std := map[string]bool{
		"fmt":                                    true,
		"crypto/internal/entropy/v1.0.0":         true,
		"vendor/golang.org/x/net/dns/dnsmessage": true,
		"github.com/tlhpf/cms/api":               false,
		"golang.org/x/crypto/argon2":             false,
		"modernc.org/sqlite":                     false,
	}
	for path, want := range std {
		if got := standard(path); got != want {
			t.Errorf("standard(%q) = %v, want %v", path, got, want)
		}
	}
	rooms := map[string]string{
		module + "/storage/migrations": "storage",
		module + "/api":                "api",
		module + "/apix":               "",
		module + "/cms":                "",
		module:                         "",
	}
	for pkg, want := range rooms {
		if got := room(pkg, append(slices.Clone(deliveryAdapters), portAdapters...)); got != want {
			t.Errorf("room(%q) = %q, want %q", pkg, got, want)
		}
	}
	sql := map[string]bool{
		`db.ExecContext(ctx, "VACUUM INTO ?", p)`:    true,
		`q := "SELECT id FROM items"`:                true,
		`import "database/sql"`:                      true,
		`x := db.Bun()`:                              true,
		`// select the item, then update its state`:  false,
		`return Errorf(ENOTFOUND, "no such item")`:   false,
		`fe.Add("title", "must be at most 100 ...")`: false,
	}
	for line, want := range sql {
		if got := sqlPattern.MatchString(line); got != want {
			t.Errorf("sqlPattern on %q = %v, want %v", line, got, want)
		}
	}
}

// Command cms runs the headless CMS of the housing provident fund centre:
// the HTTP server and the operator's commands around it.
//
//	cms serve                 run the server (migrates and seeds on start)
//	cms migrate [-status]     apply database migrations
//	cms seed                  create or update departments, menus and columns
//	cms user add …            add an account (password from stdin or a prompt)
//	cms user unlock NAME      lift an account's lockout
//	cms audit verify          check the audit log against its hashes, MACs and anchors
//	cms media usage|gc        report or collect blob storage
//	cms doctor                check a deployment and print a verdict
//	cms version               print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cms:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: cms <command> [flags]

commands:
  serve      run the HTTP server (migrates and seeds first)
  migrate    apply database migrations (-status to list them)
  seed       create or update the departments, menus and columns of the annexes
  user add   add an account; the password is read from stdin or a prompt
  user unlock NAME
             lift the lockout of an account after failed logins
  audit verify [-anchors FILE]
             check the audit log's hash chain, its MACs (key file) and the
             anchors outside the database; name the first broken entry
  backup -o FILE | backup verify FILE | restore FILE
             consistent online backup (SQLite and blobs), its check, and restore
  archive export -from DATE -to DATE -o FILE [-allow-tampered] | archive verify FILE
             the auditors' BagIt archive of a period, and its check; an export
             holding tampered content is marked and fails without -allow-tampered
  patrol     check every row the content API serves from, every live revision
             and file; take offline what was tampered with
  media usage | media gc [-grace 24h]
             report blob storage use; delete blobs no revision refers to
  doctor     check the deployment: secrets' file permissions, the database and
             its migrations, the clock against the database's, the
             administrators, the audit chain, the blob store; exit status 1
             when a check fails
  version    print the version

configuration comes from CMS_* environment variables; see README.md.
`

// run dispatches a command line. It is main without the process exits, for tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	if args[0] == "version" || args[0] == "-version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "cms", buildVersion())
		return nil
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	cfg.logOut = stderr
	switch args[0] {
	case "serve":
		return runServe(ctx, cfg, args[1:], stderr)
	case "migrate":
		return runMigrate(ctx, cfg, args[1:], stdout)
	case "seed":
		return runSeed(ctx, cfg, stdout)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			return errors.New("usage: cms audit verify [-anchors FILE]")
		}
		return runAuditVerify(ctx, cfg, args[2:], stdout, stderr)
	case "backup":
		return runBackup(ctx, cfg, args[1:], stdout)
	case "restore":
		return runRestore(ctx, cfg, args[1:], stdout)
	case "archive":
		return runArchive(ctx, cfg, args[1:], stdout, stderr)
	case "patrol":
		return runPatrol(ctx, cfg, stdout)
	case "doctor":
		return runDoctor(ctx, cfg, getenv, stdout)
	case "media":
		return runMedia(ctx, cfg, args[1:], stdout)
	case "user":
		return runUser(ctx, cfg, args[1:], stdin, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

func runMigrate(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	status := fs.Bool("status", false, "list applied and pending migrations instead of migrating")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.logger()
	if *status {
		db, err := storage.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		applied, pending, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range applied {
			fmt.Fprintln(stdout, "applied ", m)
		}
		for _, m := range pending {
			fmt.Fprintln(stdout, "pending ", m)
		}
		return nil
	}
	db, err := app.OpenDB(ctx, cfg.Config, log)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "the database is up to date")
	return nil
}

func runSeed(ctx context.Context, cfg Config, stdout io.Writer) error {
	db, err := app.OpenDB(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := db.Seed(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d departments, %d channels, %d menu entries, %d columns\n",
		sum.Departments, sum.Channels, sum.MenuEntries, sum.Columns)
	return nil
}

// roleFlags collects -role ROLE[:DEPARTMENT] flags.
type roleFlags []cms.RoleBinding

func (r *roleFlags) String() string { return fmt.Sprint(*r) }

func (r *roleFlags) Set(v string) error {
	role, dept, _ := strings.Cut(v, ":")
	*r = append(*r, cms.RoleBinding{Role: cms.Role(role), Department: dept})
	return nil
}

const userUsage = "usage: cms user add -username NAME -department SLUG -role ROLE[:DEPT] … | cms user unlock NAME"

// runUser dispatches the account commands.
func runUser(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch {
	case len(args) >= 1 && args[0] == "add":
		return runUserAdd(ctx, cfg, args[1:], stdin, stdout, stderr)
	case len(args) == 2 && args[0] == "unlock":
		return runUserUnlock(ctx, cfg, args[1], stdout)
	}
	return errors.New(userUsage)
}

// runUserUnlock lifts the lockout of an account, audited as the machine's act.
func runUserUnlock(ctx context.Context, cfg Config, username string, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Services.Users.UnlockFromCLI(ctx, username)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unlocked user %s (id %d)\n", u.Username, u.ID)
	return nil
}

func runUserAdd(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var in cms.NewUser
	var roles roleFlags
	fs.StringVar(&in.Username, "username", "", "login name (required)")
	fs.StringVar(&in.DisplayName, "display-name", "", "name shown to others")
	fs.StringVar(&in.Department, "department", "", "department slug where the person sits (required)")
	fs.Var(&roles, "role", "role binding ROLE[:DEPARTMENT], repeatable; centre-wide roles default to -department")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in.Roles = roles
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	in.Password = pw
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Services.Users.AddFromCLI(ctx, in)
	if err != nil {
		var de *cms.Error
		if errors.As(err, &de) {
			for _, f := range de.Fields {
				fmt.Fprintf(stderr, "  %s: %s\n", f.Field, f.Message)
			}
		}
		return err
	}
	fmt.Fprintf(stdout, "added user %s (id %d)\n", u.Username, u.ID)
	return nil
}

// readPassword reads a password from a terminal without echo (asking twice),
// or the first line of stdin when it is not a terminal. Never from a flag,
// which would leave it in the shell history and the process list.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin")
	}
	return line, nil
}

// runAuditVerify walks the audit chain and checks it against the key file
// and the anchors; it fails naming the first broken entry and says what it
// could not verify.
func runAuditVerify(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var extra anchorFiles
	fs.Var(&extra, "anchors", "another file of anchor lines to check (e.g. Audit-Anchor lines copied from archives); repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := app.OpenDB(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	var check cms.AuditCheck
	if check.Keys, err = app.ReadKeys(cfg.Config); err != nil {
		return err
	}
	if check.Epoch, err = db.AuditEpoch(ctx); err != nil {
		return err
	}
	for _, f := range append([]storage.AnchorFile{cfg.Anchors()}, extra...) {
		as, err := f.Anchors()
		if err != nil {
			return err
		}
		check.Anchors = append(check.Anchors, as...)
	}
	r, err := cms.VerifyAuditChain(ctx, db, check)
	if err != nil {
		return err
	}
	if !r.Intact() {
		first := r.Problems[0]
		fmt.Fprintf(stdout, "audit log BROKEN at entry %d: %s (%d entries walked)\n", first.Seq, first.Reason, r.Entries)
		for _, p := range r.Problems[1:] {
			fmt.Fprintf(stdout, "  also: %s\n", p.Reason)
		}
	} else {
		fmt.Fprintf(stdout, "audit log intact: %d entries verified\n", r.Entries)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(stdout, "  %s\n", n)
	}
	if !r.Intact() {
		return fmt.Errorf("audit log broken at entry %d", r.Problems[0].Seq)
	}
	return nil
}

// anchorFiles collects -anchors FILE flags.
type anchorFiles []storage.AnchorFile

func (a *anchorFiles) String() string { return fmt.Sprint(*a) }

func (a *anchorFiles) Set(v string) error {
	*a = append(*a, storage.AnchorFile{Path: v})
	return nil
}

// runMedia reports blob storage use or collects unreferenced blobs.
func runMedia(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "usage" && args[0] != "gc") {
		return errors.New("usage: cms media usage | cms media gc [-grace 24h]")
	}
	fs := flag.NewFlagSet("media "+args[0], flag.ContinueOnError)
	grace := fs.Duration("grace", cfg.MediaGrace, "keep unreferenced blobs younger than this")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "gc" {
		n, freed, err := a.Services.Media.CollectGarbage(ctx, *grace)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %d unreferenced blobs (%d bytes)\n", n, freed)
		return nil
	}
	u, err := a.Services.Media.Usage(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "blobs: %d (%d bytes)\nreferenced: %d (%d bytes)\nunreferenced: %d (%d bytes)\n",
		u.Blobs, u.Bytes, u.Referenced, u.ReferencedBytes, u.Unreferenced, u.UnreferencedBytes)
	return nil
}

// runPatrol runs the integrity patrol once and prints its report.
func runPatrol(ctx context.Context, cfg Config, stdout io.Writer) error {
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Services.Patrol.RunScheduled(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "patrol %d: %d public rows, %d live revisions, %d files and %d menu entries, channels and columns checked, %d problems\n",
		r.ID, r.PublicRows, r.Revisions, r.Attachments, r.Structure, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(stdout, "  %s (revision %d): %s: %s (taken offline: %v)\n", p.Subject, p.RevisionID, p.Kind, p.Detail, p.Suspended)
	}
	if r.Anchor != nil {
		fmt.Fprintf(stdout, "audit anchor: %s\n", r.Anchor)
	}
	if len(r.Problems) > 0 {
		return fmt.Errorf("the patrol found %d problems", len(r.Problems))
	}
	return nil
}

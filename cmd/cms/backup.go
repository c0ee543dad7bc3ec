package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/storage"
)

// runBackup writes a backup of the embedded set-up, or verifies one.
func runBackup(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		if len(args) != 2 {
			return errors.New("usage: cms backup verify FILE")
		}
		return verifyBackup(ctx, args[1], stdout)
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("o", "", "the backup file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: cms backup -o FILE | cms backup verify FILE")
	}
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.DB.Backup(ctx, a.Blobs, *out, buildVersion())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s: %d files, audit log up to entry %d\n", *out, len(m.Files), m.AuditSeq)
	return nil
}

// verifyBackup restores a backup into a scratch directory, checks it and
// prints every problem.
func verifyBackup(ctx context.Context, path string, stdout io.Writer) error {
	m, problems, err := storage.VerifyBackup(ctx, path)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "PROBLEM:", p)
		}
		return fmt.Errorf("the backup %s is damaged (%d problems)", path, len(problems))
	}
	fmt.Fprintf(stdout, "backup %s is sound: %d files, database intact, audit chain verified up to entry %d\n", path, len(m.Files), m.AuditSeq)
	return nil
}

// runRestore restores a verified backup into the configured data directory
// and blob store; it refuses to overwrite an existing database.
func runRestore(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: cms restore FILE")
	}
	blobs, err := app.OpenBlobs(ctx, cfg.Config)
	if err != nil {
		return err
	}
	m, err := storage.Restore(ctx, args[0], cfg.DatabaseURL, blobs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (%d files)\n", args[0], cfg.DatabaseURL, len(m.Files))
	fmt.Fprintln(stdout, "the backup holds no key: restore the key file (CMS_AUDIT_KEY_FILE) from its own backup before starting the server")
	return nil
}

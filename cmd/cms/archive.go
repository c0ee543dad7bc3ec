package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

// runArchive exports or verifies the auditors' archive.
func runArchive(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		if len(args) != 2 {
			return errors.New("usage: cms archive verify FILE")
		}
		return verifyArchive(args[1], stdout)
	}
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: cms archive export -from YYYY-MM-DD -to YYYY-MM-DD -o FILE [-allow-tampered] | cms archive verify FILE")
	}
	fs := flag.NewFlagSet("archive export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fromS := fs.String("from", "", "first day of the period (YYYY-MM-DD, China time)")
	toS := fs.String("to", "", "last day of the period, included")
	out := fs.String("o", "", "the ZIP file to write")
	quiet := fs.Bool("q", false, "no progress bar")
	allowTampered := fs.Bool("allow-tampered", false, "succeed even when content whose hash no longer matches its approval is exported (it is marked in bag-info.txt either way)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-o FILE is required")
	}
	from, to, err := cms.ParseArchivePeriod(*fromS, *toS)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg.Config, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	export, err := a.Services.Archive.BeginAsOperator(ctx, from, to)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	var bar *progressbar.ProgressBar
	var progress func(done, total int)
	if !*quiet {
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("exporting items"),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}
	}
	sum, err := export.Write(ctx, f, progress)
	if err != nil {
		os.Remove(*out)
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d items, %d revisions, %d files, %d audit entries, %d bytes\n",
		*out, sum.Items, sum.Revisions, sum.Attachments, sum.AuditEntries, sum.Bytes)
	if len(sum.Tampered) == 0 {
		return nil
	}
	for _, w := range sum.Tampered {
		fmt.Fprintln(stderr, "WARNING: tampered content exported:", w)
	}
	if *allowTampered {
		return nil
	}
	return fmt.Errorf("%d exported revisions no longer match their approval (marked in bag-info.txt of %s); rerun with -allow-tampered to accept the archive", len(sum.Tampered), *out)
}

func verifyArchive(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := archive.Verify(f, st.Size())
	if err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintln(stdout, "PROBLEM:", p)
	}
	if !r.OK() {
		return fmt.Errorf("the archive %s does not verify (%d problems)", path, len(r.Problems))
	}
	fmt.Fprintf(stdout, "archive %s verifies: %d files, %d audit entries chained\n", path, r.Files, r.AuditEntries)
	return nil
}

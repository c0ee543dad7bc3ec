package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"
)

// The periodic archive (第十一条: 信息科整理，定期归档): every month the
// server writes the archive package of the month before into the blob
// store, reads it back and verifies it, and keeps a record of it that
// auditors and publishers list and download.

// ActArchiveRead lets auditors and publishers list and download the
// archive packages the server wrote.
const ActArchiveRead Action = "archive.read"

// Audit actions of the periodic archive.
const (
	AuditArchivePackaged   = "archive_packaged"
	AuditArchiveDownload   = "archive_downloaded"
	ArchiveScheduleOff     = "off"
	ArchiveScheduleMonthly = "monthly"
)

// Archive package states: being written (by the process holding its
// lease), written and verified, or written and found wanting (or the
// writing failed).
const (
	PackageWriting  = "writing"
	PackageVerified = "verified"
	PackageFailed   = "failed"
)

// ArchivePackage is one archive package the server wrote for a period.
type ArchivePackage struct {
	ID       int64
	Period   string // the month, as 2026-02 (China Standard Time)
	From, To time.Time
	Name     string // the package's name (its top directory; with .zip its file)
	// BlobKey is the package's SHA-256, the key it is stored under.
	BlobKey string
	Size    int64
	State   string
	// Problems are what verification (or the writing) found wrong.
	Problems                                    []string
	Items, Revisions, Attachments, AuditEntries int
	StartedAt, FinishedAt                       time.Time
	// Attempts counts the writings of the period, the first included: a
	// failed package is written again on a later run, up to
	// ArchiveAttempts times.
	Attempts int
}

// ArchivePackageStore keeps the records of the archive packages. A
// period's package is written by one process: the one that claimed it.
type ArchivePackageStore interface {
	// ClaimArchivePackage reserves p.Period for owner until leaseUntil: it
	// inserts p, or takes over a package still being written whose
	// writer's lease ran out before now, or one that failed after fewer
	// than maxAttempts attempts, and sets p.ID and p.Attempts (this one
	// included). It reports false, without error, when another process
	// holds the period, or its package is verified, or it failed
	// maxAttempts times.
	ClaimArchivePackage(ctx context.Context, p *ArchivePackage, owner string, now, leaseUntil time.Time, maxAttempts int) (bool, error)
	// FinishArchivePackage records the outcome of the claim owner holds,
	// with its audit entry, in one transaction.
	FinishArchivePackage(ctx context.Context, p *ArchivePackage, owner string, audit AuditEntry) error
	ArchivePackages(ctx context.Context) ([]ArchivePackage, error)
	ArchivePackage(ctx context.Context, id int64) (*ArchivePackage, error)
}

// ArchiveCheck is what verifying a package found.
type ArchiveCheck struct {
	Files, AuditEntries int
	Problems            []string
}

// ArchiveVerifier checks a package as `cms archive verify` does; package
// archive implements it.
type ArchiveVerifier interface {
	Verify(ctx context.Context, r io.ReaderAt, size int64) (*ArchiveCheck, error)
}

// ArchiveAttempts bounds the writings of one month's package: a package
// that failed is written again on each hourly run until it verifies or has
// failed this many times; 信息科 and the auditors are told of each failure.
const ArchiveAttempts = 6

// ArchiveFailed is the internal event of a monthly package that failed:
// it notifies 信息科 and the auditors and is never delivered to webhooks.
const ArchiveFailed EventType = "archive.failed"

// archiveLease is how long a writer holds a period before another process
// may take the writing over (it crashed, or hangs).
const archiveLease = 2 * time.Hour

// PreviousMonth returns the calendar month before now's, in China Standard
// Time, as the half-open period [from, to).
func PreviousMonth(now time.Time) (from, to time.Time) {
	n := now.In(China)
	to = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, China)
	return to.AddDate(0, -1, 0).UTC(), to.UTC()
}

// RunMonthly writes, verifies and records the package of the month before
// the current one, unless the schedule is off or it exists already. Of
// several server processes on one database only the one that claims the
// month writes it; the others return nil. It returns the package written.
func (s *ArchiveService) RunMonthly(ctx context.Context) (*ArchivePackage, error) {
	if s.Schedule == ArchiveScheduleOff || s.PackageStore == nil {
		return nil, nil
	}
	from, to := PreviousMonth(s.Clock.Now())
	now := s.Clock.Now()
	p := &ArchivePackage{Period: from.In(China).Format("2006-01"), From: from, To: to, Name: ArchiveName(from, to),
		State: PackageWriting, StartedAt: now}
	ok, err := s.PackageStore.ClaimArchivePackage(ctx, p, s.Owner, now, now.Add(archiveLease), ArchiveAttempts)
	if err != nil || !ok {
		return nil, err
	}
	werr := s.writePackage(ctx, p)
	if werr != nil {
		if ctx.Err() != nil {
			return nil, werr // shutting down: the lease runs out and another process writes it
		}
		p.State, p.Problems = PackageFailed, append(p.Problems, "writing failed: "+werr.Error())
	}
	p.FinishedAt = s.Clock.Now()
	detail := map[string]any{"period": p.Period, "name": p.Name, "state": p.State, "sha256": p.BlobKey, "size": p.Size,
		"items": p.Items, "revisions": p.Revisions, "problems": len(p.Problems), "attempt": p.Attempts,
		"max_attempts": ArchiveAttempts}
	if p.State == PackageFailed {
		detail["problem_list"] = clipList(p.Problems, 5)
	}
	audit := NewAuditEntry(p.FinishedAt, 0, AuditArchivePackaged, "archive_package:"+itoa64(p.ID), detail)
	if err := s.PackageStore.FinishArchivePackage(ctx, p, s.Owner, audit); err != nil {
		return nil, err
	}
	return p, werr
}

// writePackage exports p's period to a temporary file, stores it in the
// blob store under its SHA-256, then reads back what the store holds and
// verifies it.
func (s *ArchiveService) writePackage(ctx context.Context, p *ArchivePackage) error {
	x, err := s.begin(ctx, 0, p.From, p.To)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "cms-archive-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	sum, err := x.Write(ctx, io.MultiWriter(f, h), nil)
	if err != nil {
		return err
	}
	p.Items, p.Revisions, p.Attachments, p.AuditEntries = sum.Items, sum.Revisions, sum.Attachments, sum.AuditEntries
	if p.Size, err = f.Seek(0, io.SeekCurrent); err != nil {
		return err
	}
	p.BlobKey = hex.EncodeToString(h.Sum(nil))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := s.Blobs.Put(ctx, p.BlobKey, f, p.Size, "application/zip"); err != nil {
		return err
	}
	check, err := s.verifyStored(ctx, p)
	if err != nil {
		return err
	}
	p.Problems = check.Problems
	for _, t := range sum.Tampered {
		p.Problems = append(p.Problems, "tampered content exported: "+t)
	}
	p.State = PackageVerified
	if len(p.Problems) > 0 {
		p.State = PackageFailed
	}
	return nil
}

// verifyStored reads the package back from the blob store and verifies it.
func (s *ArchiveService) verifyStored(ctx context.Context, p *ArchivePackage) (*ArchiveCheck, error) {
	b, err := s.Blobs.Open(ctx, p.BlobKey)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	f, err := os.CreateTemp("", "cms-archive-check-*.zip")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), b)
	if err != nil {
		return nil, err
	}
	check, err := s.Verifier.Verify(ctx, f, n)
	if err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != p.BlobKey || n != p.Size {
		check.Problems = append(check.Problems, fmt.Sprintf("the blob store returned %d bytes with SHA-256 %s, not the %d bytes written", n, got, p.Size))
	}
	return check, nil
}

// Packages lists the archive packages the server wrote, newest first.
func (s *ArchiveService) Packages(ctx context.Context, p *Principal) ([]ArchivePackage, error) {
	if err := authorize(ctx, s.Authorizer, p, ActArchiveRead, Resource{}); err != nil {
		return nil, err
	}
	return s.PackageStore.ArchivePackages(ctx)
}

// OpenPackage opens a verified or failed package for p to download, and
// records the download.
func (s *ArchiveService) OpenPackage(ctx context.Context, p *Principal, id int64) (*ArchivePackage, Blob, error) {
	if err := authorize(ctx, s.Authorizer, p, ActArchiveRead, Resource{}); err != nil {
		return nil, nil, err
	}
	pkg, err := s.PackageStore.ArchivePackage(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if pkg.State == PackageWriting || pkg.BlobKey == "" {
		return nil, nil, Errorf(ECONFLICT, "the package of %s is still being written", pkg.Period)
	}
	b, err := s.Blobs.Open(ctx, pkg.BlobKey)
	if err != nil {
		return nil, nil, err
	}
	entry := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditArchiveDownload, "archive_package:"+itoa64(pkg.ID),
		map[string]any{"period": pkg.Period, "sha256": pkg.BlobKey})
	if err := s.Audit.Append(ctx, entry); err != nil {
		b.Close()
		return nil, nil, err
	}
	return pkg, b, nil
}

// clipList returns at most n of ss, each clipped, for an audit detail.
func clipList(ss []string, n int) []string {
	out := make([]string, 0, min(n, len(ss)))
	for _, s := range ss[:min(n, len(ss))] {
		out = append(out, clip(s, 300))
	}
	return out
}

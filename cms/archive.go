package cms

import (
	"context"
	"io"
	"time"
)

// ActArchiveExport lets auditors export the archive.
const ActArchiveExport Action = "archive.export"

// AuditArchiveExported records an export.
const AuditArchiveExported = "archive_exported"

// ArchiveOptions say what an archive export covers.
type ArchiveOptions struct {
	From, To     time.Time             // the period [From, To)
	Organization string                // the centre's name, for bag-info and the approval forms
	Progress     func(done, total int) // called after each item; may be nil
	// AuditAnchor is the audit chain's head when the export began, as an
	// anchor line (AuditAnchor.String), for bag-info.txt; may be empty.
	AuditAnchor string
}

// ArchiveSummary counts what an export wrote.
type ArchiveSummary struct {
	Items, Revisions, Attachments, AuditEntries int
	Bytes                                       int64 // the size of the package written
	// Tampered names each revision exported whose content no longer
	// matches its recorded or approved hash; the package marks them too.
	Tampered []string
}

// ArchiveService authorizes and records exports of the auditors' archive
// and hands the writing to its exporter.
type ArchiveService struct {
	Exporter     ArchiveExporter
	Organization string
	Authorizer   Authorizer
	Audit        AuditLog
	Clock        Clock
	// Keys and Anchors anchor the audit chain's head in every package.
	Keys    *Keys
	Anchors AnchorLog
	// The periodic archive (第十一条): the package records, the blob store
	// the packages go to, the verifier that checks them once written, the
	// schedule (ArchiveScheduleMonthly or ArchiveScheduleOff) and the name
	// of this process, which holds the lease of a package it writes.
	PackageStore ArchivePackageStore
	Blobs        BlobStore
	Verifier     ArchiveVerifier
	Schedule     string
	Owner        string
}

// MaxArchivePeriod bounds one export.
const MaxArchivePeriod = 5 * 366 * 24 * time.Hour

// ArchiveExport is an authorized, recorded export ready to be written.
type ArchiveExport struct {
	// Name names the package: its top directory, and with ".zip" its file.
	Name     string
	from, to time.Time
	anchor   string
	userID   int64
	s        *ArchiveService
}

// Begin checks that p may export [from, to) and records that they did.
func (s *ArchiveService) Begin(ctx context.Context, p *Principal, from, to time.Time) (*ArchiveExport, error) {
	if err := (guard{s.Authorizer, s.Audit, s.Clock}).write(ctx, p, ActArchiveExport, Resource{}, "archive"); err != nil {
		return nil, err
	}
	return s.begin(ctx, p.User.ID, from, to)
}

// BeginAsOperator is Begin for the operator at the server's console, who
// holds the database itself; the export is recorded without a user.
func (s *ArchiveService) BeginAsOperator(ctx context.Context, from, to time.Time) (*ArchiveExport, error) {
	return s.begin(ctx, 0, from, to)
}

func (s *ArchiveService) begin(ctx context.Context, userID int64, from, to time.Time) (*ArchiveExport, error) {
	if err := CheckArchivePeriod(from, to); err != nil {
		return nil, err
	}
	err := s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), userID, AuditArchiveExported, "archive",
		map[string]any{"from": formatTime(from), "to": formatTime(to)}))
	if err != nil {
		return nil, err
	}
	x := &ArchiveExport{Name: ArchiveName(from, to), from: from, to: to, userID: userID, s: s}
	if s.Keys != nil {
		a, err := AnchorAudit(ctx, s.Audit, s.Keys, s.Anchors, AnchorArchive, s.Clock.Now())
		if err != nil {
			return nil, err
		}
		x.anchor = a.String()
	}
	return x, nil
}

// Write writes the package to w; progress may be nil. Content found
// tampered with is written as it is, marked in the package, named in the
// summary, and recorded in the audit log.
func (x *ArchiveExport) Write(ctx context.Context, w io.Writer, progress func(done, total int)) (*ArchiveSummary, error) {
	sum, err := x.s.Exporter.Export(ctx, w, ArchiveOptions{From: x.from, To: x.to, Organization: x.s.Organization,
		Progress: progress, AuditAnchor: x.anchor})
	if err != nil || len(sum.Tampered) == 0 {
		return sum, err
	}
	detail := map[string]any{"kind": "archive", "archive": x.Name, "tampered": sum.Tampered[:min(len(sum.Tampered), 50)],
		"count": len(sum.Tampered)}
	return sum, x.s.Audit.Append(ctx, NewAuditEntry(x.s.Clock.Now(), x.userID, AuditTamperDetected, "archive", detail))
}

// ArchiveName names the package of a period [from, to): the second date is
// the last day of the period, both in China Standard Time.
func ArchiveName(from, to time.Time) string {
	return "cms-archive-" + from.In(China).Format("20060102") + "-" + to.Add(-time.Nanosecond).In(China).Format("20060102")
}

// ParseArchivePeriod reads a period of whole days [from, to] given as
// YYYY-MM-DD in China Standard Time (to is inclusive) and returns it as the
// half-open interval [from, to+1 day) in UTC.
func ParseArchivePeriod(from, to string) (time.Time, time.Time, error) {
	var fe FieldErrors
	f, err := time.ParseInLocation(time.DateOnly, from, China)
	if err != nil {
		fe.Add("from", "must be a date as YYYY-MM-DD")
	}
	t, err := time.ParseInLocation(time.DateOnly, to, China)
	if err != nil {
		fe.Add("to", "must be a date as YYYY-MM-DD")
	}
	if err := fe.Err("invalid period"); err != nil {
		return time.Time{}, time.Time{}, err
	}
	end := t.AddDate(0, 0, 1)
	return f.UTC(), end.UTC(), CheckArchivePeriod(f, end)
}

// CheckArchivePeriod validates an export period.
func CheckArchivePeriod(from, to time.Time) error {
	var fe FieldErrors
	switch {
	case from.IsZero():
		fe.Add("from", "is required (YYYY-MM-DD)")
	case to.IsZero():
		fe.Add("to", "is required (YYYY-MM-DD)")
	case !to.After(from):
		fe.Add("to", "must not be before from")
	case to.Sub(from) > MaxArchivePeriod:
		fe.Add("to", "a period spans at most five years")
	}
	return fe.Err("invalid period")
}

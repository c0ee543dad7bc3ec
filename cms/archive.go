package cms

import (
	"context"
	"time"
)

// ActArchiveExport lets auditors export the archive.
const ActArchiveExport Action = "archive.export"

// AuditArchiveExported records an export.
const AuditArchiveExported = "archive_exported"

// ArchiveService authorizes and records exports of the auditors' archive;
// package archive writes it.
type ArchiveService struct {
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
}

// MaxArchivePeriod bounds one export.
const MaxArchivePeriod = 5 * 366 * 24 * time.Hour

// Begin checks that p may export [from, to) and records that they did.
func (s *ArchiveService) Begin(ctx context.Context, p *Principal, from, to time.Time) error {
	if err := (guard{s.Authorizer, s.Audit, s.Clock}).write(ctx, p, ActArchiveExport, Resource{}, "archive"); err != nil {
		return err
	}
	if err := CheckArchivePeriod(from, to); err != nil {
		return err
	}
	return s.Audit.Append(ctx, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditArchiveExported, "archive",
		map[string]any{"from": formatTime(from), "to": formatTime(to)}))
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

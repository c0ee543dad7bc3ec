package storage

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// Row types map tables to Go. They are the live models; migrations keep
// their own frozen copies.

type departmentRow struct {
	bun.BaseModel `bun:"table:departments"`
	Slug          string `bun:",pk"`
	Name          string
	Kind          string
	MemberOf      string `bun:",nullzero"`
	Position      int
}

func (r departmentRow) domain() cms.Department {
	return cms.Department{Slug: r.Slug, Name: r.Name, Kind: r.Kind, MemberOf: r.MemberOf, Position: r.Position}
}

type channelRow struct {
	bun.BaseModel       `bun:"table:channels"`
	Slug                string `bun:",pk"`
	Name                string
	Position            int
	MaintenanceNotice   string
	MaintenanceStartsAt time.Time `bun:",nullzero"`
	MaintenanceEndsAt   time.Time `bun:",nullzero"`
	MAC                 string    `bun:"mac"`
}

func (r *channelRow) domain() cms.Channel {
	return cms.Channel{Slug: r.Slug, Name: r.Name, Position: r.Position, Maintenance: cms.Maintenance{
		Notice: r.MaintenanceNotice, StartsAt: utc(r.MaintenanceStartsAt), EndsAt: utc(r.MaintenanceEndsAt)}, MAC: r.MAC}
}

type columnRow struct {
	bun.BaseModel  `bun:"table:columns"`
	Slug           string `bun:",pk"`
	Title          string
	Kind           string
	ContentType    string `bun:",nullzero"`
	Description    string
	DeclaredOwners string
	Position       int
	MAC            string `bun:"mac"`
}

type columnOwnerRow struct {
	bun.BaseModel  `bun:"table:column_owners"`
	ColumnSlug     string `bun:",pk"`
	DepartmentSlug string `bun:",pk"`
}

type menuEntryRow struct {
	bun.BaseModel `bun:"table:menu_entries"`
	ID            int64 `bun:",pk,autoincrement"`
	Channel       string
	ParentID      int64 `bun:",nullzero"`
	Slug          string
	Title         string
	Path          string
	ColumnSlug    string `bun:",nullzero"`
	Enabled       bool
	Position      int
	MAC           string `bun:"mac"`
}

func (r *menuEntryRow) domain() cms.MenuEntry {
	return cms.MenuEntry{ID: r.ID, Channel: r.Channel, ParentID: r.ParentID, Slug: r.Slug, Title: r.Title,
		Path: r.Path, Column: r.ColumnSlug, Enabled: r.Enabled, Position: r.Position, MAC: r.MAC}
}

type userRow struct {
	bun.BaseModel      `bun:"table:users"`
	ID                 int64 `bun:",pk,autoincrement"`
	Username           string
	DisplayName        string
	Department         string
	PasswordHash       string
	PasswordChangedAt  time.Time
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time `bun:",nullzero"`
	LoginEpoch         int64
	Disabled           bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	OTPSecret          string    `bun:"otp_secret"`
	OTPPending         string    `bun:"otp_pending"`
	OTPEnabledAt       time.Time `bun:"otp_enabled_at,nullzero"`
	OTPLastStep        int64     `bun:"otp_last_step"`
}

func (r *userRow) domain(roles []cms.RoleBinding) *cms.User {
	return &cms.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Department: r.Department,
		Roles: roles, Disabled: r.Disabled, PasswordChangedAt: r.PasswordChangedAt.UTC(), MustChangePassword: r.MustChangePassword,
		FailedLogins: r.FailedLogins, LockedUntil: utc(r.LockedUntil), OTPEnabled: !r.OTPEnabledAt.IsZero(),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type passwordHistoryRow struct {
	bun.BaseModel `bun:"table:password_history"`
	ID            int64 `bun:",pk,autoincrement"`
	UserID        int64
	Hash          string
	CreatedAt     time.Time
}

type recoveryCodeRow struct {
	bun.BaseModel `bun:"table:otp_recovery_codes"`
	UserID        int64     `bun:",pk"`
	CodeHash      string    `bun:",pk"`
	UsedAt        time.Time `bun:",nullzero"`
}

type roleBindingRow struct {
	bun.BaseModel `bun:"table:role_bindings"`
	UserID        int64  `bun:",pk"`
	Role          string `bun:",pk"`
	Department    string `bun:",pk"`
}

type rolePermissionRow struct {
	bun.BaseModel `bun:"table:role_permissions"`
	Role          string `bun:",pk"`
	Object        string `bun:",pk"`
	Action        string `bun:",pk"`
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            int64 `bun:",pk,autoincrement"`
	UserID        int64
	Kind          string
	TokenHash     string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

type settingRow struct {
	bun.BaseModel `bun:"table:settings"`
	Key           string `bun:",pk"`
	Value         string
}

type itemRow struct {
	bun.BaseModel  `bun:"table:items"`
	ID             int64 `bun:",pk,autoincrement"`
	ColumnSlug     string
	Department     string
	ContentType    string
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Title          string
	State          string
	HeadRevisionID int64     `bun:",nullzero"`
	LiveRevisionID int64     `bun:",nullzero"`
	PublishedAt    time.Time `bun:",nullzero"`
}

func newItemRow(it *cms.Item) *itemRow {
	return &itemRow{ID: it.ID, ColumnSlug: it.Column, Department: it.Department, ContentType: it.ContentType,
		CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Title: it.Title,
		State: string(it.State), HeadRevisionID: it.HeadRevisionID, LiveRevisionID: it.LiveRevisionID, PublishedAt: it.PublishedAt}
}

func (r *itemRow) domain() cms.Item {
	return cms.Item{ID: r.ID, Column: r.ColumnSlug, Department: r.Department, ContentType: r.ContentType,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Title: r.Title,
		State: cms.State(r.State), HeadRevisionID: r.HeadRevisionID, LiveRevisionID: r.LiveRevisionID, PublishedAt: utc(r.PublishedAt)}
}

type revisionRow struct {
	bun.BaseModel `bun:"table:revisions"`
	ID            int64 `bun:",pk,autoincrement"`
	ItemID        int64
	Number        int
	Action        string
	State         string
	Version       int
	Title         string
	Body          string
	BodyFormat    string
	Fields        string
	PublishAt     time.Time `bun:",nullzero"`
	ExpireAt      time.Time `bun:",nullzero"`
	AuthorID      int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ContentHash   string
	SubmittedBy   int64 `bun:",nullzero"`
	StateSince    time.Time
	SignoffStep   int
	ApprovedHash  string
	PublishedAt   time.Time `bun:",nullzero"`
	ReleasedBy    int64     `bun:",nullzero"`
	ReleaseAt     time.Time `bun:",nullzero"`
	// PreviewGeneration is kept by ApplyTransition and RevokePreviews only.
	PreviewGeneration int
}

func newRevisionRow(r *cms.Revision) (*revisionRow, error) {
	fields := r.Fields
	if fields == nil {
		fields = map[string]any{}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	return &revisionRow{ID: r.ID, ItemID: r.ItemID, Number: r.Number, Action: r.Action, State: string(r.State),
		Version: r.Version, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Fields: string(b),
		PublishAt: r.PublishAt, ExpireAt: r.ExpireAt, AuthorID: r.AuthorID, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, ContentHash: r.ContentHash, SubmittedBy: r.SubmittedBy, StateSince: r.StateSince,
		SignoffStep: r.SignoffStep, ApprovedHash: r.ApprovedHash, PublishedAt: r.PublishedAt, PreviewGeneration: r.PreviewGeneration,
		ReleasedBy: r.ReleasedBy, ReleaseAt: r.ReleaseAt}, nil
}

func (r *revisionRow) domain() (cms.Revision, error) {
	rev := cms.Revision{ID: r.ID, ItemID: r.ItemID, Number: r.Number, Action: r.Action, State: cms.State(r.State),
		Version: r.Version, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat,
		PublishAt: utc(r.PublishAt), ExpireAt: utc(r.ExpireAt), AuthorID: r.AuthorID, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), ContentHash: r.ContentHash, SubmittedBy: r.SubmittedBy, StateSince: r.StateSince.UTC(),
		SignoffStep: r.SignoffStep, ApprovedHash: r.ApprovedHash, PublishedAt: utc(r.PublishedAt), PreviewGeneration: r.PreviewGeneration,
		ReleasedBy: r.ReleasedBy, ReleaseAt: utc(r.ReleaseAt)}
	if err := decodeFields(r.Fields, &rev.Fields); err != nil {
		return rev, err
	}
	return rev, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

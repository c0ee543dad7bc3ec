package archive

import (
	"time"

	"github.com/tlhpf/cms/cms"
)

// The JSON documents of the payload. They are the archive's own types, as
// api and storage have theirs: the domain structs carry no tags.

// itemRecord is item.json.
type itemRecord struct {
	ID               int64  `json:"id"`
	Column           string `json:"column"`
	ColumnTitle      string `json:"column_title,omitempty"`
	Department       string `json:"department"`
	DepartmentName   string `json:"department_name,omitempty"`
	ContentType      string `json:"content_type"`
	CreatedBy        int64  `json:"created_by"`
	CreatedAt        string `json:"created_at"`
	FirstPublishedAt string `json:"first_published_at"`
	// Revisions and Approvals list the revision numbers in the bag and
	// those with an approval form.
	Revisions []int `json:"revisions"`
	Approvals []int `json:"approvals"`
	// Current is the item's head as it stood when the bag was made.
	Current currentRecord `json:"current"`
}

type currentRecord struct {
	AsOf           string    `json:"as_of"`
	Title          string    `json:"title"`
	State          cms.State `json:"state"`
	HeadRevisionID int64     `json:"head_revision_id"`
	LiveRevisionID int64     `json:"live_revision_id"`
	UpdatedAt      string    `json:"updated_at"`
}

// revisionRecord is revisions/<number>.json.
type revisionRecord struct {
	ID           int64              `json:"id"`
	ItemID       int64              `json:"item_id"`
	Number       int                `json:"number"`
	Action       string             `json:"action"`
	State        cms.State          `json:"state"` // as it stood when the bag was made
	Version      int                `json:"version"`
	Title        string             `json:"title"`
	Body         string             `json:"body"`
	BodyFormat   string             `json:"body_format"`
	Fields       map[string]any     `json:"fields"`
	PublishAt    string             `json:"publish_at"`
	ExpireAt     string             `json:"expire_at"`
	AuthorID     int64              `json:"author_id"`
	CreatedAt    string             `json:"created_at"`
	UpdatedAt    string             `json:"updated_at"`
	ContentHash  string             `json:"content_hash"`
	ApprovedHash string             `json:"approved_hash"`
	SubmittedBy  int64              `json:"submitted_by"`
	PublishedAt  string             `json:"published_at"`
	Attachments  []attachmentRecord `json:"attachments"`
}

type attachmentRecord struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	File        string `json:"file"` // path in the bag
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Position    int    `json:"position"`
	CreatedAt   string `json:"created_at"`
}

// historyRecord is history.json.
type historyRecord struct {
	ItemID      int64              `json:"item_id"`
	Transitions []transitionRecord `json:"transitions"`
}

type transitionRecord struct {
	ID               int64     `json:"id"`
	RevisionID       int64     `json:"revision_id"`
	RevisionNumber   int       `json:"revision_number"`
	Version          int       `json:"version"`
	Event            cms.Event `json:"event"`
	From             cms.State `json:"from"`
	To               cms.State `json:"to"`
	ActorID          int64     `json:"actor_id"`
	ActorUsername    string    `json:"actor_username"`
	ActorDisplayName string    `json:"actor_display_name"`
	ActorDepartment  string    `json:"actor_department"`
	ActorRole        cms.Role  `json:"actor_role"`
	Comment          string    `json:"comment"`
	ContentHash      string    `json:"content_hash"`
	SignoffStep      int       `json:"signoff_step"`
	At               string    `json:"at"`
}

// auditRecord is one line of audit-log.jsonl. Detail is the stored JSON
// text as a string, byte for byte, and At is written as ChainHash formats
// it, so that the hash can be recomputed from the line alone.
type auditRecord struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	ActorID  int64  `json:"actor_id"`
	Action   string `json:"action"`
	Subject  string `json:"subject"`
	Detail   string `json:"detail"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

const auditTimeFormat = "2006-01-02T15:04:05.000000Z"

func newAuditRecord(e *cms.AuditEntry) auditRecord {
	return auditRecord{Seq: e.Seq, At: e.At.UTC().Format(auditTimeFormat), ActorID: e.ActorID, Action: e.Action,
		Subject: e.Subject, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

func (r *auditRecord) entry() (cms.AuditEntry, error) {
	at, err := time.Parse(time.RFC3339Nano, r.At)
	return cms.AuditEntry{Seq: r.Seq, At: at, ActorID: r.ActorID, Action: r.Action, Subject: r.Subject,
		Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash}, err
}

func newRevisionRecord(r *cms.Revision) revisionRecord {
	rec := revisionRecord{ID: r.ID, ItemID: r.ItemID, Number: r.Number, Action: r.Action, State: r.State, Version: r.Version,
		Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Fields: r.Fields, PublishAt: stamp(r.PublishAt),
		ExpireAt: stamp(r.ExpireAt), AuthorID: r.AuthorID, CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt),
		ContentHash: r.ContentHash, ApprovedHash: r.ApprovedHash, SubmittedBy: r.SubmittedBy, PublishedAt: stamp(r.PublishedAt),
		Attachments: make([]attachmentRecord, 0, len(r.Attachments))}
	if rec.Fields == nil {
		rec.Fields = map[string]any{}
	}
	for _, a := range r.Attachments {
		rec.Attachments = append(rec.Attachments, attachmentRecord{ID: a.ID, SHA256: a.Key, File: attachmentsDir + a.Key,
			Name: a.Name, ContentType: a.ContentType, Size: a.Size, Width: a.Width, Height: a.Height, Position: a.Position,
			CreatedAt: stamp(a.CreatedAt)})
	}
	return rec
}

// contentHash recomputes the hash of the content the record holds, the way
// cms.Revision.Hash computes it.
func (r *revisionRecord) contentHash() (string, error) {
	rev := cms.Revision{Action: r.Action, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Fields: r.Fields}
	var err error
	if rev.PublishAt, err = unstamp(r.PublishAt); err != nil {
		return "", err
	}
	if rev.ExpireAt, err = unstamp(r.ExpireAt); err != nil {
		return "", err
	}
	for _, a := range r.Attachments {
		rev.Attachments = append(rev.Attachments, cms.Attachment{Key: a.SHA256, Name: a.Name, ContentType: a.ContentType})
	}
	return rev.Hash(), nil
}

// stamp formats a time for the JSON documents: UTC, "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func unstamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

package cms

import (
	"context"
	"encoding/json"
	"sort"
)

// FieldChange is one difference between two revisions.
type FieldChange struct {
	Field  string // title, body, body_format, publish_at, expire_at, action or fields.NAME
	Change string // added, removed or changed
	Old    any
	New    any
}

// DiffRevisions lists what changed from old to new, field by field, in a
// stable order. A nil old means everything in new is added.
func DiffRevisions(old, new *Revision) []FieldChange {
	if old == nil {
		old = &Revision{}
	}
	var out []FieldChange
	add := func(field string, a, b any) {
		ea, eb := isEmpty(a), isEmpty(b)
		switch {
		case ea && eb:
		case ea:
			out = append(out, FieldChange{Field: field, Change: "added", New: b})
		case eb:
			out = append(out, FieldChange{Field: field, Change: "removed", Old: a})
		case !sameJSON(a, b):
			out = append(out, FieldChange{Field: field, Change: "changed", Old: a, New: b})
		}
	}
	add("action", old.Action, new.Action)
	add("title", old.Title, new.Title)
	add("body", old.Body, new.Body)
	add("body_format", old.BodyFormat, new.BodyFormat)
	add("publish_at", formatTime(old.PublishAt), formatTime(new.PublishAt))
	add("expire_at", formatTime(old.ExpireAt), formatTime(new.ExpireAt))
	add("attachments", attachmentList(old.Attachments), attachmentList(new.Attachments))
	names := map[string]bool{}
	for k := range old.Fields {
		names[k] = true
	}
	for k := range new.Fields {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		add("fields."+k, old.Fields[k], new.Fields[k])
	}
	return out
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// Diff compares a revision with another of the same item: by default the
// live one, so reviewers see what a modification changes.
func (s *ItemService) Diff(ctx context.Context, p *Principal, revID, againstID int64) (*Revision, *Revision, []FieldChange, error) {
	rev, it, err := s.Revision(ctx, p, revID)
	if err != nil {
		return nil, nil, nil, err
	}
	if againstID == 0 {
		againstID = it.LiveRevisionID
	}
	var base *Revision
	if againstID != 0 {
		if base, err = s.Items.Revision(ctx, againstID); err != nil {
			return nil, nil, nil, err
		}
		if base.ItemID != rev.ItemID {
			return nil, nil, nil, Invalid("not the same item", FieldError{Field: "against", Message: "must be a revision of the same item"})
		}
	}
	return rev, base, DiffRevisions(base, rev), nil
}

// attachmentList describes files by name and hash, for diffs.
func attachmentList(as []Attachment) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = map[string]any{"name": a.Name, "sha256": a.Key, "content_type": a.ContentType, "size": a.Size}
	}
	return out
}

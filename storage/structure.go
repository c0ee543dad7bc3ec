package storage

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.StructureStore = (*DB)(nil)

// Departments lists departments in annex order.
func (db *DB) Departments(ctx context.Context) ([]cms.Department, error) {
	var rows []departmentRow
	if err := db.bun.NewSelect().Model(&rows).Order("position").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Department, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Channels lists channels in annex order.
func (db *DB) Channels(ctx context.Context) ([]cms.Channel, error) {
	var rows []channelRow
	if err := db.bun.NewSelect().Model(&rows).Order("position").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Channel, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// Channel returns one channel with its maintenance notice.
func (db *DB) Channel(ctx context.Context, slug string) (*cms.Channel, error) {
	var row channelRow
	if err := db.bun.NewSelect().Model(&row).Where("slug = ?", slug).Scan(ctx); err != nil {
		return nil, translate(err, "channel "+slug)
	}
	ch := row.domain()
	return &ch, nil
}

// SetMaintenance stores a channel's name, place, maintenance notice and
// MAC with its audit entry.
func (db *DB) SetMaintenance(ctx context.Context, ch *cms.Channel, audit cms.AuditEntry) error {
	m := ch.Maintenance
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*channelRow)(nil)).Set("name = ?", ch.Name).Set("position = ?", ch.Position).
			Set("maintenance_notice = ?", m.Notice).
			Set("maintenance_starts_at = ?", nullTime(m.StartsAt)).Set("maintenance_ends_at = ?", nullTime(m.EndsAt)).
			Set("mac = ?", ch.MAC).Where("slug = ?", ch.Slug).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ENOTFOUND, "channel %q not found", ch.Slug)
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return bumpContent(ctx, tx, audit.At)
	})
}

// SetMenuEntry stores every field of a menu entry and its MAC with its
// audit entry.
func (db *DB) SetMenuEntry(ctx context.Context, e *cms.MenuEntry, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*menuEntryRow)(nil)).Set("title = ?", e.Title).Set("enabled = ?", e.Enabled).
			Set("channel = ?", e.Channel).Set("parent_id = ?", nullID(e.ParentID)).Set("slug = ?", e.Slug).
			Set("path = ?", e.Path).Set("column_slug = ?", nullString(e.Column)).Set("position = ?", e.Position).
			Set("mac = ?", e.MAC).Where("id = ?", e.ID).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ENOTFOUND, "menu entry not found")
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return bumpContent(ctx, tx, audit.At)
	})
}

// MenuEntry returns one menu entry.
func (db *DB) MenuEntry(ctx context.Context, id int64) (*cms.MenuEntry, error) {
	var r menuEntryRow
	if err := db.bun.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "menu entry")
	}
	e := r.domain()
	return &e, nil
}

// Menu returns a channel's menu entries, parents before children, siblings in order.
func (db *DB) Menu(ctx context.Context, channel string) ([]cms.MenuEntry, error) {
	exists, err := db.bun.NewSelect().Model((*channelRow)(nil)).Where("slug = ?", channel).Exists(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, cms.Errorf(cms.ENOTFOUND, "channel %q not found", channel)
	}
	var rows []menuEntryRow
	if err := db.bun.NewSelect().Model(&rows).Where("channel = ?", channel).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.MenuEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	sortMenu(out)
	return out, nil
}

// sortMenu orders entries depth-first by position so that parents come
// before children and siblings keep the annex order, whatever the ids.
func sortMenu(entries []cms.MenuEntry) {
	children := map[int64][]cms.MenuEntry{}
	for _, e := range entries {
		children[e.ParentID] = append(children[e.ParentID], e)
	}
	out := entries[:0:0]
	var walk func(parent int64)
	walk = func(parent int64) {
		kids := children[parent]
		sortByPosition(kids)
		for _, k := range kids {
			out = append(out, k)
			walk(k.ID)
		}
	}
	walk(0)
	copy(entries, out)
}

func sortByPosition(es []cms.MenuEntry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Position < es[j-1].Position; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// Columns lists every column with its owners, in annex order.
func (db *DB) Columns(ctx context.Context) ([]cms.Column, error) {
	var rows []columnRow
	if err := db.bun.NewSelect().Model(&rows).Order("position").Scan(ctx); err != nil {
		return nil, err
	}
	var owners []columnOwnerRow
	if err := db.bun.NewSelect().Model(&owners).Scan(ctx); err != nil {
		return nil, err
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return nil, err
	}
	byCol := map[string][]string{}
	for _, o := range owners {
		byCol[o.ColumnSlug] = append(byCol[o.ColumnSlug], o.DepartmentSlug)
	}
	out := make([]cms.Column, len(rows))
	for i, r := range rows {
		out[i] = r.domain(orderDepartments(byCol[r.Slug], depts))
	}
	return out, nil
}

// Column returns one column with its owners.
func (db *DB) Column(ctx context.Context, slug string) (*cms.Column, error) {
	var row columnRow
	if err := db.bun.NewSelect().Model(&row).Where("slug = ?", slug).Scan(ctx); err != nil {
		return nil, translate(err, "column "+slug)
	}
	var owners []string
	if err := db.bun.NewSelect().Model((*columnOwnerRow)(nil)).Column("department_slug").
		Where("column_slug = ?", slug).Scan(ctx, &owners); err != nil {
		return nil, err
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return nil, err
	}
	c := row.domain(orderDepartments(owners, depts))
	return &c, nil
}

// orderDepartments returns slugs in the annex order of the departments.
func orderDepartments(slugs []string, depts []cms.Department) []string {
	set := map[string]bool{}
	for _, s := range slugs {
		set[s] = true
	}
	out := make([]string, 0, len(slugs))
	for _, d := range depts {
		if set[d.Slug] {
			out = append(out, d.Slug)
		}
	}
	return out
}

func (r *columnRow) domain(owners []string) cms.Column {
	var declared []string
	_ = json.Unmarshal([]byte(r.DeclaredOwners), &declared)
	return cms.Column{Slug: r.Slug, Title: r.Title, Kind: r.Kind, ContentType: r.ContentType,
		Description: r.Description, DeclaredOwners: declared, Owners: owners, Position: r.Position, MAC: r.MAC}
}

// decodeFields decodes a stored JSON object keeping numbers exact, so that a
// revision's content hash is the same after a round trip.
func decodeFields(s string, into *map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	return dec.Decode(into)
}

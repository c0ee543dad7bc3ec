package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"gopkg.in/yaml.v3"

	"github.com/tlhpf/cms/cms"
)

var (
	_ cms.SealStore      = (*DB)(nil)
	_ cms.IntegrityStore = (*DB)(nil)
)

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AllMenuEntries returns the entries of every channel's menu, by id.
func (db *DB) AllMenuEntries(ctx context.Context) ([]cms.MenuEntry, error) {
	var rows []menuEntryRow
	if err := db.bun.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.MenuEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// seal stores a structure row's MAC if its MAC is still old.
func (db *DB) seal(ctx context.Context, model any, key string, id any, old, mac string) (bool, error) {
	res, err := db.bun.NewUpdate().Model(model).Set("mac = ?", mac).Where("? = ?", bun.Ident(key), id).Where("mac = ?", old).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SealMenuEntry stores a menu entry's MAC if its MAC is still old.
func (db *DB) SealMenuEntry(ctx context.Context, id int64, old, mac string) (bool, error) {
	return db.seal(ctx, (*menuEntryRow)(nil), "id", id, old, mac)
}

// SealChannel stores a channel's MAC if its MAC is still old.
func (db *DB) SealChannel(ctx context.Context, slug, old, mac string) (bool, error) {
	return db.seal(ctx, (*channelRow)(nil), "slug", slug, old, mac)
}

// SealColumn stores a column's MAC if its MAC is still old.
func (db *DB) SealColumn(ctx context.Context, slug, old, mac string) (bool, error) {
	return db.seal(ctx, (*columnRow)(nil), "slug", slug, old, mac)
}

// AuditByAction returns the audit entries of one action, in order.
func (db *DB) AuditByAction(ctx context.Context, action string) ([]cms.AuditEntry, error) {
	var rows []auditRow
	if err := db.bun.NewSelect().Model(&rows).Where("action = ?", action).Order("seq").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = cms.AuditEntry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Action: r.Action, Subject: r.Subject,
			Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash, MAC: r.MAC}
	}
	return out, nil
}

// Annex returns the structure the embedded annexes declare: channels,
// menu entries by path (no ids) and columns, as Seed writes them.
func (db *DB) Annex(context.Context) (*cms.Annex, error) {
	var f annexFile
	if err := yaml.Unmarshal(annexYAML, &f); err != nil {
		return nil, fmt.Errorf("storage: parse annex fixture: %w", err)
	}
	a := &cms.Annex{}
	seen := map[string]bool{}
	var walk func(channel, prefix string, entries []annexEntry)
	walk = func(channel, prefix string, entries []annexEntry) {
		for i, e := range entries {
			m := cms.MenuEntry{Channel: channel, Slug: e.Slug, Title: e.Title, Path: strings.TrimPrefix(prefix+"/"+e.Slug, "/"),
				Enabled: true, Position: i}
			if len(e.Children) == 0 {
				m.Column = e.Slug
				if !seen[e.Slug] {
					seen[e.Slug] = true
					a.Columns = append(a.Columns, cms.Column{Slug: e.Slug, Title: e.Title, Kind: e.Kind, ContentType: e.Type,
						Description: e.Desc, DeclaredOwners: e.Owners, Position: len(a.Columns)})
				}
			}
			a.Menu = append(a.Menu, m)
			walk(channel, m.Path, e.Children)
		}
	}
	for i, ch := range f.Channels {
		a.Channels = append(a.Channels, cms.Channel{Slug: ch.Slug, Name: ch.Name, Position: i})
		walk(ch.Slug, "", ch.Menu)
	}
	return a, nil
}

type tamperIncidentRow struct {
	bun.BaseModel `bun:"table:tamper_incidents"`
	ID            int64 `bun:",pk,autoincrement"`
	Subject       string
	Fingerprint   string
	DetectedAt    time.Time
	Kind          string
	Detail        string
}

// RecordTamper stores an incident with its audit entry and patrol report,
// once per subject and fingerprint, and removes the projection row it
// names if that row still carries the MAC it was found with.
func (db *DB) RecordTamper(ctx context.Context, inc *cms.TamperIncident, report *cms.PatrolReport, audit cms.AuditEntry) (bool, error) {
	recorded := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := tamperIncidentRow{Subject: inc.Subject, Fingerprint: inc.Fingerprint, DetectedAt: inc.At, Kind: inc.Kind, Detail: inc.Detail}
		res, err := tx.NewInsert().Model(&row).ExcludeColumn("id").On("CONFLICT (subject, fingerprint) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			recorded = true
			if report != nil {
				err = savePatrol(ctx, tx, report, audit)
			} else {
				err = appendAudit(ctx, tx, audit)
			}
		} else if inc.DropItem != 0 {
			// The change below is numbered under the audit head's lock, as
			// every change is (see publish).
			_, err = tx.NewUpdate().Model((*auditHeadRow)(nil)).Set("seq = seq").Where("id = 1").Exec(ctx)
		}
		if err != nil || inc.DropItem == 0 {
			return err
		}
		return dropPublicItem(ctx, tx, inc.DropItem, inc.DropMAC, inc.At)
	})
	return recorded, err
}

// dropPublicItem removes an item's projection row, if it still carries
// mac, from the projection, the search index and, as a change, from the
// clients' copies.
func dropPublicItem(ctx context.Context, tx bun.Tx, itemID int64, mac string, at time.Time) error {
	res, err := tx.NewDelete().Model((*publicItemRow)(nil)).Where("item_id = ?", itemID).Where("mac = ?", mac).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	// The row's column is what someone may have changed: other processes
	// drop their whole caches.
	return publish(ctx, tx, itemID, "", nil, at)
}

package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// tamperIncident12 is one finding of a row the content API serves from
// that no longer matched its MAC: recorded once per row and observed
// content, with its audit entry and patrol report.
type tamperIncident12 struct {
	bun.BaseModel `bun:"table:tamper_incidents"`
	ID            int64     `bun:",pk,autoincrement"`
	Subject       string    `bun:",notnull,unique:tamper_incidents_subject_fingerprint"` // item:7, menu_entry:12, channel:app, column:news
	Fingerprint   string    `bun:",notnull,unique:tamper_incidents_subject_fingerprint"` // of what the row held
	DetectedAt    time.Time `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	Detail        string    `bun:",notnull"`
}

// Every row the content API serves from is sealed by a MAC computed with a
// key held outside the database: the public projection (with digests of
// its bulky parts and of what detail serves from the live revision), menu
// entries, channels and columns. Rows written
// before carry an empty MAC until the application seals those it can
// derive from approved data at start. Patrol reports say what triggered
// them (the schedule, a request, or a cache fill that found a mismatch)
// and how many public and structure rows they checked.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*tamperIncident12)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`ALTER TABLE public_items ADD COLUMN revision_digest VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE public_items ADD COLUMN text_digest VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE public_items ADD COLUMN body_digest VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE public_items ADD COLUMN index_digest VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE public_items ADD COLUMN mac VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE menu_entries ADD COLUMN mac VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE channels ADD COLUMN mac VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE columns ADD COLUMN mac VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE patrol_reports ADD COLUMN triggered_by VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE patrol_reports ADD COLUMN public_rows INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE patrol_reports ADD COLUMN structure_rows INTEGER NOT NULL DEFAULT 0`,
			// The start-up backfill finds the rows still to seal at no cost
			// once there are none.
			`CREATE INDEX public_items_unsealed ON public_items (item_id) WHERE mac = ''`,
			// The structure's approved values are the latest audited changes.
			`CREATE INDEX audit_log_action ON audit_log (action, seq)`,
		)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := dropTables(ctx, tx, (*tamperIncident12)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx, `DROP INDEX audit_log_action`, `DROP INDEX public_items_unsealed`,
			`ALTER TABLE patrol_reports DROP COLUMN structure_rows`, `ALTER TABLE patrol_reports DROP COLUMN public_rows`,
			`ALTER TABLE patrol_reports DROP COLUMN triggered_by`, `ALTER TABLE columns DROP COLUMN mac`,
			`ALTER TABLE channels DROP COLUMN mac`, `ALTER TABLE menu_entries DROP COLUMN mac`,
			`ALTER TABLE public_items DROP COLUMN mac`, `ALTER TABLE public_items DROP COLUMN index_digest`,
			`ALTER TABLE public_items DROP COLUMN body_digest`, `ALTER TABLE public_items DROP COLUMN text_digest`,
			`ALTER TABLE public_items DROP COLUMN revision_digest`)
	}))
}

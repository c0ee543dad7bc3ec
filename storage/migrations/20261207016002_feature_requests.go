package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// featureRequest2016 is a department's suggestion for a function of the
// WeChat account or the App (第十六条): submitted by the department,
// collected by 信息科, approved or refused by the leaders, recorded done
// by 信息科 once the software developer carried it out.
type featureRequest2016 struct {
	bun.BaseModel `bun:"table:feature_requests"`
	ID            int64     `bun:",pk,autoincrement"`
	Department    string    `bun:",notnull"`
	Channel       string    `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Description   string    `bun:",notnull"`
	State         string    `bun:",notnull"`
	SubmittedBy   int64     `bun:",notnull"`
	SubmittedAt   time.Time `bun:",notnull"`
	DecidedBy     int64     `bun:",nullzero"`
	DecidedAt     time.Time `bun:",nullzero"`
	DoneBy        int64     `bun:",nullzero"`
	DoneAt        time.Time `bun:",nullzero"`
	UpdatedAt     time.Time `bun:",notnull"`
}

func (*featureRequest2016) foreignKeys() []string {
	return []string{`("department") REFERENCES "departments" ("slug")`, `("submitted_by") REFERENCES "users" ("id")`,
		`("decided_by") REFERENCES "users" ("id")`, `("done_by") REFERENCES "users" ("id")`}
}

// featureNote2016 is one entry of a request's history: its submission, a
// comment, a decision, its completion.
type featureNote2016 struct {
	bun.BaseModel `bun:"table:feature_notes"`
	ID            int64     `bun:",pk,autoincrement"`
	RequestID     int64     `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	ActorID       int64     `bun:",notnull"`
	Comment       string    `bun:",notnull"`
	At            time.Time `bun:",notnull"`
}

func (*featureNote2016) foreignKeys() []string {
	return []string{`("request_id") REFERENCES "feature_requests" ("id")`, `("actor_id") REFERENCES "users" ("id")`}
}

// feature2016Permissions: editors and department heads submit for their
// departments; publishers (信息科) collect; leaders (for the departments in
// their charge) and the director decide; auditors read.
var feature2016Permissions = [][3]string{
	{"editor", "any", "feature.submit"}, {"dept_head", "any", "feature.submit"}, {"publisher", "any", "feature.collect"},
	{"leader", "any", "feature.decide"}, {"director", "any", "feature.decide"}, {"auditor", "any", "feature.read"},
}

func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*featureRequest2016)(nil), (*featureNote2016)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx, `CREATE INDEX feature_requests_state ON feature_requests (state, id)`,
			`CREATE INDEX feature_requests_department ON feature_requests (department, id)`,
			`CREATE INDEX feature_notes_request ON feature_notes (request_id, id)`); err != nil {
			return err
		}
		return grant(ctx, tx, feature2016Permissions)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*rolePermission1)(nil)).Where("action LIKE 'feature.%'").Exec(ctx); err != nil {
			return err
		}
		return dropTables(ctx, tx, (*featureNote2016)(nil), (*featureRequest2016)(nil))
	}))
}

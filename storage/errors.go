package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// translate turns driver errors into the cms vocabulary, once, here:
// a missing row is not found, a unique violation a conflict, a foreign key
// violation invalid input. Other errors pass through as internal.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return cms.Errorf(cms.ENOTFOUND, "%s not found", what)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return cms.Errorf(cms.ECONFLICT, "%s already exists", what)
		case "23503":
			return cms.Errorf(cms.EINVALID, "%s refers to something that does not exist", what)
		}
		return Classify(err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return cms.Errorf(cms.ECONFLICT, "%s already exists", what)
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return cms.Errorf(cms.EINVALID, "%s refers to something that does not exist", what)
	}
	return Classify(err)
}

// inTx runs fn in a transaction (begin says how long it waits to start
// one); faults of the database come back classified (Classify). A panic
// in fn rolls back too: the transaction's context ends with inTx. Once a
// transaction that recorded events has committed, the outbox's hook is told.
func (db *DB) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if db.keys != nil {
		ctx = context.WithValue(ctx, keysKey{}, db.keys)
	}
	st := &outboxState{off: db.outbox.off.Load()}
	ctx = context.WithValue(ctx, outboxKey{}, st)
	tx, cancel, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	if err := fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return Classify(err)
	}
	if err := tx.Commit(); err != nil {
		return Classify(err)
	}
	if hook := db.outbox.hook.Load(); st.wrote && hook != nil {
		(*hook)()
	}
	return nil
}

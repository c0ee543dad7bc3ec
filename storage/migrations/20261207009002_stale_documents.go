package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// When a projection row moves to another revision, the documents stored
// beside it for the previous one go, in the same statement, whoever moved
// it: a server that stores documents writes the new ones next, and one
// that does not (an older version, during a rolling upgrade) leaves none
// rather than the previous revision's. Item detail then reads its
// document alone, without the projection row, and never finds a stale one.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		const drop = `DELETE FROM public_docs WHERE item_id = NEW.item_id AND revision_id <> NEW.revision_id;
			DELETE FROM public_entries WHERE item_id = NEW.item_id AND revision_id <> NEW.revision_id;`
		if tx.Dialect().Name() == dialect.PG {
			return exec(ctx, tx,
				`CREATE FUNCTION public_items_revision_moved() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN `+drop+` RETURN NULL; END $$`,
				`CREATE TRIGGER public_items_revision_moved AFTER UPDATE OF revision_id ON public_items FOR EACH ROW
				WHEN (OLD.revision_id IS DISTINCT FROM NEW.revision_id) EXECUTE FUNCTION public_items_revision_moved()`)
		}
		return exec(ctx, tx, `CREATE TRIGGER public_items_revision_moved AFTER UPDATE OF revision_id ON public_items FOR EACH ROW
			WHEN OLD.revision_id <> NEW.revision_id BEGIN `+drop+` END`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		if tx.Dialect().Name() == dialect.PG {
			return exec(ctx, tx, `DROP TRIGGER public_items_revision_moved ON public_items`, `DROP FUNCTION public_items_revision_moved()`)
		}
		return exec(ctx, tx, `DROP TRIGGER public_items_revision_moved`)
	}))
}

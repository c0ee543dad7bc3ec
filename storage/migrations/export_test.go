package migrations

// BackfillEditors9 exposes the backfill of the revision editors migration
// to the tests, which run it again over data written before the table existed.
var BackfillEditors9 = backfillEditors9

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// secretFiles are the variables whose _FILE form names a file holding a
// secret: none of them may be readable by anyone but its owner.
var secretFiles = []string{"CMS_ADMIN_PASSWORD", "CMS_TOTP_KEY", "CMS_METRICS_TOKEN", "CMS_S3_ACCESS_KEY", "CMS_S3_SECRET_KEY",
	"CMS_SMTP_URL", "CMS_WECOM_ROBOTS"}

// Clock skew between this machine and the database beyond which doctor
// warns, and fails: leases, time limits and audit times assume one time.
const (
	skewWarn = 2 * time.Second
	skewFail = 30 * time.Second
)

// doctor checks a deployment and keeps the tally of what it found.
type doctor struct {
	out          io.Writer
	fails, warns int
}

func (d *doctor) ok(name, format string, args ...any) { d.line("ok  ", name, format, args...) }
func (d *doctor) warn(name, format string, args ...any) {
	d.warns++
	d.line("WARN", name, format, args...)
}
func (d *doctor) fail(name, format string, args ...any) {
	d.fails++
	d.line("FAIL", name, format, args...)
}
func (d *doctor) line(level, name, format string, args ...any) {
	fmt.Fprintf(d.out, "%s  %-15s %s\n", level, name, fmt.Sprintf(format, args...))
}

// runDoctor checks the deployment the configuration describes, without
// changing it (but for a probe file written to the blob store and
// removed): the secrets' files, the database, its migrations, the clocks,
// the administrators, the departments' contacts, the audit chain and the
// blob store. It prints one
// line per check and a verdict, and fails when a check failed; warnings
// alone leave the exit status 0.
func runDoctor(ctx context.Context, cfg Config, getenv func(string) string, stdout io.Writer) error {
	d := &doctor{out: stdout}
	d.secrets(cfg, getenv)
	if db := d.database(ctx, cfg); db != nil {
		d.migrations(ctx, db)
		d.clock(ctx, db)
		d.administrators(ctx, db, cfg)
		d.contacts(ctx, db)
		d.audit(ctx, db, cfg)
		db.Close()
	}
	d.blobs(ctx, cfg)
	switch {
	case d.fails > 0:
		fmt.Fprintf(stdout, "\nverdict: NOT HEALTHY: %d check(s) failed, %d warning(s)\n", d.fails, d.warns)
		return fmt.Errorf("doctor: %d check(s) failed", d.fails)
	case d.warns > 0:
		fmt.Fprintf(stdout, "\nverdict: healthy, with %d warning(s)\n", d.warns)
	default:
		fmt.Fprintln(stdout, "\nverdict: healthy")
	}
	return nil
}

// secrets checks that the key file and every secret given as a file are
// readable by their owner alone.
func (d *doctor) secrets(cfg Config, getenv func(string) string) {
	if path := cfg.KeyFile(); path != "" {
		d.private("audit key", path, true)
	}
	for _, name := range secretFiles {
		if path := getenv(name + "_FILE"); path != "" {
			d.private(strings.ToLower(strings.TrimPrefix(name, "CMS_")), path, true)
		}
	}
	if path, ok := strings.CutPrefix(cfg.DatabaseURL, "sqlite://"); ok {
		d.databaseFile(path)
	}
}

// databaseFile checks that others cannot read the SQLite file (password
// hashes, sessions, everything): the file itself, or the folder it is in.
func (d *doctor) databaseFile(path string) {
	st, err := os.Stat(path)
	if err != nil {
		return // the database check reports it
	}
	dir, err := os.Stat(filepath.Dir(path))
	switch {
	case st.Mode().Perm()&0o077 == 0:
		d.ok("database file", "%s is %s", path, st.Mode().Perm())
	case err == nil && dir.Mode().Perm()&0o077 == 0:
		d.ok("database file", "%s is in a folder only its owner may enter (%s)", path, dir.Mode().Perm())
	default:
		d.warn("database file", "%s is %s in a folder others may enter: chmod 700 %s", path, st.Mode().Perm(), filepath.Dir(path))
	}
}

// private checks that path is a file no one but its owner may read or
// write; required says whether a missing file is a failure.
func (d *doctor) private(name, path string, required bool) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !required:
		return
	case err != nil:
		d.fail(name, "%s: %v", path, err)
	case st.Mode().Perm()&0o077 != 0:
		d.fail(name, "%s is %s: others may read it; chmod 600 %s", path, st.Mode().Perm(), path)
	default:
		d.ok(name, "%s is %s", path, st.Mode().Perm())
	}
}

// database opens the database without creating or migrating it.
func (d *doctor) database(ctx context.Context, cfg Config) *storage.DB {
	if path, ok := strings.CutPrefix(cfg.DatabaseURL, "sqlite://"); ok {
		if _, err := os.Stat(path); err != nil {
			d.fail("database", "%v", err)
			return nil
		}
	}
	db, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		d.fail("database", "%v", err)
		return nil
	}
	d.ok("database", "%s answers", db.Dialect)
	return db
}

func (d *doctor) migrations(ctx context.Context, db *storage.DB) {
	applied, pending, err := db.MigrationStatus(ctx)
	switch {
	case err != nil:
		d.fail("migrations", "%v", err)
	case len(pending) > 0:
		d.fail("migrations", "%d not applied (first %s): run cms migrate", len(pending), pending[0])
	default:
		d.ok("migrations", "all %d applied", len(applied))
	}
}

// clock compares this machine's clock with the database's.
func (d *doctor) clock(ctx context.Context, db *storage.DB) {
	before := time.Now()
	dbNow, err := db.Now(ctx)
	if err != nil {
		d.fail("clock", "the database's clock: %v", err)
		return
	}
	// The database read its clock somewhere within the round trip.
	skew := dbNow.Sub(before.Add(time.Since(before) / 2))
	switch abs := max(skew, -skew); {
	case abs > skewFail:
		d.fail("clock", "this machine and the database differ by %s: synchronise both with NTP", skew.Round(time.Millisecond))
	case abs > skewWarn:
		d.warn("clock", "this machine and the database differ by %s", skew.Round(time.Millisecond))
	default:
		d.ok("clock", "within %s of the database's", max(abs, time.Millisecond).Round(time.Millisecond))
	}
}

// administrators counts the accounts that can administer: none is a
// failure, one a warning unless the installation is meant to have one.
func (d *doctor) administrators(ctx context.Context, db *storage.DB, cfg Config) {
	users, err := db.Users(ctx, cms.UserFilter{Role: cms.RoleAdmin})
	if err != nil {
		d.fail("administrators", "%v", err)
		return
	}
	n := 0
	for _, u := range users {
		if !u.Disabled {
			n++
		}
	}
	switch {
	case n == 0:
		d.fail("administrators", "no active administrator: add one with cms user add -role admin")
	case n == 1 && !cfg.SingleAdmin:
		d.warn("administrators", "one active administrator: grants of the chain's roles wait for a second (cms user add -role admin)")
	default:
		d.ok("administrators", "%d active", n)
	}
}

// contacts warns of the departments without a contact who serves (专人,
// seed rule 第六条: enabled and of the department), by name.
func (d *doctor) contacts(ctx context.Context, db *storage.DB) {
	depts, err := db.Departments(ctx)
	if err != nil {
		d.fail("contacts", "%v", err)
		return
	}
	cs, err := db.Contacts(ctx, time.Time{})
	if err != nil {
		d.fail("contacts", "%v", err)
		return
	}
	by := cms.ContactsByDepartment(cs)
	var missing []string
	serving := 0
	for _, dep := range depts {
		n := 0
		for i := range by[dep.Slug] {
			if by[dep.Slug][i].Serves(depts) {
				n++
			}
		}
		if n == 0 {
			missing = append(missing, dep.Name+" ("+dep.Slug+")")
		}
		serving += n
	}
	if len(missing) > 0 {
		d.warn("contacts", "%d department(s) without a contact (专人, 第六条): %s; designate them on the console's 部门专人 page (PUT /api/v1/departments/{code}/contacts)",
			len(missing), strings.Join(missing, ", "))
		return
	}
	d.ok("contacts", "every department has a contact (专人), %d in all", serving)
}

// audit verifies the audit chain to its head with the key file and the
// anchors, as cms audit verify does.
func (d *doctor) audit(ctx context.Context, db *storage.DB, cfg Config) {
	var check cms.AuditCheck
	var err error
	if check.Keys, err = app.ReadKeys(cfg.Config); err != nil {
		d.fail("audit chain", "%v", err)
		return
	}
	if check.Epoch, err = db.AuditEpoch(ctx); err != nil {
		d.fail("audit chain", "%v", err)
		return
	}
	if check.Anchors, err = cfg.Anchors().Anchors(); err != nil {
		d.fail("audit chain", "%v", err)
		return
	}
	r, err := cms.VerifyAuditChain(ctx, db, check)
	switch {
	case err != nil:
		d.fail("audit chain", "%v", err)
	case !r.Intact():
		d.fail("audit chain", "broken at entry %d: %s (cms audit verify tells more)", r.Problems[0].Seq, r.Problems[0].Reason)
	case check.Keys == nil:
		d.warn("audit chain", "%d entries chained, but no key file to check their MACs", r.Entries)
	default:
		seq, _, _ := db.AuditHead(ctx)
		d.ok("audit chain", "intact to its head, entry %d (%d entries verified)", seq, r.Entries)
	}
}

// blobs writes a probe file to the blob store, reads it back and
// removes it.
func (d *doctor) blobs(ctx context.Context, cfg Config) {
	store, err := app.OpenBlobs(ctx, cfg.Config)
	if err != nil {
		d.fail("blob store", "%v", err)
		return
	}
	probe := make([]byte, 32)
	_, _ = rand.Read(probe)
	probe = append([]byte("cms doctor probe "), probe...)
	sum := sha256.Sum256(probe)
	key := hex.EncodeToString(sum[:])
	if err := store.Put(ctx, key, bytes.NewReader(probe), int64(len(probe)), "application/octet-stream"); err != nil {
		d.fail("blob store", "cannot write: %v", err)
		return
	}
	defer store.Delete(context.WithoutCancel(ctx), key) //nolint:errcheck // checked below
	b, err := store.Open(ctx, key)
	if err != nil {
		d.fail("blob store", "cannot read back what it wrote: %v", err)
		return
	}
	got, err := io.ReadAll(b)
	b.Close()
	if err != nil || !bytes.Equal(got, probe) {
		d.fail("blob store", "read back %d bytes of %d: %v", len(got), len(probe), err)
		return
	}
	if err := store.Delete(ctx, key); err != nil {
		d.fail("blob store", "cannot delete: %v", err)
		return
	}
	where := cfg.BlobStore
	if where != "s3" {
		where = filepath.Join(cfg.DataDir, "blobs")
	}
	d.ok("blob store", "%s takes, gives back and deletes a file", where)
}

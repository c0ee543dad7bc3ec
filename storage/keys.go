package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.KeyStore = (*DB)(nil)

// keysKey carries the database's keys into its transactions, where
// appendAudit seals each entry.
type keysKey struct{}

func keysFrom(ctx context.Context) *cms.Keys {
	k, _ := ctx.Value(keysKey{}).(*cms.Keys)
	return k
}

// SetKeys gives the database the keys it seals audit entries with from
// now on. Call it once, before the database is shared.
func (db *DB) SetKeys(k *cms.Keys) { db.keys = k }

// Settings that record the keys.
const (
	settingKeyFingerprint = "key_fingerprint"
	settingAuditEpoch     = "audit_epoch"
)

func (db *DB) setting(ctx context.Context, idb bun.IDB, key string) (string, error) {
	var v string
	err := idb.NewSelect().Model((*settingRow)(nil)).Column("value").Where("key = ?", key).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// KeyFingerprint returns the fingerprint of the key the database was
// sealed with, "" when it never was.
func (db *DB) KeyFingerprint(ctx context.Context) (string, error) {
	return db.setting(ctx, db.bun, settingKeyFingerprint)
}

// InstallKey records fp and the audit chain's key epoch unless a key is
// recorded already. The epoch starts after the head, read under the head's
// row lock, so no entry is appended between the two.
func (db *DB) InstallKey(ctx context.Context, fp string, at time.Time, seal func(*cms.AuditEpoch)) (string, *cms.AuditEpoch, bool, error) {
	var epoch *cms.AuditEpoch
	installed := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var head auditHeadRow
		if err := tx.NewUpdate().Model(&head).Set("seq = seq").Where("id = 1").Returning("seq, hash").Scan(ctx); err != nil {
			return err
		}
		res, err := tx.NewInsert().Model(&settingRow{Key: settingKeyFingerprint, Value: fp}).On("CONFLICT (key) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		prev := head.Hash
		if head.Seq == 0 {
			prev = cms.AuditGenesis
		}
		epoch = &cms.AuditEpoch{KeyedFrom: head.Seq + 1, PrevHash: prev, At: at.UTC().Truncate(time.Microsecond)}
		seal(epoch)
		installed = true
		_, err = tx.NewInsert().Model(&settingRow{Key: settingAuditEpoch, Value: formatEpoch(epoch)}).
			On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx)
		return err
	})
	if err != nil {
		return "", nil, false, err
	}
	recorded, err := db.KeyFingerprint(ctx)
	return recorded, epoch, installed, err
}

// AuditEpoch returns the recorded key epoch, nil when none is.
func (db *DB) AuditEpoch(ctx context.Context) (*cms.AuditEpoch, error) {
	v, err := db.setting(ctx, db.bun, settingAuditEpoch)
	if err != nil || v == "" {
		return nil, err
	}
	e, ok := parseEpoch(v)
	if !ok {
		// An unreadable record is reported by the verifier as a record
		// that does not match its MAC.
		return &cms.AuditEpoch{MAC: "unreadable"}, nil
	}
	return e, nil
}

func formatEpoch(e *cms.AuditEpoch) string {
	return strings.Join([]string{strconv.FormatInt(e.KeyedFrom, 10), e.PrevHash,
		strconv.FormatInt(e.At.UnixMicro(), 10), e.MAC}, ":")
}

func parseEpoch(v string) (*cms.AuditEpoch, bool) {
	p := strings.Split(v, ":")
	if len(p) != 4 {
		return nil, false
	}
	from, err1 := strconv.ParseInt(p[0], 10, 64)
	at, err2 := strconv.ParseInt(p[2], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &cms.AuditEpoch{KeyedFrom: from, PrevHash: p[1], At: time.UnixMicro(at).UTC(), MAC: p[3]}, true
}

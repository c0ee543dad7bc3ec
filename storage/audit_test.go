package storage_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func appendN(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		e := cms.NewAuditEntry(at.Add(time.Duration(i)*time.Second), int64(i%3), cms.AuditLogin, "user:"+strconv.Itoa(i), map[string]any{"i": i})
		if err := db.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

// disableGuard lifts the append-only triggers of audit_log, as an attacker
// with database access could, so that the verifier can be shown to catch it.
func disableGuard(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if db.Dialect == storage.Postgres {
		stmts = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"}
	}
	for _, s := range stmts {
		if _, err := db.Bun().ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainVerifies(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	appendN(t, db, 25)
	n, p, err := cms.VerifyAudit(context.Background(), db)
	if err != nil || p != nil || n != 25 {
		t.Fatalf("verify: %d %+v %v", n, p, err)
	}
	empty := storagetest.Open(t)
	if n, p, err := cms.VerifyAudit(context.Background(), empty); err != nil || p != nil || n != 0 {
		t.Fatalf("empty log: %d %+v %v", n, p, err)
	}
}

func TestAuditTablesAreAppendOnly(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	appendN(t, db, 3)
	ctx := context.Background()
	for _, stmt := range []string{
		"UPDATE audit_log SET detail = '{}' WHERE seq = 2",
		"DELETE FROM audit_log WHERE seq = 3",
	} {
		_, err := db.Bun().ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	if db.Dialect == storage.Postgres {
		if _, err := db.Bun().ExecContext(ctx, "TRUNCATE audit_log"); err == nil {
			t.Error("TRUNCATE audit_log succeeded")
		}
	}
	if n, p, err := cms.VerifyAudit(ctx, db); err != nil || p != nil || n != 3 {
		t.Fatalf("verify after refused changes: %d %+v %v", n, p, err)
	}
}

func TestAuditVerifyNamesTheFirstBrokenEntry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		tamper  string
		wantSeq int64
		reason  string
	}{
		{"edited detail", `UPDATE audit_log SET detail = '{"i":99}' WHERE seq = 4`, 4, "edited"},
		{"edited actor", `UPDATE audit_log SET actor_id = 42 WHERE seq = 7`, 7, "edited"},
		{"rehashed entry", `UPDATE audit_log SET detail = '{}', hash = 'f00' WHERE seq = 5`, 5, "edited"},
		{"deleted entry", `DELETE FROM audit_log WHERE seq = 3`, 3, "missing"},
		{"deleted tail", `DELETE FROM audit_log WHERE seq >= 9`, 9, "removed from the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t)
			appendN(t, db, 10)
			disableGuard(t, db)
			if _, err := db.Bun().ExecContext(context.Background(), c.tamper); err != nil {
				t.Fatal(err)
			}
			_, p, err := cms.VerifyAudit(context.Background(), db)
			if err != nil || p == nil {
				t.Fatalf("tampering not detected: %+v %v", p, err)
			}
			if p.Seq != c.wantSeq || !strings.Contains(p.Reason, c.reason) {
				t.Errorf("problem %+v, want entry %d (%s)", p, c.wantSeq, c.reason)
			}
		})
	}
}

func TestAuditAppendsConcurrently(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Append(context.Background(), cms.NewAuditEntry(time.Now(), int64(i), cms.AuditLogin, "user:x", nil))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, p, err := cms.VerifyAudit(context.Background(), db); err != nil || p != nil || n != 40 {
		t.Fatalf("verify: %d %+v %v", n, p, err)
	}
}

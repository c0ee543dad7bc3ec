package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// plainUser stores an account without roles, created at at.
func plainUser(t *testing.T, db *storage.DB, username string, at time.Time) *cms.User {
	t.Helper()
	u := &cms.User{Username: username, DisplayName: username, Department: "office", PasswordChangedAt: at, CreatedAt: at, UpdatedAt: at}
	if err := db.CreateUser(context.Background(), u, "$argon2id$not-checked-here", nil, cms.NewAuditEntry(at, 0, cms.AuditUserCreated, "", nil)); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestReserveAttemptsAtomically: however many reserve at once, through
// however many handles, threshold reservations succeed; failing them locks
// once and ends the sessions; a stale reservation settles without effect.
func TestReserveAttemptsAtomically(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	dbs := []*storage.DB{storagetest.OpenURL(t, url), storagetest.OpenURL(t, url)}
	db := dbs[0]
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	u := plainUser(t, db, "lock", now)
	if err := db.CreateSession(ctx, &cms.Session{UserID: u.ID, TokenHash: "h1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		cms.NewAuditEntry(now, u.ID, cms.AuditLogin, "user:1", nil)); err != nil {
		t.Fatal(err)
	}

	const threshold = 5
	got := make(chan cms.Attempt, 30)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			a, err := dbs[i%2].ReserveAttempt(ctx, u.ID, threshold, now)
			if err != nil {
				t.Error(err)
			}
			got <- a
		})
	}
	wg.Wait()
	close(got)
	var reserved []cms.Attempt
	for a := range got {
		if a.N > 0 {
			reserved = append(reserved, a)
		} else if !a.LockedUntil.IsZero() {
			t.Errorf("refused reservation says locked until %v", a.LockedUntil)
		}
	}
	if len(reserved) != threshold {
		t.Fatalf("%d reservations, want %d", len(reserved), threshold)
	}

	// Releasing one frees one place; the first failure settled at the
	// threshold locks, the others do not lock again.
	if err := db.ReleaseAttempt(ctx, reserved[0], nil); err != nil {
		t.Fatal(err)
	}
	again, err := db.ReserveAttempt(ctx, u.ID, threshold, now)
	if err != nil || again.N != threshold {
		t.Fatalf("reserve after release: %+v %v", again, err)
	}
	reserved[0] = again
	locks := 0
	for i, a := range reserved {
		locked, err := dbs[i%2].FailAttempt(ctx, a, threshold, now.Add(15*time.Minute), cms.NewAuditEntry(now, u.ID, cms.AuditLoginFailed, "user:1", nil))
		if err != nil {
			t.Fatal(err)
		}
		if locked {
			locks++
		}
	}
	if locks != 1 {
		t.Errorf("%d locks, want 1", locks)
	}
	if _, err := db.SessionByTokenHash(ctx, "h1", now); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("session after the lock: %v", err)
	}
	a, err := db.ReserveAttempt(ctx, u.ID, threshold, now.Add(time.Minute))
	if err != nil || a.N != 0 || !a.LockedUntil.Equal(now.Add(15*time.Minute)) {
		t.Errorf("reserve while locked: %+v %v", a, err)
	}
	// A reservation of the count before the lock releases without effect.
	if err := db.ReleaseAttempt(ctx, reserved[1], nil); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlockUser(ctx, u.ID, cms.NewAuditEntry(now, 0, cms.AuditAccountUnlocked, "user:1", nil)); err != nil {
		t.Fatal(err)
	}
	if a, err := db.ReserveAttempt(ctx, u.ID, threshold, now.Add(time.Minute)); err != nil || a.N != 1 {
		t.Errorf("reserve after unlock: %+v %v", a, err)
	}
	if err := db.UnlockUser(ctx, 9999, cms.NewAuditEntry(now, 0, cms.AuditAccountUnlocked, "user:9999", nil)); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("unlock unknown user: %v", err)
	}
}

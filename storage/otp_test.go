package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestOTPChangesAreCompareAndSet: enrolment takes only the pending secret
// it was started with, and a code step or recovery code is used once
// however many handles try at once.
func TestOTPChangesAreCompareAndSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storagetest.URL(t)
	dbs := []*storage.DB{storagetest.OpenURL(t, url), storagetest.OpenURL(t, url)}
	db := dbs[0]
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	u := plainUser(t, db, "otp", now)
	audit := cms.NewAuditEntry(now, u.ID, cms.AuditOTPEnabled, "user:1", nil)

	if err := db.StartOTP(ctx, u.ID, "sealed-1", audit); err != nil {
		t.Fatal(err)
	}
	if err := db.StartOTP(ctx, u.ID, "sealed-2", audit); err != nil {
		t.Fatal(err)
	}
	if err := db.EnableOTP(ctx, u.ID, "sealed-1", 100, []string{"h1", "h2"}, now, audit); cms.ErrorCode(err) != cms.ECONFLICT {
		t.Errorf("enable with a replaced pending secret: %v", err)
	}
	if err := db.EnableOTP(ctx, u.ID, "sealed-2", 100, []string{"h1", "h2"}, now, audit); err != nil {
		t.Fatal(err)
	}
	if err := db.StartOTP(ctx, u.ID, "sealed-3", audit); cms.ErrorCode(err) != cms.ECONFLICT {
		t.Errorf("start while enrolled: %v", err)
	}
	if secret, pending, err := db.OTPSecrets(ctx, u.ID); err != nil || secret != "sealed-2" || pending != "" {
		t.Errorf("secrets %q %q %v", secret, pending, err)
	}
	if got, err := db.UserByID(ctx, u.ID); err != nil || !got.OTPEnabled {
		t.Errorf("user after enrolment: %+v %v", got, err)
	}

	once := func(name string, use func(db *storage.DB) (bool, error)) {
		var n atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				ok, err := use(dbs[i%2])
				if err != nil {
					t.Error(err)
				}
				if ok {
					n.Add(1)
				}
			})
		}
		wg.Wait()
		if n.Load() != 1 {
			t.Errorf("%s used %d times, want once", name, n.Load())
		}
	}
	once("step 101", func(db *storage.DB) (bool, error) { return db.UseOTPStep(ctx, u.ID, 101) })
	if ok, err := db.UseOTPStep(ctx, u.ID, 100); ok || err != nil {
		t.Errorf("an earlier step after a later one: %v %v", ok, err)
	}
	once("recovery code h2", func(db *storage.DB) (bool, error) { return db.UseRecoveryCode(ctx, u.ID, "h2", now, audit) })
	if ok, _ := db.UseRecoveryCode(ctx, u.ID, "nope", now, audit); ok {
		t.Error("an unknown recovery code was used")
	}

	if err := db.ResetOTP(ctx, u.ID, audit); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.UseRecoveryCode(ctx, u.ID, "h1", now, audit); ok {
		t.Error("a recovery code survived the reset")
	}
	if got, _ := db.UserByID(ctx, u.ID); got.OTPEnabled {
		t.Error("still enrolled after the reset")
	}
	if err := db.ResetOTP(ctx, 9999, audit); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("reset of an unknown user: %v", err)
	}
}

package storage_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestPasswordHistoryKeepsTheLastFive: the history starts with the first
// password and keeps the newest cms.PasswordHistoryLength.
func TestPasswordHistoryKeepsTheLastFive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	u := plainUser(t, db, "hist", now)
	other := plainUser(t, db, "other", now)
	for i := 1; i <= 7; i++ {
		if err := db.SetPassword(ctx, u.ID, "h"+strconv.Itoa(i), now, cms.NewAuditEntry(now, u.ID, cms.AuditPasswordChanged, "user:1", nil)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PasswordHistory(ctx, u.ID, 10)
	if err != nil || len(got) != cms.PasswordHistoryLength || got[0] != "h7" || got[4] != "h3" {
		t.Errorf("history %q %v", got, err)
	}
	if got, err := db.PasswordHistory(ctx, other.ID, 10); err != nil || len(got) != 1 {
		t.Errorf("another account's history %q %v", got, err)
	}
}

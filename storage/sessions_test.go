package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestSessionKindsAndTouch: a session keeps its kind (API when none is
// given, as before console sessions existed), and touching one moves its
// end, so that an idle console session expires and a used one does not.
func TestSessionKindsAndTouch(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	api := &cms.Session{UserID: ed.ID, TokenHash: "api", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	console := &cms.Session{UserID: ed.ID, Kind: cms.SessionConsole, TokenHash: "console", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	for _, s := range []*cms.Session{api, console} {
		if err := db.CreateSession(ctx, s, note(cms.AuditLogin, "")); err != nil {
			t.Fatal(err)
		}
	}
	for hash, want := range map[string]cms.SessionKind{"api": cms.SessionAPI, "console": cms.SessionConsole} {
		s, err := db.SessionByTokenHash(ctx, hash, t0)
		if err != nil || s.Kind != want {
			t.Errorf("session %s: %+v %v, want kind %s", hash, s, err, want)
		}
	}
	later := t0.Add(2 * time.Minute)
	_, err := db.SessionByTokenHash(ctx, "console", later)
	wantCode(t, err, cms.ENOTFOUND)
	if err := db.TouchSession(ctx, console.ID, later.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, err := db.SessionByTokenHash(ctx, "console", later); err != nil || !s.ExpiresAt.Equal(later.Add(time.Minute)) {
		t.Errorf("touched session: %+v %v", s, err)
	}
}

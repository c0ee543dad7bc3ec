package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// requestRole stores a new account of dept whose role waits for a second
// administrator, and returns it with its pending grant.
func requestRole(t *testing.T, db *storage.DB, requester int64, username string, b cms.RoleBinding) (*cms.User, cms.Grant) {
	t.Helper()
	now := tick()
	u := &cms.User{Username: username, DisplayName: username, Department: b.Department, PasswordChangedAt: now,
		MustChangePassword: true, CreatedAt: now, UpdatedAt: now}
	g := cms.Grant{Kind: cms.GrantRole, Binding: b, Status: cms.GrantPending, RequestedBy: requester, RequestedAt: now}
	if err := db.CreateUser(context.Background(), u, "hash-of-"+username, []cms.Grant{g},
		cms.NewAuditEntry(now, requester, cms.AuditUserCreated, "", nil)); err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	gs, err := db.Grants(context.Background(), cms.GrantFilter{UserID: u.ID, Status: cms.GrantPending})
	if err != nil || len(gs) != 1 || gs[0].Binding != b || gs[0].RequestedBy != requester {
		t.Fatalf("pending grants of %s: %+v %v", username, gs, err)
	}
	return u, gs[0]
}

// decide settles g as status by decider.
func decide(db *storage.DB, g cms.Grant, decider int64, status cms.GrantStatus) error {
	g.Status, g.DecidedBy, g.DecidedAt = status, decider, tick()
	return db.DecideGrant(context.Background(), &g, cms.NewAuditEntry(g.DecidedAt, decider, "grant_"+string(status), "", nil))
}

// TestRoleGrantCountsOnlyOnceConfirmed: a pending role is not a binding;
// confirming adds it, refusing never does, and a grant is decided once.
func TestRoleGrantCountsOnlyOnceConfirmed(t *testing.T) {
	t.Parallel()
	db, admin := openDB(t)
	second := mustUser(t, db, "admin2", "information", cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	ctx := context.Background()
	head := cms.RoleBinding{Role: cms.RoleDeptHead, Department: "collection"}
	u, g := requestRole(t, db, admin.ID, "head", head)
	roles := func(id int64) []cms.RoleBinding {
		got, err := db.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got.Roles
	}
	if r := roles(u.ID); len(r) != 0 {
		t.Fatalf("a pending grant is a binding already: %v", r)
	}
	if err := decide(db, g, second.ID, cms.GrantConfirmed); err != nil {
		t.Fatal(err)
	}
	if r := roles(u.ID); !slices.Contains(r, head) {
		t.Errorf("confirmed grant not in effect: %v", r)
	}
	wantCode(t, decide(db, g, second.ID, cms.GrantRefused), cms.ECONFLICT)
	got, err := db.Grant(ctx, g.ID)
	if err != nil || got.Status != cms.GrantConfirmed || got.DecidedBy != second.ID {
		t.Errorf("decided grant: %+v %v", got, err)
	}

	v, g2 := requestRole(t, db, admin.ID, "leader", cms.RoleBinding{Role: cms.RoleLeader, Department: "finance"})
	if err := decide(db, g2, second.ID, cms.GrantRefused); err != nil {
		t.Fatal(err)
	}
	if r := roles(v.ID); len(r) != 0 {
		t.Errorf("a refused grant took effect: %v", r)
	}
	_, err = db.Grant(ctx, 9999)
	wantCode(t, err, cms.ENOTFOUND)
}

// TestPasswordResetGrant: a reset waits as a grant; confirming installs
// the new password as one-time and ends every session of the account.
func TestPasswordResetGrant(t *testing.T) {
	t.Parallel()
	db, admin := openDB(t)
	second := mustUser(t, db, "admin2", "information", cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	ctx := context.Background()
	dir := mustUser(t, db, "director", "office", cms.RoleBinding{Role: cms.RoleDirector, Department: "office"})
	sess := &cms.Session{UserID: dir.ID, TokenHash: "dir-session", CreatedAt: t0, ExpiresAt: t0.Add(1000 * 3600e9)}
	if err := db.CreateSession(ctx, sess, note(cms.AuditLogin, "")); err != nil {
		t.Fatal(err)
	}
	now := tick()
	reset := cms.Grant{Kind: cms.GrantPasswordReset, PasswordHash: "new-hash", Status: cms.GrantPending,
		RequestedBy: admin.ID, RequestedAt: now}
	if err := db.UpdateUser(ctx, &cms.AccountChange{User: dir, Request: []cms.Grant{reset},
		Audit: []cms.AuditEntry{cms.NewAuditEntry(now, admin.ID, cms.AuditUserUpdated, "", nil)}}); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := db.UserByUsername(ctx, "director"); hash != "hash-of-director" {
		t.Fatalf("a pending reset changed the password to %q", hash)
	}
	gs, err := db.Grants(ctx, cms.GrantFilter{UserID: dir.ID})
	if err != nil || len(gs) != 1 || gs[0].Kind != cms.GrantPasswordReset {
		t.Fatalf("grants: %+v %v", gs, err)
	}
	if err := decide(db, gs[0], second.ID, cms.GrantConfirmed); err != nil {
		t.Fatal(err)
	}
	u, hash, err := db.UserByUsername(ctx, "director")
	if err != nil || hash != "new-hash" || !u.MustChangePassword {
		t.Errorf("after the confirmed reset: hash %q, must change %v, %v", hash, u.MustChangePassword, err)
	}
	_, err = db.SessionByTokenHash(ctx, "dir-session", now)
	wantCode(t, err, cms.ENOTFOUND)
}

package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestUserRoundTrip(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	u := mustUser(t, db, "wang", "finance",
		cms.RoleBinding{Role: cms.RoleEditor, Department: "finance"},
		cms.RoleBinding{Role: cms.RoleDeptHead, Department: "finance"},
		cms.RoleBinding{Role: cms.RoleEditor, Department: "branches"})
	if u.ID == 0 {
		t.Fatal("CreateUser did not set the id")
	}
	if e := lastAudit(t, db); e.Subject != "user:"+itoa(u.ID) {
		t.Errorf("audit subject %q, want user:%d", e.Subject, u.ID)
	}
	byID, err := db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	byName, hash, err := db.UserByUsername(ctx, "wang")
	if err != nil {
		t.Fatal(err)
	}
	if hash != "hash-of-wang" {
		t.Errorf("password hash %q", hash)
	}
	wantRoles := []cms.RoleBinding{{Role: cms.RoleDeptHead, Department: "finance"},
		{Role: cms.RoleEditor, Department: "branches"}, {Role: cms.RoleEditor, Department: "finance"}}
	for _, got := range []*cms.User{byID, byName} {
		if got.ID != u.ID || got.Username != "wang" || got.DisplayName != u.DisplayName || got.Department != "finance" {
			t.Errorf("read back %+v", got)
		}
		if !slices.Equal(got.Roles, wantRoles) {
			t.Errorf("roles %v, want %v (sorted by role, department)", got.Roles, wantRoles)
		}
		if !got.CreatedAt.Equal(u.CreatedAt) || !got.PasswordChangedAt.Equal(u.PasswordChangedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("times %v %v, want %v in UTC", got.CreatedAt, got.PasswordChangedAt, u.CreatedAt)
		}
	}
}

func TestUserNotFound(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	_, err := db.UserByID(ctx, ed.ID+100)
	wantCode(t, err, cms.ENOTFOUND)
	_, _, err = db.UserByUsername(ctx, "nobody")
	wantCode(t, err, cms.ENOTFOUND)
	before := auditSeq(t, db)
	ghost := *ed
	ghost.ID += 100
	wantCode(t, db.UpdateUser(ctx, &cms.AccountChange{User: &ghost, Audit: []cms.AuditEntry{note(cms.AuditUserUpdated, "")}}), cms.ENOTFOUND)
	if auditSeq(t, db) != before {
		t.Error("a failed update left an audit entry")
	}
}

func TestCreateUserRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		user  cms.User
		code  string
		taken bool // the username is already in use
	}{
		{"duplicate username", cms.User{Username: "li", Department: "office"}, cms.ECONFLICT, true},
		{"unknown department", cms.User{Username: "zhao", Department: "nowhere"}, cms.EINVALID, false},
		{"role in unknown department", cms.User{Username: "qian", Department: "office",
			Roles: []cms.RoleBinding{{Role: cms.RoleEditor, Department: "nowhere"}}}, cms.EINVALID, false},
	}
	db := storagetest.Open(t)
	ctx := context.Background()
	mustUser(t, db, "li", "office")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, seq := countUsers(t, db), auditSeq(t, db)
			u := c.user
			wantCode(t, db.CreateUser(ctx, &u, "h", nil, note(cms.AuditUserCreated, "")), c.code)
			if countUsers(t, db) != n || auditSeq(t, db) != seq {
				t.Error("a refused user left a row or an audit entry behind")
			}
			if _, _, err := db.UserByUsername(ctx, u.Username); (err == nil) != c.taken {
				t.Errorf("user %s after refusal: %v", u.Username, err)
			}
		})
	}
}

func countUsers(tb testing.TB, db interface {
	CountUsers(context.Context) (int, error)
}) int {
	tb.Helper()
	n, err := db.CountUsers(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestUsersFilter(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	mustUser(t, db, "c-editor", "collection", cms.RoleBinding{Role: cms.RoleEditor, Department: "collection"})
	mustUser(t, db, "a-head", "collection", cms.RoleBinding{Role: cms.RoleDeptHead, Department: "collection"})
	mustUser(t, db, "b-editor", "finance", cms.RoleBinding{Role: cms.RoleEditor, Department: "finance"})
	mustUser(t, db, "d-nobody", "finance")
	cases := []struct {
		name   string
		filter cms.UserFilter
		want   []string
	}{
		{"everyone by username", cms.UserFilter{}, []string{"a-head", "b-editor", "c-editor", "d-nobody"}},
		{"department", cms.UserFilter{Department: "collection"}, []string{"a-head", "c-editor"}},
		{"role", cms.UserFilter{Role: cms.RoleEditor}, []string{"b-editor", "c-editor"}},
		{"department and role", cms.UserFilter{Department: "finance", Role: cms.RoleEditor}, []string{"b-editor"}},
		{"nobody", cms.UserFilter{Department: "office"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			us, err := db.Users(context.Background(), c.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range us {
				got = append(got, u.Username)
				if u.Username == "c-editor" && len(u.Roles) != 1 {
					t.Errorf("c-editor listed with roles %v", u.Roles)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if n := countUsers(t, db); n != 4 {
		t.Errorf("CountUsers = %d, want 4", n)
	}
}

func TestUpdateUserReplacesRolesAndBumpsPolicy(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	v0, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ed.DisplayName, ed.Department, ed.Disabled = "新名字", "finance", true
	ed.Roles = []cms.RoleBinding{{Role: cms.RoleDeptHead, Department: "finance"}}
	ed.UpdatedAt = tick()
	if err := db.UpdateUser(ctx, &cms.AccountChange{User: ed, Audit: []cms.AuditEntry{note(cms.AuditUserUpdated, "user:"+itoa(ed.ID))}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.UserByID(ctx, ed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "新名字" || got.Department != "finance" || !got.Disabled || !got.UpdatedAt.Equal(ed.UpdatedAt) {
		t.Errorf("after update: %+v", got)
	}
	if !slices.Equal(got.Roles, ed.Roles) {
		t.Errorf("roles %v, want only %v", got.Roles, ed.Roles)
	}
	if v1, _ := db.PolicyVersion(ctx); v1 <= v0 {
		t.Errorf("policy version %d -> %d: a role change must reach every server", v0, v1)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	mk := func(token string, expires time.Time) *cms.Session {
		s := &cms.Session{UserID: ed.ID, TokenHash: token, CreatedAt: t0, ExpiresAt: expires}
		if err := db.CreateSession(ctx, s, note(cms.AuditLogin, "")); err != nil || s.ID == 0 {
			t.Fatalf("session %s: id %d, %v", token, s.ID, err)
		}
		return s
	}
	now := t0.Add(time.Hour)
	a := mk("a", now.Add(time.Hour))
	mk("b", now.Add(time.Hour))
	c := mk("c", now.Add(time.Hour))
	mk("old", now) // expires at the instant it is looked up
	cases := []struct {
		token string
		want  int64
	}{{"a", a.ID}, {"old", 0}, {"nope", 0}}
	for _, k := range cases {
		s, err := db.SessionByTokenHash(ctx, k.token, now)
		if k.want == 0 {
			wantCode(t, err, cms.ENOTFOUND)
			continue
		}
		if err != nil || s.ID != k.want || s.UserID != ed.ID || !s.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("session %s: %+v %v", k.token, s, err)
		}
	}
	if err := db.DeleteSession(ctx, a.ID, note(cms.AuditLogout, "")); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUserSessions(ctx, ed.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	for token, live := range map[string]bool{"a": false, "b": false, "c": true} {
		_, err := db.SessionByTokenHash(ctx, token, now)
		if live != (err == nil) {
			t.Errorf("session %s: %v, want live=%v", token, err, live)
		}
	}
}

package storage_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	v0, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := mustUser(t, db, "head", "finance", cms.RoleBinding{Role: cms.RoleDeptHead, Department: "finance"},
		cms.RoleBinding{Role: cms.RoleEditor, Department: "finance"})
	v1, _ := db.PolicyVersion(ctx)
	if v1 <= v0 {
		t.Errorf("policy version %d -> %d after granting roles", v0, v1)
	}
	p, err := db.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []cms.UserBinding{{UserID: u.ID, RoleBinding: cms.RoleBinding{Role: cms.RoleDeptHead, Department: "finance"}},
		{UserID: u.ID, RoleBinding: cms.RoleBinding{Role: cms.RoleEditor, Department: "finance"}}}
	if !slices.Equal(p.Bindings, want) {
		t.Errorf("bindings %v, want %v", p.Bindings, want)
	}
	if !slices.Contains(p.Permissions, cms.Permission{Role: cms.RoleEditor, Object: "column", Action: cms.ActItemCreate}) ||
		!slices.Contains(p.Permissions, cms.Permission{Role: cms.RoleAdmin, Object: "any", Action: "user.manage"}) {
		t.Errorf("permission templates lack the editor's item.create or the admin's user.manage: %v", p.Permissions)
	}
	if !slices.Contains(p.Ownership, [2]string{"faq-loan", "zongyang"}) || slices.Contains(p.Ownership, [2]string{"faq-loan", "office"}) {
		t.Errorf("ownership of faq-loan wrong: %v", p.Ownership)
	}
	if want := []string{"office", "collection", "finance", "licensing", "information", "branches", "zongyang"}; !slices.Equal(p.Departments, want) {
		t.Errorf("departments %v, want %v", p.Departments, want)
	}
}

func TestSecretsAreStablePerName(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	a1, err := db.Secret(ctx, "preview")
	if err != nil || len(a1) != 32 {
		t.Fatalf("secret: %d bytes, %v", len(a1), err)
	}
	a2, _ := db.Secret(ctx, "preview")
	b, _ := db.Secret(ctx, "webhook")
	if !bytes.Equal(a1, a2) {
		t.Error("the same secret differs between calls: every server would sign differently")
	}
	if bytes.Equal(a1, b) {
		t.Error("two secrets are the same")
	}
	// Two processes asking at once for a new secret agree on it.
	got := make([][]byte, 4)
	errs := race(func() error { var err error; got[0], err = db.Secret(ctx, "race"); return err },
		func() error { var err error; got[1], err = db.Secret(ctx, "race"); return err },
		func() error { var err error; got[2], err = db.Secret(ctx, "race"); return err },
		func() error { var err error; got[3], err = db.Secret(ctx, "race"); return err })
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
			t.Errorf("racing callers got different secrets: %x vs %x", got[i], got[0])
		}
	}
}

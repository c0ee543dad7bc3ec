package main

import (
	"context"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/storage"
)

// createChain creates the people of one editorial chain over every
// department, so that the benchmark's mixed run can publish new revisions
// of any seeded item through the workflow: an editor and a department head
// of every department, a leader of every department, the director, a
// secrecy reviewer and a publisher. The accounts are written directly, as
// the bench editor is (no second administrator's confirmation), with a
// cheap argon2id hash: the benchmark signs in once per account.
func createChain(ctx context.Context, db *storage.DB, password string) error {
	depts, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	hash, err := rbac.Hasher{Params: rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}.Hash(password)
	if err != nil {
		return err
	}
	every := func(r cms.Role) []cms.RoleBinding {
		out := make([]cms.RoleBinding, len(depts))
		for i, d := range depts {
			out[i] = cms.RoleBinding{Role: r, Department: d.Slug}
		}
		return out
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, a := range []struct {
		name, display, dept string
		roles               []cms.RoleBinding
	}{
		{"bench-writer", "基准测试撰稿", "office", every(cms.RoleEditor)},
		{"bench-head", "基准测试科长", "office", every(cms.RoleDeptHead)},
		{"bench-leader", "基准测试分管领导", "office", every(cms.RoleLeader)},
		{"bench-director", "基准测试主任", "office", []cms.RoleBinding{{Role: cms.RoleDirector, Department: "office"}}},
		{"bench-secrecy", "基准测试保密审查", "office", []cms.RoleBinding{{Role: cms.RoleSecrecyReviewer, Department: "office"}}},
		{"bench-publisher", "基准测试发布", "information", []cms.RoleBinding{{Role: cms.RolePublisher, Department: "information"}}},
	} {
		u := &cms.User{Username: a.name, DisplayName: a.display, Department: a.dept, Roles: a.roles,
			PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
		audit := cms.NewAuditEntry(now, 0, cms.AuditUserCreated, "", map[string]any{"username": u.Username, "via": "bench seed"})
		if err := db.CreateUser(ctx, u, hash, nil, audit); err != nil {
			return err
		}
	}
	return nil
}

package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

var _ cms.PolicyStore = (*DB)(nil)

// PolicyVersion returns a number that changes whenever role bindings,
// column ownership or permission templates change.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var v string
	if err := db.bun.NewSelect().Model((*settingRow)(nil)).Column("value").Where("key = ?", "policy_version").
		Scan(ctx, &v); err != nil {
		return 0, translate(err, "policy version")
	}
	return strconv.ParseInt(v, 10, 64)
}

// Policy returns every permission template, role binding and column owner.
func (db *DB) Policy(ctx context.Context) (*cms.Policy, error) {
	var p cms.Policy
	var perms []rolePermissionRow
	if err := db.bun.NewSelect().Model(&perms).Order("role", "object", "action").Scan(ctx); err != nil {
		return nil, err
	}
	for _, r := range perms {
		p.Permissions = append(p.Permissions, cms.Permission{Role: cms.Role(r.Role), Object: r.Object, Action: cms.Action(r.Action)})
	}
	var bindings []roleBindingRow
	if err := db.bun.NewSelect().Model(&bindings).Order("user_id", "role", "department").Scan(ctx); err != nil {
		return nil, err
	}
	for _, b := range bindings {
		p.Bindings = append(p.Bindings, cms.UserBinding{UserID: b.UserID, RoleBinding: cms.RoleBinding{Role: cms.Role(b.Role), Department: b.Department}})
	}
	var owners []columnOwnerRow
	if err := db.bun.NewSelect().Model(&owners).Order("column_slug", "department_slug").Scan(ctx); err != nil {
		return nil, err
	}
	for _, o := range owners {
		p.Ownership = append(p.Ownership, [2]string{o.ColumnSlug, o.DepartmentSlug})
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		p.Departments = append(p.Departments, d.Slug)
	}
	return &p, nil
}

// Secret returns the named server secret, creating a random one on first
// use. It lives in the database so that every server process shares it.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	key := "secret:" + name
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	row := settingRow{Key: key, Value: hex.EncodeToString(b)}
	if _, err := db.bun.NewInsert().Model(&row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	var v string
	if err := db.bun.NewSelect().Model((*settingRow)(nil)).Column("value").Where("key = ?", key).Scan(ctx, &v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

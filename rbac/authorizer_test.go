package rbac_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
)

// seedPermissions are the permission templates the first migration seeds
// (storage/migrations/20261123000001_init.go, init1Permissions).
var seedPermissions = [][3]string{
	{"editor", "any", "structure.read"}, {"dept_head", "any", "structure.read"}, {"leader", "any", "structure.read"},
	{"director", "any", "structure.read"}, {"secrecy_reviewer", "any", "structure.read"}, {"publisher", "any", "structure.read"},
	{"auditor", "any", "structure.read"}, {"admin", "any", "structure.read"},
	{"admin", "any", "user.manage"},
	{"editor", "any", "item.read"}, {"dept_head", "any", "item.read"}, {"leader", "any", "item.read"},
	{"director", "any", "item.read"}, {"secrecy_reviewer", "any", "item.read"}, {"publisher", "any", "item.read"},
	{"auditor", "any", "item.read"},
	{"editor", "column", "item.create"},
	{"editor", "column", "item.edit"},
}

// annexDepartments are the departments of storage/seed/annex-columns.yaml.
var annexDepartments = []cms.Department{
	{Slug: "office", Kind: cms.DeptSection},
	{Slug: "collection", Kind: cms.DeptSection},
	{Slug: "finance", Kind: cms.DeptSection},
	{Slug: "licensing", Kind: cms.DeptSection},
	{Slug: "information", Kind: cms.DeptSection},
	{Slug: "branches", Kind: cms.DeptManagementGroup},
	{Slug: "zongyang", Kind: cms.DeptManagement, MemberOf: "branches"},
}

// annexOwners are a few columns of storage/seed/annex-columns.yaml with
// their owners as the annexes declare them.
var annexOwners = map[string][]string{
	"guides-deposit":   {"collection", "branches"},
	"guides-loan":      {"licensing", "zongyang"},
	"policies-deposit": {"office", "collection", "branches"},
	"check-update":     {"information"},
}

// annexPolicy returns the seeded policy with the given role bindings;
// ownership is expanded as the seed does it.
func annexPolicy(bindings ...cms.UserBinding) *cms.Policy {
	p := &cms.Policy{Bindings: bindings}
	for _, perm := range seedPermissions {
		p.Permissions = append(p.Permissions, cms.Permission{Role: cms.Role(perm[0]), Object: perm[1], Action: cms.Action(perm[2])})
	}
	for col, declared := range annexOwners {
		for _, d := range cms.ExpandOwners(declared, annexDepartments) {
			p.Ownership = append(p.Ownership, [2]string{col, d})
		}
	}
	for _, d := range annexDepartments {
		p.Departments = append(p.Departments, d.Slug)
	}
	return p
}

// fakePolicyStore is an in-memory cms.PolicyStore.
type fakePolicyStore struct {
	mu      sync.Mutex
	version int64
	policy  *cms.Policy
	loads   int
	err     error
}

func (s *fakePolicyStore) PolicyVersion(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, s.err
}

func (s *fakePolicyStore) Policy(context.Context) (*cms.Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if s.err != nil {
		return nil, s.err
	}
	return s.policy, nil
}

// set replaces the policy, bumping the version when bump is true.
func (s *fakePolicyStore) set(p *cms.Policy, bump bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policy = p
	if bump {
		s.version++
	}
}

// user returns a user with the given bindings, as the authorizer sees it.
func user(id int64, roles ...cms.RoleBinding) *cms.User {
	return &cms.User{ID: id, Username: "u", Roles: roles}
}

// bindingsOf turns users into the policy's role bindings.
func bindingsOf(users ...*cms.User) []cms.UserBinding {
	var out []cms.UserBinding
	for _, u := range users {
		for _, r := range u.Roles {
			out = append(out, cms.UserBinding{UserID: u.ID, RoleBinding: r})
		}
	}
	return out
}

// mustAuthorizer returns an authorizer over a fake store holding p.
func mustAuthorizer(tb testing.TB, p *cms.Policy) (*rbac.Authorizer, *fakePolicyStore) {
	tb.Helper()
	store := &fakePolicyStore{version: 1, policy: p}
	a, err := rbac.NewAuthorizer(context.Background(), store)
	if err != nil {
		tb.Fatalf("NewAuthorizer: %v", err)
	}
	return a, store
}

var (
	editorCollection = user(1, cms.RoleBinding{Role: cms.RoleEditor, Department: "collection"})
	editorZongyang   = user(2, cms.RoleBinding{Role: cms.RoleEditor, Department: "zongyang"})
	headCollection   = user(3, cms.RoleBinding{Role: cms.RoleDeptHead, Department: "collection"})
	admin            = user(4, cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	director         = user(5, cms.RoleBinding{Role: cms.RoleDirector, Department: "office"})
	leaderTwo        = user(6, cms.RoleBinding{Role: cms.RoleLeader, Department: "licensing"},
		cms.RoleBinding{Role: cms.RoleLeader, Department: "finance"})
	unbound        = user(7)
	editorBranches = user(8, cms.RoleBinding{Role: cms.RoleEditor, Department: "branches"})
	auditor        = user(9, cms.RoleBinding{Role: cms.RoleAuditor, Department: "office"})
)

var allUsers = []*cms.User{editorCollection, editorZongyang, headCollection, admin, director, leaderTwo, unbound,
	editorBranches, auditor}

// TestAllowed checks role × action × department × column decisions against
// the seeded templates and the annex ownership.
func TestAllowed(t *testing.T) {
	t.Parallel()
	a, _ := mustAuthorizer(t, annexPolicy(bindingsOf(allUsers...)...))
	res := func(dept, col string) cms.Resource { return cms.Resource{Department: dept, Column: col} }
	tests := []struct {
		name string
		u    *cms.User
		act  cms.Action
		res  cms.Resource
		want bool
	}{
		{"editor creates in own column", editorCollection, cms.ActItemCreate, res("collection", "guides-deposit"), true},
		{"editor edits in own column", editorCollection, cms.ActItemEdit, res("collection", "policies-deposit"), true},
		{"editor creates in column of others", editorCollection, cms.ActItemCreate, res("collection", "guides-loan"), false},
		{"editor creates for other department", editorCollection, cms.ActItemCreate, res("licensing", "guides-deposit"), false},
		{"editor creates for other owning department", editorCollection, cms.ActItemCreate, res("branches", "guides-deposit"), false},
		{"editor creates without column", editorCollection, cms.ActItemCreate, res("collection", ""), false},
		{"editor creates in unknown column", editorCollection, cms.ActItemCreate, res("collection", "nowhere"), false},
		{"editor creates, department from bindings", editorCollection, cms.ActItemCreate, res("", "guides-deposit"), true},
		{"editor creates elsewhere, department from bindings", editorCollection, cms.ActItemCreate, res("", "guides-loan"), false},
		{"editor reads own department", editorCollection, cms.ActItemRead, res("collection", ""), true},
		{"editor reads other department", editorCollection, cms.ActItemRead, res("finance", ""), false},
		{"editor reads structure", editorCollection, cms.ActStructureRead, cms.Resource{}, true},
		{"editor manages users", editorCollection, cms.ActUserManage, cms.Resource{}, false},
		{"zongyang editor creates in guides-loan", editorZongyang, cms.ActItemCreate, res("zongyang", "guides-loan"), true},
		{"zongyang editor creates in guides-deposit via branches", editorZongyang, cms.ActItemCreate, res("zongyang", "guides-deposit"), true},
		{"zongyang editor creates in policies-deposit", editorZongyang, cms.ActItemCreate, res("zongyang", "policies-deposit"), true},
		{"zongyang editor creates for licensing", editorZongyang, cms.ActItemCreate, res("licensing", "guides-loan"), false},
		{"branches editor creates in guides-deposit", editorBranches, cms.ActItemCreate, res("branches", "guides-deposit"), true},
		{"branches editor creates in guides-loan", editorBranches, cms.ActItemCreate, res("branches", "guides-loan"), false},
		{"branches editor creates for member", editorBranches, cms.ActItemCreate, res("zongyang", "guides-loan"), false},
		{"dept head creates", headCollection, cms.ActItemCreate, res("collection", "guides-deposit"), false},
		{"dept head edits", headCollection, cms.ActItemEdit, res("collection", "guides-deposit"), false},
		{"dept head reads own department", headCollection, cms.ActItemRead, res("collection", ""), true},
		{"dept head reads other department", headCollection, cms.ActItemRead, res("office", ""), false},
		{"admin manages users", admin, cms.ActUserManage, cms.Resource{}, true},
		{"admin manages users of a department", admin, cms.ActUserManage, res("collection", ""), true},
		{"admin reads structure", admin, cms.ActStructureRead, cms.Resource{}, true},
		{"admin creates in own department's column", admin, cms.ActItemCreate, res("information", "check-update"), false},
		{"admin creates anywhere", admin, cms.ActItemCreate, res("", "guides-deposit"), false},
		{"admin reads items", admin, cms.ActItemRead, res("collection", ""), false},
		{"director reads any department", director, cms.ActItemRead, res("zongyang", ""), true},
		{"director reads another section", director, cms.ActItemRead, res("licensing", ""), true},
		{"director reads, department from bindings", director, cms.ActItemRead, cms.Resource{}, true},
		{"director creates", director, cms.ActItemCreate, res("office", "policies-deposit"), false},
		{"director manages users", director, cms.ActUserManage, cms.Resource{}, false},
		{"auditor reads any department", auditor, cms.ActItemRead, res("finance", ""), true},
		{"leader reads first department", leaderTwo, cms.ActItemRead, res("licensing", ""), true},
		{"leader reads second department", leaderTwo, cms.ActItemRead, res("finance", ""), true},
		{"leader reads third department", leaderTwo, cms.ActItemRead, res("office", ""), false},
		{"leader creates", leaderTwo, cms.ActItemCreate, res("licensing", "guides-loan"), false},
		{"unbound reads structure", unbound, cms.ActStructureRead, cms.Resource{}, false},
		{"unbound reads items", unbound, cms.ActItemRead, res("collection", ""), false},
		{"unbound creates", unbound, cms.ActItemCreate, res("collection", "guides-deposit"), false},
		{"unbound manages users", unbound, cms.ActUserManage, cms.Resource{}, false},
		{"unknown action", editorCollection, cms.Action("item.delete"), res("collection", "guides-deposit"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := a.Allowed(context.Background(), tt.u, tt.act, tt.res)
			if err != nil {
				t.Fatalf("Allowed: %v", err)
			}
			if got != tt.want {
				t.Errorf("Allowed(%d %v, %s, %+v) = %v, want %v", tt.u.ID, tt.u.Roles, tt.act, tt.res, got, tt.want)
			}
		})
	}
}

// TestAllowedUnboundUserEverything denies every action on every department
// and column to a user without bindings.
func TestAllowedUnboundUserEverything(t *testing.T) {
	t.Parallel()
	a, _ := mustAuthorizer(t, annexPolicy(bindingsOf(allUsers...)...))
	acts := []cms.Action{cms.ActStructureRead, cms.ActUserManage, cms.ActItemRead, cms.ActItemCreate, cms.ActItemEdit}
	depts := append([]string{""}, annexPolicy().Departments...)
	for _, act := range acts {
		for _, d := range depts {
			for _, col := range []string{"", "guides-deposit", "guides-loan"} {
				ok, err := a.Allowed(context.Background(), unbound, act, cms.Resource{Department: d, Column: col})
				if err != nil || ok {
					t.Errorf("Allowed(unbound, %s, %q, %q) = %v, %v", act, d, col, ok, err)
				}
			}
		}
	}
}

// TestDepartments checks which departments each user may act for.
func TestDepartments(t *testing.T) {
	t.Parallel()
	a, _ := mustAuthorizer(t, annexPolicy(bindingsOf(allUsers...)...))
	every := annexPolicy().Departments
	tests := []struct {
		name string
		u    *cms.User
		act  cms.Action
		want []string
	}{
		{"editor reads own department", editorCollection, cms.ActItemRead, []string{"collection"}},
		{"editor of a member reads it only", editorZongyang, cms.ActItemRead, []string{"zongyang"}},
		{"editor of a group reads it only", editorBranches, cms.ActItemRead, []string{"branches"}},
		{"editor creates without a column", editorCollection, cms.ActItemCreate, nil},
		{"leader reads exactly two", leaderTwo, cms.ActItemRead, []string{"finance", "licensing"}},
		{"dept head reads own department", headCollection, cms.ActItemRead, []string{"collection"}},
		{"director reads every department", director, cms.ActItemRead, every},
		{"auditor reads every department", auditor, cms.ActItemRead, every},
		{"admin reads none", admin, cms.ActItemRead, nil},
		{"admin manages users everywhere", admin, cms.ActUserManage, every},
		{"unbound reads none", unbound, cms.ActItemRead, nil},
		{"unbound structure none", unbound, cms.ActStructureRead, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := a.Departments(context.Background(), tt.u, tt.act)
			if err != nil {
				t.Fatalf("Departments: %v", err)
			}
			got, want := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("Departments(%d, %s) = %q, want %q", tt.u.ID, tt.act, got, want)
			}
		})
	}
}

// TestPolicyReload checks that the authorizer picks up a changed policy
// when, and only when, the store's policy version moves.
func TestPolicyReload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newEditor := user(20, cms.RoleBinding{Role: cms.RoleEditor, Department: "licensing"})
	create := cms.Resource{Department: "licensing", Column: "guides-loan"}
	a, store := mustAuthorizer(t, annexPolicy(bindingsOf(editorCollection)...))

	allowed := func() bool {
		t.Helper()
		ok, err := a.Allowed(ctx, newEditor, cms.ActItemCreate, create)
		if err != nil {
			t.Fatalf("Allowed: %v", err)
		}
		return ok
	}
	if allowed() {
		t.Fatal("allowed before the binding exists")
	}
	loads := store.loads

	// The binding is stored but the version has not moved: the cached
	// policy still answers.
	store.set(annexPolicy(bindingsOf(editorCollection, newEditor)...), false)
	if allowed() {
		t.Error("allowed before the policy version moved")
	}
	if store.loads != loads {
		t.Errorf("policy loaded %d times without a version change", store.loads-loads)
	}
	if depts, _ := a.Departments(ctx, newEditor, cms.ActItemRead); len(depts) != 0 {
		t.Errorf("Departments before the version moved = %q", depts)
	}

	store.set(annexPolicy(bindingsOf(editorCollection, newEditor)...), true)
	if !allowed() {
		t.Error("denied after the binding was added and the version moved")
	}
	if depts, _ := a.Departments(ctx, newEditor, cms.ActItemRead); !slices.Equal(depts, []string{"licensing"}) {
		t.Errorf("Departments after the version moved = %q, want [licensing]", depts)
	}

	// Revoking works the same way.
	store.set(annexPolicy(bindingsOf(editorCollection)...), true)
	if allowed() {
		t.Error("allowed after the binding was removed and the version moved")
	}
}

// TestStoreErrors checks that store failures reach the caller.
func TestStoreErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	boom := errors.New("database down")
	if _, err := rbac.NewAuthorizer(ctx, &fakePolicyStore{err: boom}); !errors.Is(err, boom) {
		t.Errorf("NewAuthorizer = %v, want %v", err, boom)
	}

	a, store := mustAuthorizer(t, annexPolicy(bindingsOf(editorCollection)...))
	store.mu.Lock()
	store.err = boom
	store.mu.Unlock()
	if ok, err := a.Allowed(ctx, editorCollection, cms.ActItemRead, cms.Resource{Department: "collection"}); ok || !errors.Is(err, boom) {
		t.Errorf("Allowed = %v, %v; want false, %v", ok, err, boom)
	}
	if depts, err := a.Departments(ctx, editorCollection, cms.ActItemRead); depts != nil || !errors.Is(err, boom) {
		t.Errorf("Departments = %q, %v; want nil, %v", depts, err, boom)
	}
}

// TestSubject checks the casbin subject of a user.
func TestSubject(t *testing.T) {
	t.Parallel()
	if got := rbac.Subject(42); got != "u:42" {
		t.Errorf("Subject(42) = %q, want u:42", got)
	}
}

package rbac

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/casbin/casbin/v2/util"

	"github.com/tlhpf/cms/cms"
)

//go:embed model.conf
var modelText string

// noObject stands for "no column" in a request.
const noObject = "-"

// Authorizer evaluates the policy stored in the database with casbin. It
// reloads the policy whenever the store's policy version moves, so a role
// granted or revoked by any server process takes effect at the next request.
type Authorizer struct {
	store cms.PolicyStore

	mu      sync.Mutex
	version int64
	snap    *snapshot
}

// snapshot is the evaluator for one policy version. Its answers cannot
// change while the version stands, so it remembers them: casbin evaluates
// each question once, however often pages ask it.
type snapshot struct {
	enforcer    *casbin.SyncedEnforcer
	departments []string

	mu      sync.Mutex
	decided map[question]bool
}

// question is one request to the enforcer.
type question struct{ sub, dom, obj, act string }

// maxDecided bounds the remembered answers (a few MB at most); when full
// they are forgotten and learnt again.
const maxDecided = 1 << 14

func (s *snapshot) enforce(sub, dom, obj, act string) (bool, error) {
	q := question{sub, dom, obj, act}
	s.mu.Lock()
	ok, seen := s.decided[q]
	s.mu.Unlock()
	if seen {
		return ok, nil
	}
	ok, err := s.enforcer.Enforce(sub, dom, obj, act)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	if len(s.decided) >= maxDecided {
		s.decided = map[question]bool{}
	}
	s.decided[q] = ok
	s.mu.Unlock()
	return ok, nil
}

var _ cms.Authorizer = (*Authorizer)(nil)

// NewAuthorizer loads the policy from store.
func NewAuthorizer(ctx context.Context, store cms.PolicyStore) (*Authorizer, error) {
	a := &Authorizer{store: store, version: -1}
	if _, err := a.current(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// policyVersionKey keeps the policy version in a request scope.
type policyVersionKey struct{}

// current returns the evaluator of the latest policy version.
// Within a request scope (cms.WithRequestScope) the version is read once.
func (a *Authorizer) current(ctx context.Context) (*snapshot, error) {
	v, err := cms.Scoped(ctx, policyVersionKey{}, func() (int64, error) { return a.store.PolicyVersion(ctx) })
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if v == a.version && a.snap != nil {
		return a.snap, nil
	}
	p, err := a.store.Policy(ctx)
	if err != nil {
		return nil, err
	}
	e, err := newEnforcer(p)
	if err != nil {
		return nil, err
	}
	a.snap, a.version = &snapshot{enforcer: e, departments: p.Departments, decided: map[question]bool{}}, v
	return a.snap, nil
}

func newEnforcer(p *cms.Policy) (*casbin.SyncedEnforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, policyAdapter{p})
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	// A centre-wide binding has domain "*", which matches every department.
	e.AddNamedDomainMatchingFunc("g", "KeyMatch", util.KeyMatch)
	if err := e.BuildRoleLinks(); err != nil {
		return nil, err
	}
	return e, nil
}

// Subject is the casbin subject for a user.
func Subject(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }

// Allowed reports whether u may do act on res.
func (a *Authorizer) Allowed(ctx context.Context, u *cms.User, act cms.Action, res cms.Resource) (bool, error) {
	snap, err := a.current(ctx)
	if err != nil {
		return false, err
	}
	obj := res.Column
	if obj == "" {
		obj = noObject
	}
	doms := []string{res.Department}
	if res.Department == "" {
		doms = bindingDomains(u)
	}
	for _, d := range doms {
		ok, err := snap.enforce(Subject(u.ID), d, obj, string(act))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// bindingDomains lists the departments a user holds roles for; a
// centre-wide role stands for any department.
func bindingDomains(u *cms.User) []string {
	var out []string
	for _, b := range u.Roles {
		d := b.Department
		if b.Role.CentreWide() {
			d = noObject
		}
		out = append(out, d)
	}
	return out
}

// Departments lists the departments for which u may do act.
func (a *Authorizer) Departments(ctx context.Context, u *cms.User, act cms.Action) ([]string, error) {
	snap, err := a.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range snap.departments {
		ok, err := snap.enforce(Subject(u.ID), d, noObject, string(act))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// policyAdapter is a read-only casbin adapter over a loaded cms.Policy: the
// database tables are the source of truth, casbin only evaluates.
type policyAdapter struct{ p *cms.Policy }

func (a policyAdapter) LoadPolicy(m model.Model) error {
	for _, perm := range a.p.Permissions {
		if err := persist.LoadPolicyArray([]string{"p", string(perm.Role), perm.Object, string(perm.Action)}, m); err != nil {
			return err
		}
	}
	for _, b := range a.p.Bindings {
		dom := b.Department
		if b.Role.CentreWide() {
			dom = "*"
		}
		if err := persist.LoadPolicyArray([]string{"g", Subject(b.UserID), string(b.Role), dom}, m); err != nil {
			return err
		}
	}
	for _, o := range a.p.Ownership {
		if err := persist.LoadPolicyArray([]string{"g2", o[0], o[1]}, m); err != nil {
			return err
		}
	}
	return nil
}

func (policyAdapter) SavePolicy(model.Model) error { return errReadOnly }
func (policyAdapter) AddPolicy(string, string, []string) error {
	return errReadOnly
}
func (policyAdapter) RemovePolicy(string, string, []string) error { return errReadOnly }
func (policyAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}

var errReadOnly = fmt.Errorf("rbac: the policy is read from the database; change the tables instead")

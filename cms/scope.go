package cms

import (
	"context"
	"sync"
)

// A request scope lets one request read a value once and reuse it: the
// authorizer keeps there the policy version it checked, so that the many
// questions one page asks (which menus, which buttons, which columns) are
// decided on one version of the policy, read from the store once. A role
// granted or revoked takes effect at the next request, as without a scope.

type requestScope struct {
	mu   sync.Mutex
	vals map[any]any
}

type scopeKey struct{}

// WithRequestScope returns ctx with a fresh request scope.
func WithRequestScope(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, &requestScope{vals: map[any]any{}})
}

// Scoped returns the value of key in ctx's request scope, loading it with
// load the first time; without a scope it just loads it. A failed load is
// not kept; two loads at once in one request may both run.
func Scoped[T any](ctx context.Context, key any, load func() (T, error)) (T, error) {
	sc, _ := ctx.Value(scopeKey{}).(*requestScope)
	if sc == nil {
		return load()
	}
	sc.mu.Lock()
	v, ok := sc.vals[key]
	sc.mu.Unlock()
	if ok {
		return v.(T), nil
	}
	// Loaded without the lock: a load may itself read the scope.
	t, err := load()
	if err == nil {
		sc.mu.Lock()
		sc.vals[key] = t
		sc.mu.Unlock()
	}
	return t, err
}

// Package rbac implements the cms authorization and credential ports:
// an Authorizer that evaluates the policy (permission templates, role
// bindings and column ownership, all loaded from the database) with casbin,
// and an argon2id password hasher.
package rbac

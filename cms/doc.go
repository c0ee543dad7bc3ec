// Package cms is the domain of the content management system: departments,
// channels, columns, users and their roles, items and their revisions, the
// error vocabulary shared by every layer, the ports that adapters implement
// (stores, authorizer, password hasher, clock) and the services that carry
// out each use case.
//
// The package imports the standard library only. HTTP lives in package api,
// SQL in package storage, casbin in package rbac and the state machine in
// package workflow; only cmd/cms wires them together.
package cms

// Package cms is the domain of the content management system: departments,
// channels, columns, users and their roles, items and their revisions, the
// error vocabulary shared by every layer, the ports that adapters implement
// (the persistence ports in stores.go, every other one in ports.go) and the
// services that carry out each use case.
//
// The package imports the standard library only. HTTP lives in package api,
// SQL in package storage, casbin in package rbac and the state machine in
// package workflow; only the composition root (package app) wires them
// together.
//
// Files follow one convention: a concern's types in its own file (item.go,
// patrol.go, media.go …), its service in *_service.go beside it.
package cms

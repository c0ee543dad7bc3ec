// Package openapi embeds openapi.yaml, the hand-written description of
// every route of the CMS, so that the server can serve it and tests can
// check the implementation against it.
package openapi

import _ "embed"

// YAML is the content of openapi.yaml.
//
//go:embed openapi.yaml
var YAML []byte

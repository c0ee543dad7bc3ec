// Package spec embeds openapi.yaml, the hand-written description of every
// route of the CMS, so that the server can serve it and tests can check the
// implementation against it.
package spec

import _ "embed"

// OpenAPI is the content of openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// ItemETag is the entity tag GET /content/v1/items/{id} answers with now
// (its uncompressed form; the gzip form adds "-gz"), for webhooks that
// tell clients what changed. It renders the detail as the handler does.
func (s *Server) ItemETag(ctx context.Context, id int64) (string, error) {
	p, rev, err := s.svc.Content.Item(ctx, id)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, toPublicItem(p, rev)); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return `"` + hex.EncodeToString(sum[:12]) + `"`, nil
}

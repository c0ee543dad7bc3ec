package cms

import (
	"context"
	"unicode/utf8"
)

// RenderBody renders a body being written as clients will show it once it
// is published, for an editor's live preview: the same renderer and
// sanitiser as publication, nothing stored or audited. Any member of staff
// may; the body must be one a revision could hold.
func (s *ContentService) RenderBody(ctx context.Context, p *Principal, body, format string) (string, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return "", err
	}
	var fe FieldErrors
	if utf8.RuneCountInString(body) > BodyMaxLength {
		fe.Add("body", "must be at most %d characters", BodyMaxLength)
	}
	if format == "" {
		format = FormatMarkdown
	}
	if format != FormatMarkdown && format != FormatHTML {
		fe.Add("body_format", "must be markdown or html")
	}
	if err := fe.Err("invalid body"); err != nil {
		return "", err
	}
	return s.Renderer.HTML(body, format), nil
}

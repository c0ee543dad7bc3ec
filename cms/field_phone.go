package cms

import (
	"regexp"
	"strings"
)

// KindPhone is a telephone number as printed.
const KindPhone FieldKind = "phone"

var phonePattern = regexp.MustCompile(`^[0-9+()\- ]{3,30}$`)

// phoneField is a telephone number: digits, spaces, +, - and parentheses.
type phoneField struct{ servedAsStored }

func (phoneField) normalize(_ *FieldSpec, path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	if !ok || !phonePattern.MatchString(strings.TrimSpace(s)) {
		fe.Add(path, "must be a telephone number (digits, spaces, +, - and parentheses)")
		return nil
	}
	return strings.TrimSpace(s)
}

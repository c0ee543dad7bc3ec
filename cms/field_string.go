package cms

import (
	"strings"
	"unicode/utf8"
)

// KindString is one line of text.
const KindString FieldKind = "string"

// defaultStringMax is the length of a one-line string, in characters,
// when its field sets no MaxLen.
const defaultStringMax = 500

// stringField is one line of text, trimmed, served as written.
type stringField struct{ servedAsStored }

func (stringField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	return checkString(f, path, v, defaultStringMax, true, fe)
}

// checkString trims a string and checks its length in characters against
// f.MaxLen (max when unset) and, for a single line, its line breaks.
func checkString(f *FieldSpec, path string, v any, max int, singleLine bool, fe *FieldErrors) any {
	s, ok := v.(string)
	if !ok {
		fe.Add(path, "must be a string")
		return nil
	}
	if f.MaxLen != 0 {
		max = f.MaxLen
	}
	s = strings.TrimSpace(s)
	if singleLine && strings.ContainsAny(s, "\r\n") {
		fe.Add(path, "must be a single line")
		return nil
	}
	if utf8.RuneCountInString(s) > max {
		fe.Add(path, "must be at most %d characters", max)
		return nil
	}
	return s
}

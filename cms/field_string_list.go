package cms

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// KindStringList is a list of one-line strings.
const KindStringList FieldKind = "string_list"

// defaultListMax is the length of a list when its field sets no MaxLen.
const defaultListMax = 200

// stringListField is a list of one-line strings, kept in order, repeats
// included.
type stringListField struct{ servedAsStored }

func (stringListField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	return checkStringList(f, path, v, false, fe)
}

func (f *FieldSpec) listMax() int {
	if f.MaxLen > 0 {
		return f.MaxLen
	}
	return defaultListMax
}

// checkStringList trims every entry of a list of strings; for options,
// each must be one of f.Options and appear once.
func checkStringList(f *FieldSpec, path string, v any, options bool, fe *FieldErrors) any {
	list, ok := v.([]any)
	if !ok {
		fe.Add(path, "must be a list of strings")
		return nil
	}
	if len(list) > f.listMax() {
		fe.Add(path, "must have at most %d entries", f.listMax())
		return nil
	}
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for i, e := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		s, ok := e.(string)
		s = strings.TrimSpace(s)
		switch {
		case !ok || s == "" || strings.ContainsAny(s, "\r\n") || utf8.RuneCountInString(s) > defaultStringMax:
			fe.Add(p, "must be a non-empty single-line string of at most %d characters", defaultStringMax)
		case options && !contains(f.Options, s):
			fe.Add(p, "must be one of %s", strings.Join(f.Options, ", "))
		case options && seen[s]:
			fe.Add(p, "is repeated")
		default:
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

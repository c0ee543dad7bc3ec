package cms

import (
	"errors"
	"strings"
)

// KindEnum is one of the field's Options.
const KindEnum FieldKind = "enum"

// enumField is one of a fixed list of codes.
type enumField struct{ servedAsStored }

func (enumField) checkSpec(f *FieldSpec) error { return needOptions(f) }

func (enumField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	if !ok || !contains(f.Options, s) {
		fe.Add(path, "must be one of %s", strings.Join(f.Options, ", "))
		return nil
	}
	return s
}

// needOptions refuses an enumeration without options.
func needOptions(f *FieldSpec) error {
	if len(f.Options) == 0 {
		return errors.New("an enumeration needs options")
	}
	return nil
}

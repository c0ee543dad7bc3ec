package cms

import "regexp"

// KindVersion is a version number MAJOR.MINOR[.PATCH].
const KindVersion FieldKind = "version"

// versionPattern also parses the versions of app update checks.
var versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5}))?$`)

// versionField is an app version, compared number by number.
type versionField struct{ servedAsStored }

func (versionField) normalize(_ *FieldSpec, path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	if !ok || !versionPattern.MatchString(s) {
		fe.Add(path, "must be a version such as 2.4 or 2.4.1")
		return nil
	}
	return s
}

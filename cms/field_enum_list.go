package cms

// KindEnumList is a list of distinct Options.
const KindEnumList FieldKind = "enum_list"

// enumListField is a set of codes, such as an outlet's lines of business,
// kept in the order given.
type enumListField struct{ servedAsStored }

func (enumListField) checkSpec(f *FieldSpec) error { return needOptions(f) }

func (enumListField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	return checkStringList(f, path, v, true, fe)
}

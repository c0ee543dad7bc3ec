package cms

import (
	"fmt"
	"strings"
)

// FieldKind names the kind of a content field. Each kind lives in its own
// file (field_KIND.go) as a fieldType: how a value is checked, put in
// canonical form and served.
type FieldKind string

// FieldSpec describes one typed field of a content type.
type FieldSpec struct {
	Name     string
	Label    string // what editors see (Chinese)
	Kind     FieldKind
	Required bool // needed before the revision can be submitted
	MaxLen   int  // characters for strings, entries for lists; 0: kind default
	Options  []string
	Min, Max *float64 // bounds for integers and decimals
	Fields   []FieldSpec
}

// fieldType is the behaviour behind a FieldKind.
type fieldType interface {
	// checkSpec reports what is wrong with a field declared of this kind.
	checkSpec(f *FieldSpec) error
	// normalize checks v, which is not empty, against f and returns it in
	// canonical form, or nil after recording what is wrong in fe.
	normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any
	// render returns a canonical value as the content API serves it.
	render(f *FieldSpec, v any, r Renderer) any
}

// fieldTypes is the registry of field kinds.
var fieldTypes = map[FieldKind]fieldType{
	KindString:      stringField{},
	KindText:        textField{},
	KindDate:        dateField{},
	KindEnum:        enumField{},
	KindStringList:  stringListField{},
	KindEnumList:    enumListField{},
	KindURL:         urlField{},
	KindPhone:       phoneField{},
	KindDecimal:     decimalField{},
	KindInteger:     integerField{},
	KindVersion:     versionField{},
	KindCoordinates: coordinatesField{},
	KindObjectList:  objectListField{},
}

// servedAsStored is embedded by the kinds whose values clients get as
// stored and whose declaration needs nothing beyond a name and a label.
type servedAsStored struct{}

func (servedAsStored) checkSpec(*FieldSpec) error                 { return nil }
func (servedAsStored) render(_ *FieldSpec, v any, _ Renderer) any { return v }

func (f *FieldSpec) fieldType() fieldType { return fieldTypes[f.Kind] }

// normalize checks v against the field and returns it in canonical form:
// strings trimmed, integers as int64, decimals as strings, lists without gaps.
func (f *FieldSpec) normalize(path string, v any, fe *FieldErrors) any {
	t := f.fieldType()
	if t == nil {
		fe.Add(path, "has an unknown kind")
		return nil
	}
	return t.normalize(f, path, v, fe)
}

// checkSpecs reports the first mistake in the declaration of specs: an
// unknown kind, a missing name or label, a repeated name, or what the
// kind itself refuses.
func checkSpecs(prefix string, specs []FieldSpec) error {
	seen := map[string]bool{}
	for i := range specs {
		f := &specs[i]
		t := f.fieldType()
		switch {
		case f.Name == "" || f.Label == "":
			return fmt.Errorf("%sfield %d needs a name and a label", prefix, i)
		case seen[f.Name]:
			return fmt.Errorf("%s%s is declared twice", prefix, f.Name)
		case t == nil:
			return fmt.Errorf("%s%s has the unknown kind %q", prefix, f.Name, f.Kind)
		}
		seen[f.Name] = true
		if err := t.checkSpec(f); err != nil {
			return fmt.Errorf("%s%s: %w", prefix, f.Name, err)
		}
	}
	return nil
}

// normalizeFields checks every value of m against specs, reports unknown
// names, and returns the normalised map without null or empty values.
func normalizeFields(prefix string, specs []FieldSpec, m map[string]any, fe *FieldErrors) map[string]any {
	out := make(map[string]any, len(m))
	for name, v := range m {
		spec := findSpec(specs, name)
		if spec == nil {
			fe.Add(prefix+name, "is not a field of this content type")
			continue
		}
		if s, ok := v.(string); ok {
			v = strings.TrimSpace(s)
		}
		if isEmpty(v) {
			continue // null or blank: the field is left out
		}
		if nv := spec.normalize(prefix+name, v, fe); !isEmpty(nv) {
			out[name] = nv
		}
	}
	return out
}

func findSpec(specs []FieldSpec, name string) *FieldSpec {
	for i := range specs {
		if specs[i].Name == name {
			return &specs[i]
		}
	}
	return nil
}

// ptr returns a pointer to a bound, for FieldSpec.Min and Max.
func ptr(f float64) *float64 { return &f }

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// isBlank reports whether v is null or a string of spaces.
func isBlank(v any) bool {
	s, ok := v.(string)
	return v == nil || (ok && strings.TrimSpace(s) == "")
}

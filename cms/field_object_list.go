package cms

import (
	"errors"
	"fmt"
)

// KindObjectList is a list of objects, each with the field's Fields.
const KindObjectList FieldKind = "object_list"

// objectListField is a list of small records, such as the steps of a
// guide. Each entry is served with its own fields rendered by their kinds,
// so a step's Markdown description reaches clients as sanitised HTML.
type objectListField struct{}

func (objectListField) render(f *FieldSpec, v any, r Renderer) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			out[i] = e
			continue
		}
		obj := make(map[string]any, len(m))
		for name, sv := range m {
			obj[name] = sv
			if sub := findSpec(f.Fields, name); sub != nil && sub.fieldType() != nil {
				obj[name] = sub.fieldType().render(sub, sv, r)
			}
		}
		out[i] = obj
	}
	return out
}

func (objectListField) checkSpec(f *FieldSpec) error {
	if len(f.Fields) == 0 {
		return errors.New("a list of objects needs fields")
	}
	return checkSpecs(f.Name+".", f.Fields)
}

func (objectListField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	list, ok := v.([]any)
	if !ok {
		fe.Add(path, "must be a list of objects")
		return nil
	}
	if len(list) > f.listMax() {
		fe.Add(path, "must have at most %d entries", f.listMax())
		return nil
	}
	out := make([]any, 0, len(list))
	for i, e := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, ok := e.(map[string]any)
		if !ok {
			fe.Add(p, "must be an object")
			continue
		}
		obj := normalizeFields(p+".", f.Fields, m, fe)
		for _, sub := range f.Fields {
			if _, given := m[sub.Name]; sub.Required && isEmpty(obj[sub.Name]) && (!given || isBlank(m[sub.Name])) {
				fe.Add(p+"."+sub.Name, "is required")
			}
		}
		out = append(out, obj)
	}
	return out
}

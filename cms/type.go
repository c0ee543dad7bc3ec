package cms

import (
	"fmt"
	"sort"
)

// ContentType is the schema of the items of a column: which typed fields
// they carry, which of them a revision needs before it can be submitted,
// which a listing shows and which search indexes. Each type is declared
// in its own file (type_NAME.go) and registers itself there.
type ContentType struct {
	Name         string
	Label        string
	BodyRequired bool
	BodyLabel    string
	Fields       []FieldSpec
	// Summary names the fields a listing shows of each item.
	Summary []string
	// Search names the one-line string and text fields indexed for search
	// after the body, in this order (the order of a result's snippet text).
	Search []string
	// rules, when set, adds the type's own conditions for submitting.
	rules func(r *Revision, fe *FieldErrors)
}

// contentTypes is the registry of content types, by name.
var contentTypes = map[string]*ContentType{}

// register adds a content type to the registry. A declaration that
// contradicts itself stops the program at start.
func register(ct *ContentType) {
	if err := ct.check(); err != nil {
		panic(fmt.Sprintf("cms: content type %q: %v", ct.Name, err))
	}
	contentTypes[ct.Name] = ct
}

// check reports the first mistake in the declaration of a content type.
func (ct *ContentType) check() error {
	if ct.Name == "" || ct.Label == "" {
		return fmt.Errorf("needs a name and a label")
	}
	if contentTypes[ct.Name] != nil {
		return fmt.Errorf("is registered twice")
	}
	if err := checkSpecs("fields.", ct.Fields); err != nil {
		return err
	}
	for _, name := range ct.Summary {
		if findSpec(ct.Fields, name) == nil {
			return fmt.Errorf("summary field %s is not a field", name)
		}
	}
	for _, name := range ct.Search {
		if f := findSpec(ct.Fields, name); f == nil || (f.Kind != KindString && f.Kind != KindText) {
			return fmt.Errorf("search field %s is not a string or text field", name)
		}
	}
	return nil
}

// LookupContentType returns the content type called name, or nil.
func LookupContentType(name string) *ContentType { return contentTypes[name] }

// ContentTypes returns every content type, sorted by name.
func ContentTypes() []*ContentType {
	out := make([]*ContentType, 0, len(contentTypes))
	for _, ct := range contentTypes {
		out = append(out, ct)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// NormalizeFields checks the types of the given field values (a draft may
// leave required fields out) and returns them in canonical form.
func (ct *ContentType) NormalizeFields(fields map[string]any) (map[string]any, FieldErrors) {
	var fe FieldErrors
	out := normalizeFields("fields.", ct.Fields, fields, &fe)
	return out, fe
}

// Missing lists what a revision still lacks before it can be submitted.
func (ct *ContentType) Missing(r *Revision) FieldErrors {
	var fe FieldErrors
	if r.Title == "" {
		fe.Add("title", "is required")
	}
	if ct.BodyRequired && r.Body == "" {
		fe.Add("body", "is required")
	}
	for _, f := range ct.Fields {
		if f.Required && isEmpty(r.Fields[f.Name]) {
			fe.Add("fields."+f.Name, "is required")
		}
	}
	if ct.rules != nil {
		ct.rules(r, &fe)
	}
	return fe
}

// RenderFields returns canonical field values as the content API serves
// them: each field rendered by its kind (text fields become sanitised
// HTML), the rest as stored. Values without a field are kept as they are.
func (ct *ContentType) RenderFields(fields map[string]any, r Renderer) map[string]any {
	out := make(map[string]any, len(fields))
	for name, v := range fields {
		out[name] = v
		if f := findSpec(ct.Fields, name); f != nil && f.fieldType() != nil {
			out[name] = f.fieldType().render(f, v, r)
		}
	}
	return out
}

// searchText returns the words of the search fields of fields, each
// preceded by a space, without markup.
func (ct *ContentType) searchText(fields map[string]any) string {
	text := ""
	for _, name := range ct.Search {
		if s, ok := fields[name].(string); ok {
			text += " " + PlainText(s)
		}
	}
	return text
}

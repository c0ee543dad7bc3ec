package console

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// fieldView is one typed field as clients will show it.
type fieldView struct {
	Label   string
	Text    string       // one value
	HTML    renderedHTML // a text field, rendered by the content service
	List    []string     // a list of values
	Objects [][]pair     // a list of records
}

// pair is one labelled value of a record.
type pair struct{ Label, Value string }

// fieldViews lists the fields a revision has, in the order the content
// type declares them, from the values the content service rendered.
func fieldViews(ct *cms.ContentType, values map[string]any) []fieldView {
	if ct == nil {
		return nil
	}
	var out []fieldView
	for _, spec := range ct.Fields {
		v, ok := values[spec.Name]
		if !ok || v == nil {
			continue
		}
		fv := fieldView{Label: spec.Label}
		switch spec.Kind {
		case cms.KindText:
			if s, ok := v.(string); ok {
				fv.HTML = renderedHTML(s)
			}
		case cms.KindStringList, cms.KindEnumList:
			for _, e := range asList(v) {
				fv.List = append(fv.List, display(spec.Kind, e))
			}
		case cms.KindObjectList:
			for _, e := range asList(v) {
				fv.Objects = append(fv.Objects, record(spec.Fields, e))
			}
		default:
			fv.Text = display(spec.Kind, v)
		}
		out = append(out, fv)
	}
	return out
}

// record lists the values of one entry of an object list.
func record(specs []cms.FieldSpec, v any) []pair {
	m, _ := v.(map[string]any)
	var out []pair
	for _, s := range specs {
		if x, ok := m[s.Name]; ok && x != nil && x != "" {
			out = append(out, pair{Label: s.Label, Value: display(s.Kind, x)})
		}
	}
	return out
}

// display writes one value for people: enumeration codes by their names,
// coordinates as latitude and longitude, numbers as written.
func display(kind cms.FieldKind, v any) string {
	switch x := v.(type) {
	case string:
		if kind == cms.KindEnum || kind == cms.KindEnumList {
			return optionLabel(x)
		}
		return x
	case map[string]any:
		if kind == cms.KindCoordinates {
			return fmt.Sprintf("纬度 %v，经度 %v", x["lat"], x["lng"])
		}
	case nil:
		return ""
	}
	if b, err := json.Marshal(v); err == nil {
		return strings.Trim(string(b), `"`)
	}
	return fmt.Sprint(v)
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return nil
}

// diffRow is one changed field, old above new on a phone.
type diffRow struct {
	Label, Change string
	Old, New      string
}

var changeLabels = map[string]string{"added": "新增", "removed": "删除", "changed": "修改"}

// diffRows writes the service's field changes for people.
func diffRows(ct *cms.ContentType, changes []cms.FieldChange) []diffRow {
	out := make([]diffRow, 0, len(changes))
	for _, ch := range changes {
		out = append(out, diffRow{Label: fieldLabel(ct, ch.Field), Change: labelOf(changeLabels, ch.Change),
			Old: diffText(ct, ch.Field, ch.Old), New: diffText(ct, ch.Field, ch.New)})
	}
	return out
}

// diffText writes a changed value as plain text: lists one entry a line,
// records as 名称：值；….
func diffText(ct *cms.ContentType, field string, v any) string {
	spec := specOf(ct, field)
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		lines := make([]string, len(x))
		for i, e := range x {
			lines[i] = "· " + diffEntry(spec, field, e)
		}
		return strings.Join(lines, "\n")
	}
	if field == "action" {
		return actionLabel(fmt.Sprint(v))
	}
	if spec != nil {
		return display(spec.Kind, v)
	}
	return display("", v)
}

func diffEntry(spec *cms.FieldSpec, field string, e any) string {
	m, ok := e.(map[string]any)
	switch {
	case field == "attachments" && ok:
		return fmt.Sprint(m["name"])
	case spec != nil && spec.Kind == cms.KindObjectList:
		var parts []string
		for _, p := range record(spec.Fields, m) {
			parts = append(parts, p.Label+"："+p.Value)
		}
		return strings.Join(parts, "；")
	case spec != nil:
		return display(spec.Kind, e)
	}
	return display("", e)
}

// specOf finds the declaration of a "fields.NAME" path.
func specOf(ct *cms.ContentType, field string) *cms.FieldSpec {
	name, ok := strings.CutPrefix(field, "fields.")
	if !ok || ct == nil {
		return nil
	}
	for i := range ct.Fields {
		if ct.Fields[i].Name == name {
			return &ct.Fields[i]
		}
	}
	return nil
}

// actionLabel names what publishing a revision does to its item.
func actionLabel(action string) string {
	switch action {
	case cms.ActionPublish:
		return "发布"
	case cms.ActionUnpublish:
		return "撤下（删除申请）"
	}
	return action
}

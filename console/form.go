package console

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// The editor's form is generated from the content-type registry: one
// control per typed field, lists as rows. Rows are added and removed by
// submit buttons that show the form again without saving, so that the
// form works without JavaScript and nothing typed is lost.

// contentForm is the editable content of a revision as the form shows it.
type contentForm struct {
	Title     string
	Body      string
	Format    string
	PublishAt string // datetime-local, Beijing time
	ExpireAt  string
	Fields    []formField
	Problems  problems
}

// formField is one typed field in the form.
type formField struct {
	Spec     cms.FieldSpec
	Name     string // the form name and the services' field path, e.g. fields.place
	Value    string
	Lat, Lng string
	Rows     []string      // a string list, one row each, blanks included
	Objects  [][]formField // an object list, one row of controls each
	Options  []option
	Problem  string
	RowCount int // rows shown, sent back so that added rows stay
}

// option is one choice of an enumeration.
type option struct {
	Value, Label string
	Selected     bool
}

// newForm builds the form of a revision's content.
func newForm(ct *cms.ContentType, rev *cms.Revision) *contentForm {
	f := &contentForm{Title: rev.Title, Body: rev.Body, Format: rev.BodyFormat,
		PublishAt: localInput(rev.PublishAt), ExpireAt: localInput(rev.ExpireAt)}
	for _, spec := range ct.Fields {
		f.Fields = append(f.Fields, fieldFromValue(spec, "fields."+spec.Name, rev.Fields[spec.Name], 1))
	}
	return f
}

// fieldFromValue makes the control of a stored value with extra blank rows.
func fieldFromValue(spec cms.FieldSpec, name string, v any, blanks int) formField {
	ff := formField{Spec: spec, Name: name}
	switch spec.Kind {
	case cms.KindStringList:
		for _, e := range asList(v) {
			ff.Rows = append(ff.Rows, display("", e))
		}
		ff.Rows = append(ff.Rows, make([]string, max(blanks, 2-len(ff.Rows)))...)
		ff.RowCount = len(ff.Rows)
	case cms.KindObjectList:
		list := asList(v)
		for i := range len(list) + max(blanks, 1-len(list)) {
			var m map[string]any
			if i < len(list) {
				m, _ = list[i].(map[string]any)
			}
			var row []formField
			for _, sub := range spec.Fields {
				row = append(row, fieldFromValue(sub, name+"["+strconv.Itoa(i)+"]."+sub.Name, m[sub.Name], 0))
			}
			ff.Objects = append(ff.Objects, row)
		}
		ff.RowCount = len(ff.Objects)
	case cms.KindCoordinates:
		if m, ok := v.(map[string]any); ok {
			ff.Lat, ff.Lng = display("", m["lat"]), display("", m["lng"])
		}
	case cms.KindEnumList:
		chosen := map[string]bool{}
		for _, e := range asList(v) {
			chosen[display("", e)] = true
		}
		ff.Options = options(spec.Options, chosen)
	default:
		if v != nil {
			ff.Value = display("", v)
		}
		if spec.Kind == cms.KindEnum {
			ff.Options = options(spec.Options, map[string]bool{ff.Value: true})
		}
	}
	return ff
}

func options(codes []string, chosen map[string]bool) []option {
	out := make([]option, len(codes))
	for i, o := range codes {
		out[i] = option{Value: o, Label: optionLabel(o), Selected: chosen[o]}
	}
	return out
}

// parseForm reads the posted content of a revision of type ct, applies a
// row operation ("add:fields.steps", "remove:fields.steps:1"), and returns
// the content for the services and the form to show again.
func parseForm(ct *cms.ContentType, form url.Values, op string) (cms.Content, *contentForm) {
	f := &contentForm{Title: strings.TrimSpace(form.Get("title")), Body: form.Get("body"), Format: form.Get("body_format"),
		PublishAt: form.Get("publish_at"), ExpireAt: form.Get("expire_at")}
	if f.Format != cms.FormatHTML {
		f.Format = cms.FormatMarkdown
	}
	c := cms.Content{Title: &f.Title, Body: &f.Body, BodyFormat: &f.Format, Fields: map[string]any{}}
	c.PublishAt, c.ExpireAt = parseLocal(f.PublishAt), parseLocal(f.ExpireAt)
	for _, spec := range ct.Fields {
		name := "fields." + spec.Name
		v, shown := parseField(spec, name, form, op)
		c.Fields[spec.Name] = v
		n := len(asList(v))
		rows := max(n+1, shown) // what was typed, and the blank rows the form had
		switch {
		case op == "add:"+name:
			rows = max(n, shown) + 1
		case strings.HasPrefix(op, "remove:"+name+":"):
			rows = max(n+1, shown-1)
		}
		f.Fields = append(f.Fields, fieldFromValue(spec, name, v, rows-n))
	}
	return c, f
}

// parseField reads one typed field; nil removes it. For lists it also
// returns how many rows the form showed.
func parseField(spec cms.FieldSpec, name string, form url.Values, op string) (any, int) {
	switch spec.Kind {
	case cms.KindStringList:
		var out []any
		for _, s := range form[name] {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return listOrNil(out), len(form[name])
	case cms.KindEnumList:
		var out []any
		for _, s := range form[name] {
			out = append(out, s)
		}
		return listOrNil(out), 0
	case cms.KindObjectList:
		n, _ := strconv.Atoi(form.Get("rows." + name))
		var out []any
		for i := range min(n, 200) {
			if op == "remove:"+name+":"+strconv.Itoa(i) { // the row whose 删除 was pressed
				continue
			}
			row, empty := map[string]any{}, true
			for _, sub := range spec.Fields {
				v, _ := parseField(sub, name+"["+strconv.Itoa(i)+"]."+sub.Name, form, "")
				if v != nil {
					row[sub.Name], empty = v, false
				}
			}
			if !empty {
				out = append(out, row)
			}
		}
		return listOrNil(out), n
	case cms.KindCoordinates:
		lat, lng := strings.TrimSpace(form.Get(name+".lat")), strings.TrimSpace(form.Get(name+".lng"))
		if lat == "" && lng == "" {
			return nil, 0
		}
		return map[string]any{"lat": number(lat), "lng": number(lng)}, 0
	}
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return nil, 0
	}
	if spec.Kind == cms.KindInteger {
		return json.Number(s), 0
	}
	return s, 0
}

// number passes what was typed as a number, or as text for the service to
// refuse with its own message.
func number(s string) any {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return json.Number(s)
	}
	return s
}

func listOrNil(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

// localInput writes a time for a datetime-local control, in Beijing time.
func localInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cms.China).Format("2006-01-02T15:04")
}

// parseLocal reads a datetime-local value in Beijing time; empty clears.
func parseLocal(s string) *time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), cms.China)
	if err != nil {
		t = time.Time{}
	}
	return &t
}

// withProblems puts each field error next to its control, and returns the
// ones that have no control (shown at the top of the form).
func (f *contentForm) withProblems(p problems) problems {
	f.Problems = p
	rest := problems{}
	for k, v := range p {
		rest[k] = v
	}
	delete(rest, "title")
	delete(rest, "body")
	delete(rest, "publish_at")
	delete(rest, "expire_at")
	for i := range f.Fields {
		f.Fields[i].claim(rest)
	}
	return rest
}

// claim takes the problems of this control and of its rows.
func (ff *formField) claim(p problems) {
	if msg, ok := p[ff.Name]; ok {
		ff.Problem = msg
		delete(p, ff.Name)
	}
	for i := range ff.Objects {
		for j := range ff.Objects[i] {
			ff.Objects[i][j].claim(p)
		}
	}
	prefix := ff.Name + "["
	for k, msg := range p {
		if strings.HasPrefix(k, prefix) && ff.Spec.Kind == cms.KindStringList {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(k, prefix), "]"))
			ff.Problem = strings.TrimSpace(ff.Problem + " 第" + strconv.Itoa(n+1) + "项" + msg)
			delete(p, k)
		}
	}
}

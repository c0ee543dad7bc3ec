package cms

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldKind is the type of a content field; each kind knows how to check
// and normalise a value decoded from JSON.
type FieldKind string

// Field kinds.
const (
	KindString      FieldKind = "string"      // one line of text
	KindText        FieldKind = "text"        // Markdown, several lines
	KindDate        FieldKind = "date"        // YYYY-MM-DD
	KindEnum        FieldKind = "enum"        // one of Options
	KindStringList  FieldKind = "string_list" // list of one-line strings
	KindEnumList    FieldKind = "enum_list"   // list of distinct Options
	KindURL         FieldKind = "url"         // absolute http(s) URL
	KindPhone       FieldKind = "phone"       // a telephone number as printed
	KindDecimal     FieldKind = "decimal"     // non-negative decimal, kept exact as a string
	KindInteger     FieldKind = "integer"
	KindVersion     FieldKind = "version" // MAJOR.MINOR[.PATCH]
	KindCoordinates FieldKind = "coordinates"
	KindObjectList  FieldKind = "object_list" // list of objects with Fields
)

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

const (
	defaultStringMax = 500
	defaultTextMax   = 100_000
	defaultListMax   = 200
)

var (
	phonePattern   = regexp.MustCompile(`^[0-9+()\- ]{3,30}$`)
	versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5}))?$`)
	decimalPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,8})?$`)
)

// normalize checks v against the field and returns it in canonical form:
// strings trimmed, integers as int64, decimals as strings, lists without gaps.
func (f *FieldSpec) normalize(path string, v any, fe *FieldErrors) any {
	switch f.Kind {
	case KindString, KindText:
		return f.checkString(path, v, fe)
	case KindDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			fe.Add(path, "must be a date as YYYY-MM-DD")
			return nil
		}
		return s
	case KindEnum:
		s, ok := v.(string)
		if !ok || !contains(f.Options, s) {
			fe.Add(path, "must be one of %s", strings.Join(f.Options, ", "))
			return nil
		}
		return s
	case KindURL:
		s, ok := v.(string)
		u, err := url.Parse(s)
		if !ok || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2000 {
			fe.Add(path, "must be an absolute http or https URL")
			return nil
		}
		return s
	case KindPhone:
		s, ok := v.(string)
		if !ok || !phonePattern.MatchString(strings.TrimSpace(s)) {
			fe.Add(path, "must be a telephone number (digits, spaces, +, - and parentheses)")
			return nil
		}
		return strings.TrimSpace(s)
	case KindVersion:
		s, ok := v.(string)
		if !ok || !versionPattern.MatchString(s) {
			fe.Add(path, "must be a version such as 2.4 or 2.4.1")
			return nil
		}
		return s
	case KindInteger:
		return f.checkInteger(path, v, fe)
	case KindDecimal:
		return f.checkDecimal(path, v, fe)
	case KindCoordinates:
		return checkCoordinates(path, v, fe)
	case KindStringList, KindEnumList:
		return f.checkStringList(path, v, fe)
	case KindObjectList:
		return f.checkObjectList(path, v, fe)
	}
	fe.Add(path, "has an unknown kind")
	return nil
}

func (f *FieldSpec) checkString(path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	if !ok {
		fe.Add(path, "must be a string")
		return nil
	}
	max := f.MaxLen
	if max == 0 {
		max = defaultStringMax
		if f.Kind == KindText {
			max = defaultTextMax
		}
	}
	s = strings.TrimSpace(s)
	if f.Kind == KindString && strings.ContainsAny(s, "\r\n") {
		fe.Add(path, "must be a single line")
		return nil
	}
	if utf8.RuneCountInString(s) > max {
		fe.Add(path, "must be at most %d characters", max)
		return nil
	}
	return s
}

func (f *FieldSpec) inRange(path string, x float64, fe *FieldErrors) bool {
	if f.Min != nil && x < *f.Min {
		fe.Add(path, "must be at least %s", strconv.FormatFloat(*f.Min, 'f', -1, 64))
		return false
	}
	if f.Max != nil && x > *f.Max {
		fe.Add(path, "must be at most %s", strconv.FormatFloat(*f.Max, 'f', -1, 64))
		return false
	}
	return true
}

func (f *FieldSpec) checkInteger(path string, v any, fe *FieldErrors) any {
	var n int64
	var err error
	switch x := v.(type) {
	case json.Number:
		n, err = x.Int64()
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			err = fmt.Errorf("not an integer")
		}
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	default:
		err = fmt.Errorf("not a number")
	}
	if err != nil {
		fe.Add(path, "must be an integer")
		return nil
	}
	if !f.inRange(path, float64(n), fe) {
		return nil
	}
	return n
}

func (f *FieldSpec) checkDecimal(path string, v any, fe *FieldErrors) any {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		fe.Add(path, "must be a decimal number")
		return nil
	}
	if !decimalPattern.MatchString(s) {
		fe.Add(path, "must be a non-negative decimal number with at most 8 decimal places")
		return nil
	}
	x, _ := strconv.ParseFloat(s, 64)
	if !f.inRange(path, x, fe) {
		return nil
	}
	return s
}

func checkCoordinates(path string, v any, fe *FieldErrors) any {
	m, ok := v.(map[string]any)
	lat, okLat := number(m["lat"])
	lng, okLng := number(m["lng"])
	if !ok || len(m) != 2 || !okLat || !okLng || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		fe.Add(path, `must be {"lat": -90..90, "lng": -180..180}`)
		return nil
	}
	return map[string]any{"lat": lat, "lng": lng}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

func (f *FieldSpec) listMax() int {
	if f.MaxLen > 0 {
		return f.MaxLen
	}
	return defaultListMax
}

func (f *FieldSpec) checkStringList(path string, v any, fe *FieldErrors) any {
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
		case f.Kind == KindEnumList && !contains(f.Options, s):
			fe.Add(p, "must be one of %s", strings.Join(f.Options, ", "))
		case f.Kind == KindEnumList && seen[s]:
			fe.Add(p, "is repeated")
		default:
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (f *FieldSpec) checkObjectList(path string, v any, fe *FieldErrors) any {
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

package api

// Input rules that hold for every route: text reaching the services is
// UTF-8 without control characters. Neither database stores NUL in text,
// and no field of this API has a use for the other control characters;
// JSON strings may hold tab, line feed and carriage return, and the
// services decide where a line break is allowed.

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// readHeaders are the request headers whose values the handlers or the
// services read as text (net/http already refuses C0 controls in headers,
// but not bytes that are not UTF-8).
var readHeaders = []string{echo.HeaderAuthorization, "If-Match", "If-None-Match", headerClientKey}

// refuseControls answers 400 when a path, a query parameter (name or
// value, read by the route or not) or a header the services read holds a
// control character or is not UTF-8, before any handler sees it.
func refuseControls(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if badText(r.URL.Path, false) {
			return cms.Errorf(cms.EBADREQUEST, "the path holds a control character or bytes that are not UTF-8")
		}
		if r.URL.RawQuery != "" {
			for name, values := range c.QueryParams() {
				if badText(name, false) {
					return cms.Errorf(cms.EBADREQUEST, "a query parameter's name holds a control character or bytes that are not UTF-8")
				}
				for _, v := range values {
					if badText(v, false) {
						return cms.Errorf(cms.EBADREQUEST, "the query parameter %s holds a control character or bytes that are not UTF-8", strconv.Quote(name))
					}
				}
			}
		}
		for _, h := range readHeaders {
			if v := r.Header.Get(h); v != "" && badText(v, false) {
				return cms.Errorf(cms.EBADREQUEST, "the %s header holds a control character or bytes that are not UTF-8", h)
			}
		}
		return next(c)
	}
}

// badText reports whether s is not UTF-8 or holds a control character (C0,
// DEL or C1); with lines, tab, line feed and carriage return are allowed.
func badText(s string, lines bool) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 {
			if lines && (b == '\t' || b == '\n' || b == '\r') {
				continue
			}
			return true
		}
		if b >= 0x7f {
			return badRunes(s[i:], lines)
		}
	}
	return false
}

func badRunes(s string, lines bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && !(lines && (r == '\t' || r == '\n' || r == '\r')) || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// mayHoldBadValue is a quick look at a JSON body: only a body with an
// escape, a DEL, a C1 control or a null can fail checkValues, so most
// bodies skip its second decoding.
func mayHoldBadValue(body []byte) bool {
	for i, b := range body {
		switch {
		case b == '\\', b == 0x7f:
			return true
		case b == 0xc2 && i+1 < len(body) && body[i+1] >= 0x80 && body[i+1] <= 0x9f:
			return true
		case b == 'n' && i+3 < len(body) && string(body[i:i+4]) == "null":
			return true
		}
	}
	return false
}

// checkValues walks a decoded JSON value beside the Go type it was
// decoded into. It refuses strings (and object keys) with control
// characters other than tab and line breaks, and null wherever the type
// cannot tell it from absence: a struct (the body itself), a slice, a
// string, a number or a bool. Null stays allowed where the type says null
// means something: pointers (PATCH fields to leave alone), maps (free-form
// objects), interfaces, and types that decode JSON themselves (optional).
func checkValues(fe *cms.FieldErrors, path string, v any, t reflect.Type) {
	if t != nil && t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil // decodes itself, nulls included: only its strings are checked
	}
	if t != nil && t.Kind() == reflect.Pointer {
		if v == nil {
			return
		}
		t = t.Elem()
	}
	switch v := v.(type) {
	case nil:
		if t != nil && t.Kind() != reflect.Map && t.Kind() != reflect.Interface {
			fe.Add(path, "must not be null")
		}
	case string:
		if badText(v, true) {
			fe.Add(path, "must not hold control characters other than tab and line breaks")
		}
	case []any:
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i, x := range v {
			checkValues(fe, path+"["+strconv.Itoa(i)+"]", x, elem)
		}
	case map[string]any:
		for k, x := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if badText(k, false) {
				fe.Add(p, "names a field with control characters")
				continue
			}
			checkValues(fe, p, x, memberType(t, k))
		}
	}
}

var unmarshalerType = reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()

// memberType is the type a JSON object's member key decodes into: a map's
// element type, or the struct field that encoding/json would choose (exact
// name first, then ignoring case, through embedded structs).
func memberType(t reflect.Type, key string) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem()
	case reflect.Struct:
		if f, ok := jsonField(t, key, strings.EqualFold); ok {
			return f
		}
	}
	return nil
}

func jsonField(t reflect.Type, key string, fold func(a, b string) bool) (reflect.Type, bool) {
	var folded reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			if ft, ok := jsonField(f.Type, key, fold); ok {
				return ft, true
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f.Type, true
		}
		if folded == nil && fold(name, key) {
			folded = f.Type
		}
	}
	return folded, folded != nil
}

// checkFileName refuses an upload's file name that holds a control
// character or is not UTF-8, like any other text.
func checkFileName(name string) error {
	if badText(name, false) {
		return cms.Invalid("invalid file name", cms.FieldError{Field: "file", Message: "the file name must not hold control characters"})
	}
	return nil
}

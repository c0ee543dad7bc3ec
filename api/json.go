package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// decode reads a JSON request body into v. It refuses other media types
// (415), invalid UTF-8, malformed JSON and trailing data (400), and unknown
// fields or wrong types (422, naming the field).
func decode(c echo.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "the body must be application/json")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return cms.Errorf(cms.EBADREQUEST, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return cms.Errorf(cms.EBADREQUEST, "the body holds more than one JSON value")
	}
	if mayHoldBadValue(body) {
		return checkBody(body, v)
	}
	return nil
}

// decodeOptional is decode for requests whose body may be left out: an
// empty body leaves v as it is.
func decodeOptional(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil || len(body) == 0 {
		return err
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	return decode(c, v)
}

// readBody reads the whole body, within the body limit.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &tooLarge) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, cms.Errorf(cms.EBADREQUEST, "could not read the request body")
	}
	return body, nil
}

// checkBody decodes a body a second time, as plain JSON values, to refuse
// what decoding into v lets through: a null body, nulls where v's type
// cannot hold them, and control characters in strings (see checkValues).
func checkBody(body []byte, v any) error {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return jsonError(err)
	}
	if raw == nil {
		return cms.Errorf(cms.EINVALID, "the body must be a JSON object, not null")
	}
	var fe cms.FieldErrors
	checkValues(&fe, "", raw, reflect.TypeOf(v).Elem())
	sort.Slice(fe, func(i, j int) bool { return fe[i].Field < fe[j].Field })
	return fe.Err("invalid characters or null")
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		// Fields of embedded request structs come with the struct's Go name in front.
		field := strings.TrimPrefix(typeErr.Field, "contentRequest.")
		if field == "" {
			return cms.Errorf(cms.EBADREQUEST, "the body must be a JSON object")
		}
		return cms.Invalid("wrong type", cms.FieldError{Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return cms.Errorf(cms.EBADREQUEST, "the body is not well-formed JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cms.Invalid("unknown field", cms.FieldError{Field: name, Message: "is not a field of this request"})
	}
	return cms.Errorf(cms.EBADREQUEST, "the body could not be decoded: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "int32", "float64":
		return "a number"
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	case "bool":
		return "true or false"
	}
	return "a " + k
}

// writeJSONBody encodes v without HTML escaping so that Chinese text and
// markup in content stay readable.
func writeJSONBody(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// respond writes v as JSON with status.
func respond(c echo.Context, status int, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	c.Response().WriteHeader(status)
	return writeJSONBody(c.Response(), v)
}

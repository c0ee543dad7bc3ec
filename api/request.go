package api

// Helpers every handler uses to read a request (ids, versions, limits,
// optional times) and to write the headers that carry them back.

import (
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// pathID reads a positive integer path parameter written the one way ids
// are written (no sign, no leading zeros); anything else is a 404, since
// no resource has that id. So one resource has one URL, and one entry in
// the public cache.
func pathID(c echo.Context, name string) (int64, error) {
	v := c.Param(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || v[0] == '+' || v[0] == '0' {
		return 0, cms.Errorf(cms.ENOTFOUND, "nothing has the id %q", v)
	}
	return id, nil
}

func parseOptTime(fe *cms.FieldErrors, field string, o optional[string]) *time.Time {
	if !o.Set {
		return nil
	}
	if o.Value == nil {
		return &time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *o.Value)
	if err != nil {
		fe.Add(field, "must be an RFC 3339 time such as 2026-01-02T08:00:00Z")
		return nil
	}
	return &t
}

// setETag sets the revision's version as its strong entity tag.
func setETag(c echo.Context, version int) {
	c.Response().Header().Set("ETag", `"`+strconv.Itoa(version)+`"`)
}

// ifMatchVersion reads the version the client last saw from If-Match. It
// is required: an edit without it could silently overwrite someone else's.
func ifMatchVersion(c echo.Context) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		return 0, cms.Errorf(cms.EPRECONDREQ, "send If-Match with the ETag of the revision you edited")
	}
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v <= 0 {
		return 0, cms.Errorf(cms.EPRECONDITION, "If-Match %q is not an ETag this API issued", h)
	}
	return v, nil
}

// queryLimit reads ?limit=; absent is 0 (the service's default).
func queryLimit(c echo.Context) (int, error) { return parseLimit(c.QueryParam("limit")) }

func parseLimit(l string) (int, error) {
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n == 0 {
		return 0, cms.Invalid("invalid limit", cms.FieldError{Field: "limit", Message: "must be an integer between 1 and 100"})
	}
	return n, nil
}

func cursorJSON(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

// timePtr turns the zero time into null.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// contentDisposition names the file for downloads: the UTF-8 name in
// filename* (RFC 6266), preceded by an ASCII filename for old clients.
func contentDisposition(disposition, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if ascii == name {
		return mime.FormatMediaType(disposition, map[string]string{"filename": name})
	}
	utf := mime.FormatMediaType("x", map[string]string{"filename": name})
	return mime.FormatMediaType(disposition, map[string]string{"filename": ascii}) + "; " + strings.TrimPrefix(utf, "x; ")
}

package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// publicQuery is what a cached content API route answers by, read once
// from the query in canonical form, so that requests that mean the same
// share one cache entry and requests that differ never do. Handlers read
// their parameters from it, not from the request, so the key and the
// response cannot disagree.
//
// A route names the parameters it reads. Each may be given once: a
// repeated one is ambiguous (which did the client mean?) and answers 400.
// Every other parameter, unknown or read only by other routes (tracking
// tags, cache busters), is ignored: it neither changes the answer nor
// splits the cache.
type publicQuery struct {
	Q, Column, Channel, Cursor, Platform, Version string
	Limit                                         int // 0: the service's default
}

// readPublicQuery reads the named parameters.
func readPublicQuery(c echo.Context, names ...string) (*publicQuery, error) {
	if c.Request().URL.RawQuery == "" {
		return &publicQuery{}, nil
	}
	return canonicalQuery(c.QueryParams(), names...) // parsed once per request, shared with the middleware
}

// canonicalQuery reads the named parameters of a parsed query.
func canonicalQuery(params url.Values, names ...string) (*publicQuery, error) {
	q := &publicQuery{}
	for _, name := range names {
		vs := params[name]
		if len(vs) > 1 {
			return nil, cms.Errorf(cms.EBADREQUEST, "the query parameter %s is given %d times; give it once", strconv.Quote(name), len(vs))
		}
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		switch name {
		case "q":
			q.Q = strings.TrimSpace(v) // as the search reads it
		case "column":
			q.Column = v
		case "channel":
			q.Channel = v
		case "cursor":
			q.Cursor = canonicalCursor(v)
		case "platform":
			q.Platform = v
		case "version":
			q.Version = v
			if strings.Count(v, ".") == 2 {
				q.Version = strings.TrimSuffix(v, ".0") // 2.4.0 is 2.4
			}
		case "limit":
			n, err := parseLimit(v)
			if err != nil {
				return nil, err
			}
			q.Limit = n
		default:
			panic("readPublicQuery: no canonical form for " + name)
		}
	}
	return q, nil
}

// canonicalCursor re-encodes a cursor, so that the other spellings base64
// allows of the same bytes are one key; what does not decode stays as it
// is, for the service to refuse.
func canonicalCursor(v string) string {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return v
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// key is the cache key of a request echo routed.
func (q *publicQuery) key(c echo.Context) string { return q.keyFor(c.Path(), c.ParamValues()) }

// keyFor is the cache key: the route, its path parameters (ids are
// canonical, see pathID) and the canonical parameters, each
// length-prefixed so that no two requests share a key by accident. It
// runs on every hit, so it is built in one allocation.
func (q *publicQuery) keyFor(route string, params []string) string {
	fields := [...]string{q.Q, q.Column, q.Channel, q.Cursor, q.Platform, q.Version}
	n := len(route) + 8
	for _, v := range params {
		n += len(v) + 8
	}
	for _, v := range fields {
		n += len(v) + 8
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(route)
	var num [20]byte
	for i := range len(params) + len(fields) {
		v := ""
		if i < len(params) {
			v = params[i]
		} else {
			v = fields[i-len(params)]
		}
		b.WriteByte(' ')
		b.Write(strconv.AppendInt(num[:0], int64(len(v)), 10))
		b.WriteByte(':')
		b.WriteString(v)
	}
	b.WriteByte(' ')
	b.Write(strconv.AppendInt(num[:0], int64(q.Limit), 10))
	return b.String()
}

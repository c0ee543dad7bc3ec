package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

// documentBuild reads, on a miss before echo, the stored document a
// request is answered with: an item's detail or a column's listing page.
type documentBuild struct {
	s        *Server
	route    *cachedRoute
	key      string
	param    string
	id       int64
	q        *publicQuery
	isDetail bool
}

// leanBuild returns how to answer a miss of route before echo, or nil
// for routes echo answers (searches, menus, update checks) and for
// requests it refuses anyway (an id in another spelling: 404).
func (s *Server) leanBuild(route *cachedRoute, param string, q *publicQuery, key string) (documentBuild, bool) {
	b := documentBuild{s: s, route: route, key: key, param: param, q: q}
	switch route.path {
	case routeItem:
		id, err := strconv.ParseInt(param, 10, 64)
		if err != nil || id <= 0 || param[0] == '+' || param[0] == '0' {
			return documentBuild{}, false // as pathID refuses it
		}
		b.id, b.isDetail = id, true
	case routeList:
	default:
		return documentBuild{}, false
	}
	return b, true
}

// run reads the document with the cache's generation of before the read,
// as serveEntry does; a panic is an error, which echo then answers.
func (b documentBuild) run(ctx context.Context) (e *cachedResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			e, err = nil, fmt.Errorf("reading a document: %v", p)
		}
	}()
	gen := b.s.cache.gen.Load()
	var d *cms.Document
	if b.isDetail {
		d, err = b.s.svc.Content.ItemDocument(ctx, b.id)
	} else {
		d, err = b.s.listing(ctx, b.param, b.q)
	}
	if err != nil {
		return nil, err
	}
	e = newCachedBody(b.key, gen, d.Body, d.Sum, cacheShort)
	e.dep = dependency(b.route.path, b.param)
	return e, nil
}

// admittedKey marks, in its context, a request the content API's limit
// admitted before echo: echo's limitContent lets it on without counting
// it again.
type admittedKey struct{}

type admission struct{ key *cms.ClientKey }

func admitted(r *http.Request, k *cms.ClientKey) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), admittedKey{}, admission{k}))
}

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// The content API counts what it serves for the usage statistics: reads
// of items, listings (their first page) and menus, searches (their first
// page) with the results they found, and downloads of published files,
// by the kind of client the X-Client header names (app, wechat; anything
// else is other) and the client key presented. Nothing about the reader
// is counted. Counting a read seen before in the same minute allocates
// nothing (cms.UsageCounter).

// headerClient names the kind of client: app or wechat.
const headerClient = "X-Client"

// clientKind reads the kind of client from r.
func clientKind(r *http.Request) cms.ClientKind {
	if v := r.Header[headerClient]; len(v) > 0 {
		return cms.ParseClientKind(v[0])
	}
	return cms.ClientOther
}

// countAnswer counts an answer of a cached route (path is echo's route,
// param its one parameter), served from the cache or built, at now (the
// time the cache was asked at).
func (s *Server) countAnswer(r *http.Request, now time.Time, path, param string, q *publicQuery, e *cachedResponse, key int64) {
	u := s.usage()
	if u == nil {
		return
	}
	switch path {
	case routeItem:
		if id, err := strconv.ParseInt(param, 10, 64); err == nil {
			u.Read(now, cms.ReadItem, clientKind(r), key, id, 0, "")
		}
	case routeList:
		if q.Cursor == "" {
			u.Read(now, cms.ReadColumn, clientKind(r), key, 0, 0, param)
		}
	case routeMenu:
		u.Read(now, cms.ReadMenu, clientKind(r), key, 0, 0, param)
	case routeSearch:
		if q.Cursor == "" {
			u.Search(now, q.Q, e.hits)
		}
	}
}

// countDownload counts a download of a published file: a whole one, or
// the first part of one fetched in ranges.
func (s *Server) countDownload(c echo.Context, itemID, attachmentID int64) {
	r := c.Request()
	if rg := r.Header.Get("Range"); rg != "" && !strings.HasPrefix(rg, "bytes=0-") {
		return
	}
	s.usage().Read(s.svc.Content.Clock.Now(), cms.ReadAttachment, clientKind(r), keyOf(c), itemID, attachmentID, "")
}

// usage is the counter of the statistics; nil when they are off.
func (s *Server) usage() *cms.UsageCounter {
	if s.svc.Reports == nil {
		return nil
	}
	return s.svc.Reports.Counter
}

// keyOf is the id of the client key a request presented (0: none).
func keyOf(c echo.Context) int64 {
	id, _ := c.Get(clientKeyContext).(int64)
	return id
}

// The cached routes whose answers are counted.
const (
	routeItem   = "/content/v1/items/:id"
	routeList   = "/content/v1/columns/:slug/items"
	routeSearch = "/content/v1/search"
	routeMenu   = "/content/v1/channels/:channel/menu"
)

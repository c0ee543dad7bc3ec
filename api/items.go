package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// optional is a JSON value that may be absent, null or set; PATCH needs to
// tell the three apart.
type optional[T any] struct {
	Set   bool
	Value *T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

type contentRequest struct {
	Title      *string          `json:"title"`
	Body       *string          `json:"body"`
	BodyFormat *string          `json:"body_format"`
	Fields     map[string]any   `json:"fields"`
	PublishAt  optional[string] `json:"publish_at"`
	ExpireAt   optional[string] `json:"expire_at"`
}

// content converts the request into cms.Content; a null time clears it.
func (r *contentRequest) content() (cms.Content, error) {
	c := cms.Content{Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Fields: r.Fields}
	var fe cms.FieldErrors
	c.PublishAt = parseOptTime(&fe, "publish_at", r.PublishAt)
	c.ExpireAt = parseOptTime(&fe, "expire_at", r.ExpireAt)
	return c, fe.Err("invalid time")
}

type itemCreateRequest struct {
	Column     string `json:"column"`
	Department string `json:"department"`
	contentRequest
}

type revisionCreateRequest struct {
	Action string `json:"action"`
	contentRequest
}

type itemJSON struct {
	ID             int64      `json:"id"`
	Column         string     `json:"column"`
	Department     string     `json:"department"`
	ContentType    string     `json:"content_type"`
	Title          string     `json:"title"`
	State          cms.State  `json:"state"`
	CreatedBy      int64      `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	HeadRevisionID int64      `json:"head_revision_id"`
	LiveRevisionID *int64     `json:"live_revision_id"`
	PublishedAt    *time.Time `json:"published_at"`
}

func toItemJSON(it *cms.Item) itemJSON {
	j := itemJSON{ID: it.ID, Column: it.Column, Department: it.Department, ContentType: it.ContentType,
		Title: it.Title, State: it.State, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
		HeadRevisionID: it.HeadRevisionID, PublishedAt: timePtr(it.PublishedAt)}
	if it.LiveRevisionID != 0 {
		id := it.LiveRevisionID
		j.LiveRevisionID = &id
	}
	return j
}

type revisionJSON struct {
	ID             int64                    `json:"id"`
	ItemID         int64                    `json:"item_id"`
	Number         int                      `json:"number"`
	Action         string                   `json:"action"`
	State          cms.State                `json:"state"`
	Version        int                      `json:"version"`
	Title          string                   `json:"title"`
	Body           string                   `json:"body"`
	BodyFormat     string                   `json:"body_format"`
	BodyHTML       string                   `json:"body_html"`
	Fields         map[string]any           `json:"fields"`
	PublishAt      *time.Time               `json:"publish_at"`
	ExpireAt       *time.Time               `json:"expire_at"`
	AuthorID       int64                    `json:"author_id"`
	CreatedAt      time.Time                `json:"created_at"`
	UpdatedAt      time.Time                `json:"updated_at"`
	ContentHash    string                   `json:"content_hash"`
	SubmitProblems []fieldProblem           `json:"submit_problems"`
	SubmittedBy    *int64                   `json:"submitted_by"`
	StateSince     time.Time                `json:"state_since"`
	SignoffStep    int                      `json:"signoff_step"`
	ApprovedHash   *string                  `json:"approved_hash"`
	PublishedAt    *time.Time               `json:"published_at"`
	ReleasedBy     *int64                   `json:"released_by"`
	ReleaseAt      *time.Time               `json:"release_at"`
	Attachments    []revisionAttachmentJSON `json:"attachments"`
}

func (s *Server) toRevisionJSON(r *cms.Revision, contentType string) revisionJSON {
	j := revisionJSON{ID: r.ID, ItemID: r.ItemID, Number: r.Number, Action: r.Action, State: r.State,
		Version: r.Version, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat,
		BodyHTML: s.svc.Content.BodyHTML(r), Fields: r.Fields, PublishAt: timePtr(r.PublishAt),
		ExpireAt: timePtr(r.ExpireAt), AuthorID: r.AuthorID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ContentHash: r.ContentHash, SubmitProblems: []fieldProblem{}, StateSince: r.StateSince,
		SignoffStep: r.SignoffStep, PublishedAt: timePtr(r.PublishedAt), ReleaseAt: timePtr(r.ReleaseAt), Attachments: attachmentsJSON(r)}
	if r.ReleasedBy != 0 {
		id := r.ReleasedBy
		j.ReleasedBy = &id
	}
	if r.SubmittedBy != 0 {
		id := r.SubmittedBy
		j.SubmittedBy = &id
	}
	if r.ApprovedHash != "" {
		h := r.ApprovedHash
		j.ApprovedHash = &h
	}
	if j.Fields == nil {
		j.Fields = map[string]any{}
	}
	if ct := cms.LookupContentType(contentType); ct != nil && r.State == cms.StateDraft {
		for _, f := range ct.Missing(r) {
			j.SubmitProblems = append(j.SubmitProblems, fieldProblem{Field: f.Field, Message: f.Message})
		}
	}
	return j
}

// revisionSummary is a revision in an item's list of revisions.
type revisionSummary struct {
	ID        int64     `json:"id"`
	Number    int       `json:"number"`
	Action    string    `json:"action"`
	State     cms.State `json:"state"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	AuthorID  int64     `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toRevisionSummary(r *cms.Revision) revisionSummary {
	return revisionSummary{ID: r.ID, Number: r.Number, Action: r.Action, State: r.State, Version: r.Version,
		Title: r.Title, AuthorID: r.AuthorID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type itemDetailJSON struct {
	itemJSON
	LiveRevision     *revisionJSON     `json:"live_revision"`
	InflightRevision *revisionJSON     `json:"inflight_revision"`
	Revisions        []revisionSummary `json:"revisions"`
}

type itemCreatedJSON struct {
	itemJSON
	Revision revisionJSON `json:"revision"`
}

func (s *Server) handleItemCreate(c echo.Context) error {
	var req itemCreateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	content, err := req.content()
	if err != nil {
		return err
	}
	it, rev, err := s.svc.Items.Create(c.Request().Context(), principal(c),
		cms.NewItem{Column: req.Column, Department: req.Department, Content: content})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/items/"+strconv.FormatInt(it.ID, 10))
	return respond(c, http.StatusCreated, itemCreatedJSON{itemJSON: toItemJSON(it), Revision: s.toRevisionJSON(rev, it.ContentType)})
}

func (s *Server) handleItemList(c echo.Context) error {
	q := c.QueryParams()
	f := cms.ItemFilter{Column: q.Get("column"), Department: q.Get("department"), State: cms.State(q.Get("state")),
		Live: cms.State(q.Get("live")), Query: strings.TrimSpace(q.Get("q"))}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f.Limit = limit
	items, next, err := s.svc.Items.List(c.Request().Context(), principal(c), f, q.Get("cursor"))
	if err != nil {
		return err
	}
	out := make([]itemJSON, len(items))
	for i := range items {
		out[i] = toItemJSON(&items[i])
	}
	return respond(c, http.StatusOK, map[string]any{"items": out, "next_cursor": cursorJSON(next)})
}

func (s *Server) handleItemGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.svc.Items.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := itemDetailJSON{itemJSON: toItemJSON(v.Item), Revisions: make([]revisionSummary, len(v.Revisions))}
	for i := range v.Revisions {
		out.Revisions[i] = toRevisionSummary(&v.Revisions[i])
	}
	if v.Live != nil {
		j := s.toRevisionJSON(v.Live, v.Item.ContentType)
		out.LiveRevision = &j
	}
	if v.Head != nil && v.Head.State.InFlight() {
		j := s.toRevisionJSON(v.Head, v.Item.ContentType)
		out.InflightRevision = &j
	}
	return respond(c, http.StatusOK, out)
}

func (s *Server) handleRevisionCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req revisionCreateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	content, err := req.content()
	if err != nil {
		return err
	}
	rev, it, err := s.svc.Items.NewRevision(c.Request().Context(), principal(c), id, req.Action, content)
	if err != nil {
		return err
	}
	setETag(c, rev.Version)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/revisions/"+strconv.FormatInt(rev.ID, 10))
	return respond(c, http.StatusCreated, s.toRevisionJSON(rev, it.ContentType))
}

func (s *Server) handleRevisionGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rev, it, err := s.svc.Items.Revision(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	setETag(c, rev.Version)
	return respond(c, http.StatusOK, s.toRevisionJSON(rev, it.ContentType))
}

func (s *Server) handleRevisionUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version, err := ifMatchVersion(c)
	if err != nil {
		return err
	}
	var req contentRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	content, err := req.content()
	if err != nil {
		return err
	}
	rev, it, err := s.svc.Items.UpdateDraft(c.Request().Context(), principal(c), id, version, content)
	if err != nil {
		return err
	}
	setETag(c, rev.Version)
	return respond(c, http.StatusOK, s.toRevisionJSON(rev, it.ContentType))
}

func (s *Server) handlePreviewCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tok, exp, err := s.svc.Items.Preview(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, map[string]any{"url": "/content/v1/preview/" + tok, "token": tok, "expires_at": exp})
}

func (s *Server) handlePreviewRevoke(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Items.RevokePreviews(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type renderRequest struct {
	Body       string `json:"body"`
	BodyFormat string `json:"body_format"`
}

// handleRender renders a body being written as clients will show it.
func (s *Server) handleRender(c echo.Context) error {
	var req renderRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	html, err := s.svc.Content.RenderBody(c.Request().Context(), principal(c), req.Body, req.BodyFormat)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]string{"body_html": html})
}

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type transitionRequest struct {
	Event   string `json:"event"`
	Comment string `json:"comment"`
	// PublishAt is the time a release sets (omitted: the revision's own).
	PublishAt string `json:"publish_at"`
}

// handleTransition fires a workflow event. If-Match is optional here: the
// transition itself is a compare-and-set, but a client that sends the
// version it reviewed gets 412 if the revision moved meanwhile.
func (s *Server) handleTransition(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	version := 0
	if c.Request().Header.Get("If-Match") != "" {
		if version, err = ifMatchVersion(c); err != nil {
			return err
		}
	}
	var req transitionRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	var at time.Time
	if req.PublishAt != "" {
		if at, err = time.Parse(time.RFC3339, req.PublishAt); err != nil {
			return cms.Invalid("invalid publish_at", cms.FieldError{Field: "publish_at", Message: "must be an RFC 3339 time such as 2026-01-02T08:00:00Z"})
		}
	}
	rev, it, err := s.svc.Workflow.FireAt(c.Request().Context(), principal(c), id, cms.Event(req.Event), req.Comment, version, at)
	if err != nil {
		return err
	}
	setETag(c, rev.Version)
	return respond(c, http.StatusOK, s.toRevisionJSON(rev, it.ContentType))
}

// handleAllowed lists the events the caller may fire on the revision now,
// decided as the transition itself would decide them.
func (s *Server) handleAllowed(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	events, err := s.svc.Workflow.Allowed(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"revision_id": id, "events": events})
}

type changeJSON struct {
	Field  string `json:"field"`
	Change string `json:"change"`
	Old    any    `json:"old"`
	New    any    `json:"new"`
}

func (s *Server) handleDiff(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var against int64
	if a := c.QueryParam("against"); a != "" {
		if against, err = strconv.ParseInt(a, 10, 64); err != nil || against <= 0 {
			return cms.Invalid("invalid against", cms.FieldError{Field: "against", Message: "must be a revision id"})
		}
	}
	rev, base, changes, err := s.svc.Items.Diff(c.Request().Context(), principal(c), id, against)
	if err != nil {
		return err
	}
	out := struct {
		RevisionID int64        `json:"revision_id"`
		AgainstID  *int64       `json:"against_id"`
		Changes    []changeJSON `json:"changes"`
	}{RevisionID: rev.ID, Changes: make([]changeJSON, len(changes))}
	if base != nil {
		out.AgainstID = &base.ID
	}
	for i, ch := range changes {
		out.Changes[i] = changeJSON{Field: ch.Field, Change: ch.Change, Old: ch.Old, New: ch.New}
	}
	return respond(c, http.StatusOK, out)
}

type actorJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

type transitionJSON struct {
	ID             int64      `json:"id"`
	ItemID         int64      `json:"item_id"`
	RevisionID     int64      `json:"revision_id"`
	RevisionNumber int        `json:"revision_number"`
	Event          cms.Event  `json:"event"`
	From           cms.State  `json:"from"`
	To             cms.State  `json:"to"`
	Actor          *actorJSON `json:"actor"`
	Role           cms.Role   `json:"role"`
	Comment        string     `json:"comment"`
	ContentHash    string     `json:"content_hash"`
	At             time.Time  `json:"at"`
}

func toTransitionsJSON(ts []cms.Transition, users map[int64]*cms.User) []transitionJSON {
	out := make([]transitionJSON, len(ts))
	for i, t := range ts {
		out[i] = transitionJSON{ID: t.ID, ItemID: t.ItemID, RevisionID: t.RevisionID, RevisionNumber: t.RevisionNumber,
			Event: t.Event, From: t.From, To: t.To, Role: t.ActorRole, Comment: t.Comment, ContentHash: t.ContentHash, At: t.At}
		if u := users[t.ActorID]; u != nil {
			out[i].Actor = &actorJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
		}
	}
	return out
}

func (s *Server) handleHistory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ts, users, err := s.svc.Workflow.History(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"item_id": id, "transitions": toTransitionsJSON(ts, users)})
}

func (s *Server) handleDecisions(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	ts, next, users, err := s.svc.Workflow.Decisions(c.Request().Context(), principal(c), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"transitions": toTransitionsJSON(ts, users), "next_cursor": cursorJSON(next)})
}

type queueEntryJSON struct {
	Revision     revisionSummary `json:"revision"`
	Item         itemJSON        `json:"item"`
	State        cms.State       `json:"state"`
	Event        cms.Event       `json:"event"`
	WaitingSince time.Time       `json:"waiting_since"`
	DueAt        *time.Time      `json:"due_at"`
	Overdue      bool            `json:"overdue"`
	NextSigner   *cms.Role       `json:"next_signer"`
}

func (s *Server) handleQueue(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	q, err := s.svc.Workflow.Queue(c.Request().Context(), principal(c), cms.QueueFilter{Stage: cms.State(c.QueryParam("stage")),
		Column: c.QueryParam("column"), Cursor: c.QueryParam("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	out := make([]queueEntryJSON, len(q.Entries))
	for i := range q.Entries {
		e := &q.Entries[i]
		out[i] = queueEntryJSON{Revision: toRevisionSummary(&e.Revision), Item: toItemJSON(&e.Item), State: e.Revision.State,
			Event: e.Event, WaitingSince: e.WaitingSince, DueAt: timePtr(e.DueAt), Overdue: e.Overdue}
		if e.NextSigner != "" {
			r := e.NextSigner
			out[i].NextSigner = &r
		}
	}
	body := map[string]any{"items": out, "next_cursor": cursorJSON(q.Next)}
	if q.Counts != nil {
		counts := map[string]int{}
		for _, st := range []cms.State{cms.StateDeptReview, cms.StateLeadershipSignoff, cms.StateSecrecyReview, cms.StateScheduled} {
			counts[string(st)] = q.Counts[st]
		}
		body["counts"] = counts
	}
	return respond(c, http.StatusOK, body)
}

type signoffChainJSON struct {
	Column string     `json:"column"`
	Chain  []cms.Role `json:"chain"`
}

func (s *Server) handleSignoffChainGet(c echo.Context) error {
	chain, err := s.svc.Workflow.SignoffChain(c.Request().Context(), principal(c), c.Param("slug"))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, signoffChainJSON{Column: c.Param("slug"), Chain: chain})
}

func (s *Server) handleSignoffChainPut(c echo.Context) error {
	var req struct {
		Chain []string `json:"chain"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	chain := make([]cms.Role, len(req.Chain))
	for i, r := range req.Chain {
		chain[i] = cms.Role(strings.TrimSpace(r))
	}
	if err := s.svc.Workflow.SetSignoffChain(c.Request().Context(), principal(c), c.Param("slug"), chain); err != nil {
		return err
	}
	return respond(c, http.StatusOK, signoffChainJSON{Column: c.Param("slug"), Chain: chain})
}

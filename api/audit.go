package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type auditActorJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

type auditEntryJSON struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	ActorID  *int64          `json:"actor_id"`
	Actor    *auditActorJSON `json:"actor"`
	Action   string          `json:"action"`
	Subject  string          `json:"subject"`
	Detail   json.RawMessage `json:"detail"`
	Hash     string          `json:"hash"`
	PrevHash string          `json:"prev_hash"`
	MAC      *string         `json:"mac"`
}

func toAuditEntryJSON(e *cms.AuditEntry, users map[int64]*cms.User) auditEntryJSON {
	j := auditEntryJSON{Seq: e.Seq, At: e.At, ActorID: idPtr(e.ActorID), Action: e.Action, Subject: e.Subject,
		Detail: json.RawMessage(e.Detail), Hash: e.Hash, PrevHash: e.PrevHash}
	if !json.Valid(j.Detail) {
		j.Detail = json.RawMessage("{}")
	}
	if u := users[e.ActorID]; u != nil {
		j.Actor = &auditActorJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
	}
	if e.MAC != "" {
		mac := e.MAC
		j.MAC = &mac
	}
	return j
}

// queryTime reads an RFC 3339 time from the query; "" is no bound.
func queryTime(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, cms.Invalid("invalid "+name, cms.FieldError{Field: name, Message: "must be a time as RFC 3339, e.g. 2026-12-01T00:00:00+08:00"})
	}
	return t, nil
}

func (s *Server) handleAuditList(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	q := cms.AuditQuery{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Subject: c.QueryParam("subject")}
	if q.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if q.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	es, next, users, err := s.svc.Audit.Entries(c.Request().Context(), principal(c), q, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := make([]auditEntryJSON, len(es))
	for i := range es {
		out[i] = toAuditEntryJSON(&es[i], users)
	}
	return respond(c, http.StatusOK, map[string]any{"entries": out, "next_cursor": cursorJSON(next)})
}

type auditProblemJSON struct {
	Seq    int64  `json:"seq"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

type auditAnchorJSON struct {
	Seq   int64     `json:"seq"`
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Where string    `json:"where"`
}

type auditReportJSON struct {
	Intact     bool               `json:"intact"`
	Entries    int64              `json:"entries"`
	MACs       int64              `json:"macs"`
	KeyedFrom  *int64             `json:"keyed_from"`
	Keyed      bool               `json:"keyed"`
	Anchors    int                `json:"anchors"`
	LastAnchor *auditAnchorJSON   `json:"last_anchor"`
	Problems   []auditProblemJSON `json:"problems"`
	Notes      []string           `json:"notes"`
}

func (s *Server) handleAuditVerify(c echo.Context) error {
	r, err := s.svc.Audit.Verify(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := auditReportJSON{Intact: r.Intact(), Entries: r.Entries, MACs: r.MACs, KeyedFrom: idPtr(r.KeyedFrom), Keyed: r.Keyed,
		Anchors: r.Anchors, Problems: make([]auditProblemJSON, len(r.Problems)), Notes: append([]string{}, r.Notes...)}
	for i, p := range r.Problems {
		out.Problems[i] = auditProblemJSON{Seq: p.Seq, Kind: p.Kind, Reason: p.Reason}
	}
	if a := r.LastAnchor; a != nil {
		out.LastAnchor = &auditAnchorJSON{Seq: a.Seq, At: a.At, Kind: a.Kind, Where: a.Where()}
	}
	return respond(c, http.StatusOK, out)
}

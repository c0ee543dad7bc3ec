package api

// Feature requests (第十六条): departments suggest functions of the WeChat
// account and the App, 信息科 collects them, the leaders decide, 信息科
// records them done.

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type featureRequestCreate struct {
	Department  string `json:"department"`
	Channel     string `json:"channel"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type featureCommentRequest struct {
	Comment string `json:"comment"`
}

type featureNoteJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	ActorID   int64     `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Comment   string    `json:"comment"`
	At        time.Time `json:"at"`
}

type featureRequestJSON struct {
	ID              int64             `json:"id"`
	Department      string            `json:"department"`
	Channel         string            `json:"channel"`
	Title           string            `json:"title"`
	Description     string            `json:"description"`
	State           string            `json:"state"`
	SubmittedBy     int64             `json:"submitted_by"`
	SubmittedByName string            `json:"submitted_by_name"`
	SubmittedAt     time.Time         `json:"submitted_at"`
	DecidedBy       *int64            `json:"decided_by"`
	DecidedAt       *time.Time        `json:"decided_at"`
	DoneBy          *int64            `json:"done_by"`
	DoneAt          *time.Time        `json:"done_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	History         []featureNoteJSON `json:"history,omitempty"`
}

func toFeatureRequestJSON(r *cms.FeatureRequest, history bool) featureRequestJSON {
	j := featureRequestJSON{ID: r.ID, Department: r.Department, Channel: r.Channel, Title: r.Title,
		Description: r.Description, State: r.State, SubmittedBy: r.SubmittedBy, SubmittedByName: r.SubmittedByName,
		SubmittedAt: r.SubmittedAt, DecidedBy: idPtr(r.DecidedBy), DecidedAt: timePtr(r.DecidedAt),
		DoneBy: idPtr(r.DoneBy), DoneAt: timePtr(r.DoneAt), UpdatedAt: r.UpdatedAt}
	if history {
		j.History = make([]featureNoteJSON, len(r.History))
		for i, n := range r.History {
			j.History[i] = featureNoteJSON{ID: n.ID, Kind: n.Kind, ActorID: n.ActorID, ActorName: n.ActorName,
				Comment: n.Comment, At: n.At}
		}
	}
	return j
}

func (s *Server) handleFeatureRequestCreate(c echo.Context) error {
	var req featureRequestCreate
	if err := decode(c, &req); err != nil {
		return err
	}
	r, err := s.svc.FeatureRequests.Submit(c.Request().Context(), principal(c), cms.FeatureRequest{
		Department: req.Department, Channel: req.Channel, Title: req.Title, Description: req.Description})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, toFeatureRequestJSON(r, true))
}

func (s *Server) handleFeatureRequestList(c echo.Context) error {
	rs, err := s.svc.FeatureRequests.Requests(c.Request().Context(), principal(c),
		cms.FeatureFilter{State: c.QueryParam("state"), Department: c.QueryParam("department")})
	if err != nil {
		return err
	}
	out := make([]featureRequestJSON, len(rs))
	for i := range rs {
		out[i] = toFeatureRequestJSON(&rs[i], false)
	}
	return respond(c, http.StatusOK, map[string]any{"requests": out})
}

func (s *Server) handleFeatureRequestGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.svc.FeatureRequests.Request(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toFeatureRequestJSON(r, true))
}

func (s *Server) handleFeatureRequestComment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req featureCommentRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	r, err := s.svc.FeatureRequests.Comment(c.Request().Context(), principal(c), id, req.Comment)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, toFeatureRequestJSON(r, true))
}

func (s *Server) handleFeatureRequestDecision(c echo.Context) error {
	id, approve, comment, err := decodeDecision(c) // the maintenance windows' shape
	if err != nil {
		return err
	}
	r, err := s.svc.FeatureRequests.Decide(c.Request().Context(), principal(c), id, approve, comment)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toFeatureRequestJSON(r, true))
}

func (s *Server) handleFeatureRequestDone(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req featureCommentRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	r, err := s.svc.FeatureRequests.Done(c.Request().Context(), principal(c), id, req.Comment)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toFeatureRequestJSON(r, true))
}

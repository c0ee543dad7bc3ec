package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type patrolProblemJSON struct {
	ItemID     *int64 `json:"item_id"`
	RevisionID *int64 `json:"revision_id"`
	Subject    string `json:"subject"`
	Kind       string `json:"kind"`
	Detail     string `json:"detail"`
	Suspended  bool   `json:"suspended"`
}

type patrolJSON struct {
	ID            int64               `json:"id"`
	StartedAt     time.Time           `json:"started_at"`
	FinishedAt    time.Time           `json:"finished_at"`
	Scheduled     bool                `json:"scheduled"`
	Trigger       string              `json:"trigger"`
	Revisions     int                 `json:"revisions"`
	Attachments   int                 `json:"attachments"`
	PublicRows    int                 `json:"public_rows"`
	StructureRows int                 `json:"structure_rows"`
	Problems      []patrolProblemJSON `json:"problems"`
}

func toPatrolJSON(r *cms.PatrolReport) patrolJSON {
	j := patrolJSON{ID: r.ID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Scheduled: r.ActorID == 0, Trigger: r.Trigger,
		Revisions: r.Revisions, Attachments: r.Attachments, PublicRows: r.PublicRows, StructureRows: r.Structure,
		Problems: make([]patrolProblemJSON, len(r.Problems))}
	for i, p := range r.Problems {
		j.Problems[i] = patrolProblemJSON{ItemID: idPtr(p.ItemID), RevisionID: idPtr(p.RevisionID), Subject: p.Subject,
			Kind: p.Kind, Detail: p.Detail, Suspended: p.Suspended}
	}
	return j
}

// idPtr is nil for 0, so that a problem about no item says so.
func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (s *Server) handlePatrolRun(c echo.Context) error {
	r, err := s.svc.Patrol.Run(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, toPatrolJSON(r))
}

func (s *Server) handlePatrolList(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	reports, err := s.svc.Patrol.Reports(c.Request().Context(), principal(c), limit)
	if err != nil {
		return err
	}
	out := make([]patrolJSON, len(reports))
	for i := range reports {
		out[i] = toPatrolJSON(&reports[i])
	}
	return respond(c, http.StatusOK, map[string]any{"patrols": out})
}

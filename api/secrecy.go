package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type acknowledgementJSON struct {
	By     int64     `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

type findingJSON struct {
	ID           int64                `json:"id"`
	Kind         string               `json:"kind"`
	Field        string               `json:"field"`
	Excerpt      string               `json:"excerpt"`
	Severity     string               `json:"severity"`
	Offset       int                  `json:"offset"`
	Length       int                  `json:"length"`
	Rendered     bool                 `json:"rendered"`
	FoundAt      time.Time            `json:"found_at"`
	Rescan       bool                 `json:"rescan"`
	Acknowledged *acknowledgementJSON `json:"acknowledged"`
}

func toFindingJSON(f *cms.FindingRecord) findingJSON {
	j := findingJSON{ID: f.ID, Kind: f.Kind, Field: f.Field, Excerpt: f.Excerpt, Severity: f.Severity, Offset: f.Offset,
		Length: f.Length, Rendered: f.Rendered, FoundAt: f.FoundAt, Rescan: f.Rescan}
	if f.AcknowledgedBy != 0 {
		j.Acknowledged = &acknowledgementJSON{By: f.AcknowledgedBy, Reason: f.AckReason, At: f.AcknowledgedAt}
	}
	return j
}

func (s *Server) handleFindings(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	fs, err := s.svc.Secrecy.Findings(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	out := make([]findingJSON, len(fs))
	open := 0
	for i := range fs {
		out[i] = toFindingJSON(&fs[i])
		if fs[i].Open() {
			open++
		}
	}
	return respond(c, http.StatusOK, map[string]any{"revision_id": id, "findings": out, "open": open})
}

type releasedFindingJSON struct {
	RevisionID int64       `json:"revision_id"`
	ItemID     int64       `json:"item_id"`
	Column     string      `json:"column"`
	Department string      `json:"department"`
	State      cms.State   `json:"state"`
	Title      string      `json:"title"`
	Finding    findingJSON `json:"finding"`
}

func (s *Server) handleReleasedFindings(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	var open bool
	switch c.QueryParam("open") {
	case "", "false":
	case "true":
		open = true
	default:
		return cms.Invalid("invalid open", cms.FieldError{Field: "open", Message: "must be true or false"})
	}
	fs, next, err := s.svc.Secrecy.ReleasedFindings(c.Request().Context(), principal(c), open, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := make([]releasedFindingJSON, len(fs))
	for i := range fs {
		f := &fs[i]
		out[i] = releasedFindingJSON{RevisionID: f.RevisionID, ItemID: f.ItemID, Column: f.Column, Department: f.Department,
			State: f.State, Title: f.Title, Finding: toFindingJSON(&f.FindingRecord)}
	}
	return respond(c, http.StatusOK, map[string]any{"findings": out, "next_cursor": cursorJSON(next)})
}

func (s *Server) handleFindingAck(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	fid, err := pathID(c, "fid")
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	f, err := s.svc.Secrecy.Acknowledge(c.Request().Context(), principal(c), id, fid, req.Reason)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toFindingJSON(f))
}

type sensitiveWordJSON struct {
	Word     string `json:"word"`
	Severity string `json:"severity"`
}

func wordsJSON(ws []cms.SensitiveWord) []sensitiveWordJSON {
	out := make([]sensitiveWordJSON, len(ws))
	for i, w := range ws {
		out[i] = sensitiveWordJSON{Word: w.Word, Severity: w.Severity}
	}
	return out
}

func (s *Server) handleSensitiveWords(c echo.Context) error {
	ws, err := s.svc.Secrecy.SensitiveWords(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"words": wordsJSON(ws)})
}

func (s *Server) handleSensitiveWordsPut(c echo.Context) error {
	var req struct {
		Words []sensitiveWordJSON `json:"words"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	in := make([]cms.SensitiveWord, len(req.Words))
	for i, w := range req.Words {
		in[i] = cms.SensitiveWord{Word: w.Word, Severity: w.Severity}
	}
	ws, err := s.svc.Secrecy.SetSensitiveWords(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"words": wordsJSON(ws)})
}

package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// The reports (运营分析): JSON, or one of their tables as CSV when asked
// for with Accept: text/csv or format=csv (table= picks which; the first
// by default), written by cms.WriteCSV.

// wantsCSV reports whether the caller asked for CSV.
func wantsCSV(c echo.Context) (bool, error) {
	switch c.QueryParam("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
		accept := c.Request().Header.Get(echo.HeaderAccept)
		return strings.Contains(accept, "text/csv") && !strings.Contains(accept, "application/json"), nil
	}
	return false, cms.Invalid("invalid format", cms.FieldError{Field: "format", Message: "must be json or csv"})
}

// writeCSV answers with the table the table parameter names (the first
// of names when absent).
func writeCSV(c echo.Context, report string, p cms.Period, names []string, table func(string) (cms.ReportTable, bool)) error {
	pick := c.QueryParam("table")
	if pick == "" {
		pick = names[0]
	}
	t, ok := table(pick)
	if !ok {
		return cms.Invalid("invalid table", cms.FieldError{Field: "table", Message: "must be one of " + strings.Join(names, ", ")})
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+report+"-"+p.From.String()+"-"+p.To.String()+"-"+pick+`.csv"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	return cms.WriteCSV(c.Response(), t)
}

type periodJSON struct {
	From        string    `json:"from"`
	To          string    `json:"to"`
	Departments []string  `json:"departments"`
	GeneratedAt time.Time `json:"generated_at"`
}

func toPeriodJSON(p cms.Period) periodJSON {
	return periodJSON{From: p.From.String(), To: p.To.String(), Departments: p.Departments, GeneratedAt: p.At}
}

func (s *Server) handleUsageReport(c echo.Context) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	r, err := s.svc.Reports.Usage(c.Request().Context(), principal(c), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	if asCSV {
		return writeCSV(c, "usage", r.Period, cms.UsageTables, r.Table)
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return respond(c, http.StatusOK, toUsageJSON(r))
}

func (s *Server) handleWorkflowReport(c echo.Context) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	r, err := s.svc.Reports.Workflow(c.Request().Context(), principal(c), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	if asCSV {
		return writeCSV(c, "workflow", r.Period, cms.WorkflowTables, r.Table)
	}
	depts, err := s.svc.Structure.Departments(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return respond(c, http.StatusOK, toWorkflowJSON(r, depts))
}

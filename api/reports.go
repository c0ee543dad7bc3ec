package api

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// The reports (运营分析): JSON, or one of their tables as CSV when asked
// for with Accept: text/csv or format=csv (table= picks which; the first
// by default). CSV starts with a UTF-8 byte order mark, so that
// spreadsheet programs read the Chinese titles right.

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

// table is one table of a report as CSV: its header and rows.
type table struct {
	header []string
	rows   [][]string
}

// writeCSV answers with the table the table parameter names among
// tables (the first when absent).
func writeCSV(c echo.Context, name string, p cms.Period, order []string, tables map[string]func() table) error {
	pick := c.QueryParam("table")
	if pick == "" {
		pick = order[0]
	}
	build, ok := tables[pick]
	if !ok {
		return cms.Invalid("invalid table", cms.FieldError{Field: "table", Message: "must be one of " + strings.Join(order, ", ")})
	}
	t := build()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+"-"+p.From.String()+"-"+p.To.String()+"-"+pick+`.csv"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	c.Response().Write([]byte("\ufeff"))
	w := csv.NewWriter(c.Response())
	w.Write(t.header)
	for _, row := range t.rows {
		for i, cell := range row {
			row[i] = inert(cell)
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// inert keeps a cell from being read as a formula by a spreadsheet
// program (search terms are what anyone typed): a cell that starts with
// =, +, -, @ or a tab or carriage return gets a leading apostrophe.
func inert(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
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
		return writeCSV(c, "usage", r.Period, usageTableOrder, usageTables(r))
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
		return writeCSV(c, "workflow", r.Period, workflowTableOrder, workflowTables(r))
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return respond(c, http.StatusOK, toWorkflowJSON(r))
}

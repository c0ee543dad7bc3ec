package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type departmentJSON struct {
	Slug     string  `json:"slug"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	MemberOf *string `json:"member_of"`
	// Contacts are the department's 专人 (第六条).
	Contacts []contactJSON `json:"contacts"`
}

func (s *Server) handleDepartments(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	depts, err := s.svc.Structure.Departments(ctx, p)
	if err != nil {
		return err
	}
	contacts, err := s.svc.Structure.AllContacts(ctx, p)
	if err != nil {
		return err
	}
	out := make([]departmentJSON, len(depts))
	for i, d := range depts {
		out[i] = departmentJSON{Slug: d.Slug, Name: d.Name, Kind: d.Kind, Contacts: contactsJSON(contacts[d.Slug], depts)}
		if d.MemberOf != "" {
			out[i].MemberOf = &d.MemberOf
		}
	}
	return respond(c, http.StatusOK, map[string]any{"departments": out})
}

type channelJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func (s *Server) handleChannels(c echo.Context) error {
	chans, err := s.svc.Structure.Channels(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]channelJSON, len(chans))
	for i, ch := range chans {
		out[i] = channelJSON{Slug: ch.Slug, Name: ch.Name}
	}
	return respond(c, http.StatusOK, map[string]any{"channels": out})
}

type menuEntryJSON struct {
	ID       int64           `json:"id"`
	Slug     string          `json:"slug"`
	Title    string          `json:"title"`
	Path     string          `json:"path"`
	Kind     string          `json:"kind"` // "group" or the column's kind
	Column   *string         `json:"column"`
	Enabled  bool            `json:"enabled"`
	Children []menuEntryJSON `json:"children"`
}

func (s *Server) handleMenu(c echo.Context) error {
	ctx := c.Request().Context()
	roots, err := s.svc.Structure.Menu(ctx, principal(c), c.Param("channel"))
	if err != nil {
		return err
	}
	cols, err := s.svc.Structure.Columns(ctx, principal(c))
	if err != nil {
		return err
	}
	kinds := make(map[string]string, len(cols))
	for _, col := range cols {
		kinds[col.Slug] = col.Kind
	}
	return respond(c, http.StatusOK, map[string]any{"channel": c.Param("channel"), "entries": menuJSON(roots, kinds)})
}

func menuJSON(entries []*cms.MenuEntry, kinds map[string]string) []menuEntryJSON {
	out := make([]menuEntryJSON, len(entries))
	for i, e := range entries {
		j := menuEntryJSON{ID: e.ID, Slug: e.Slug, Title: e.Title, Path: e.Path, Kind: "group", Enabled: e.Enabled,
			Children: menuJSON(e.Children, kinds)}
		if e.Column != "" {
			col := e.Column
			j.Column, j.Kind = &col, kinds[col]
		}
		out[i] = j
	}
	return out
}

type columnJSON struct {
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Kind           string   `json:"kind"`
	ContentType    *string  `json:"content_type"`
	Description    string   `json:"description"`
	Owners         []string `json:"owners"`
	DeclaredOwners []string `json:"declared_owners"`
}

func toColumnJSON(col *cms.Column) columnJSON {
	j := columnJSON{Slug: col.Slug, Title: col.Title, Kind: col.Kind, Description: col.Description,
		Owners: col.Owners, DeclaredOwners: col.DeclaredOwners}
	if col.ContentType != "" {
		ct := col.ContentType
		j.ContentType = &ct
	}
	if j.Owners == nil {
		j.Owners = []string{}
	}
	return j
}

func (s *Server) handleColumns(c echo.Context) error {
	cols, err := s.svc.Structure.Columns(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]columnJSON, len(cols))
	for i := range cols {
		out[i] = toColumnJSON(&cols[i])
	}
	return respond(c, http.StatusOK, map[string]any{"columns": out})
}

func (s *Server) handleColumn(c echo.Context) error {
	col, err := s.svc.Structure.Column(c.Request().Context(), principal(c), c.Param("slug"))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toColumnJSON(col))
}

type fieldSpecJSON struct {
	Name     string          `json:"name"`
	Label    string          `json:"label"`
	Kind     cms.FieldKind   `json:"kind"`
	Required bool            `json:"required"`
	Options  []string        `json:"options,omitempty"`
	Fields   []fieldSpecJSON `json:"fields,omitempty"`
}

type contentTypeJSON struct {
	Name         string          `json:"name"`
	Label        string          `json:"label"`
	BodyRequired bool            `json:"body_required"`
	Fields       []fieldSpecJSON `json:"fields"`
}

func fieldSpecsJSON(specs []cms.FieldSpec) []fieldSpecJSON {
	out := make([]fieldSpecJSON, len(specs))
	for i, f := range specs {
		out[i] = fieldSpecJSON{Name: f.Name, Label: f.Label, Kind: f.Kind, Required: f.Required, Options: f.Options}
		if len(f.Fields) > 0 {
			out[i].Fields = fieldSpecsJSON(f.Fields)
		}
	}
	return out
}

// handleContentTypes describes the typed fields of every content type, so
// that editing clients can build their forms from data.
func (s *Server) handleContentTypes(c echo.Context) error {
	cts, err := s.svc.Structure.ContentTypes(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	var out []contentTypeJSON
	for _, ct := range cts {
		out = append(out, contentTypeJSON{Name: ct.Name, Label: ct.Label, BodyRequired: ct.BodyRequired,
			Fields: fieldSpecsJSON(ct.Fields)})
	}
	return respond(c, http.StatusOK, map[string]any{"content_types": out})
}

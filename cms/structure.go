package cms

import (
	"time"
)

// Department kinds as the annexes name them.
const (
	DeptSection         = "section"          // 科室
	DeptManagementGroup = "management_group" // 管理部 as a group
	DeptManagement      = "management"       // one county management department
)

// Owner specs with a special meaning in the annexes.
const (
	OwnerAllSections = "ALL_SECTIONS" // 各科室: every section of the centre
)

// Department is a section (科室) or management department (管理部) of the centre.
type Department struct {
	Slug     string
	Name     string
	Kind     string
	MemberOf string // the group a management department belongs to, or ""
	Position int
}

// Channel is a client channel with its own menu: the WeChat official account or the App.
type Channel struct {
	Slug     string
	Name     string
	Position int
	// Maintenance announces a suspension of the channel's service (seed rule
	// 第十五条: announced in advance); zero when none is planned.
	Maintenance Maintenance
	// MAC seals the channel's settings (Keys.SealChannel).
	MAC string
}

// Maintenance is a planned or current suspension of a channel.
type Maintenance struct {
	Notice   string
	StartsAt time.Time
	EndsAt   time.Time // zero: until further notice
}

// Planned reports whether a maintenance window is announced.
func (m Maintenance) Planned() bool { return m.Notice != "" }

// Active reports whether the channel is in maintenance at now.
func (m Maintenance) Active(now time.Time) bool {
	return m.Planned() && !now.Before(m.StartsAt) && (m.EndsAt.IsZero() || now.Before(m.EndsAt))
}

// Column kinds.
const (
	ColumnContent  = "content"  // items are authored here and climb the workflow
	ColumnFunction = "function" // backed by the business system; only the menu entry is managed
	ColumnTool     = "tool"     // a served tool whose parameters are content (loan calculator)
	ColumnApp      = "app"      // a client-side function
)

// Column is a leaf of a channel menu (栏目). One column may appear in both menus.
type Column struct {
	Slug        string
	Title       string
	Kind        string
	ContentType string // for content and tool columns, the type of their items
	Description string
	// DeclaredOwners are the owners exactly as the annex lists them
	// (department slugs, ALL_SECTIONS).
	DeclaredOwners []string
	// Owners are the departments that may author here: the declared owners
	// with ALL_SECTIONS expanded to every section and a management group to
	// itself and its members.
	Owners   []string
	Position int
	// MAC seals what the annexes declare of the column (Keys.SealColumn).
	MAC string
}

// Authored reports whether items are authored in the column (content and tool columns).
func (c *Column) Authored() bool {
	return c.ContentType != "" && (c.Kind == ColumnContent || c.Kind == ColumnTool)
}

// OwnedBy reports whether dept may author in the column.
func (c *Column) OwnedBy(dept string) bool {
	for _, o := range c.Owners {
		if o == dept {
			return true
		}
	}
	return false
}

// MenuEntry is a node of a channel menu: a group with children or a leaf
// that shows a column.
type MenuEntry struct {
	ID       int64
	Channel  string
	ParentID int64
	Slug     string
	Title    string
	Path     string // slugs from the root joined by "/", unique per channel
	Column   string // the column a leaf shows, "" for a group
	Enabled  bool
	Position int
	Children []*MenuEntry
	// MAC seals the entry (Keys.SealMenuEntry).
	MAC string
}

// ExpandOwners turns the owners an annex declares into the departments that
// may author: ALL_SECTIONS becomes every section, and a management group
// brings its members.
func ExpandOwners(declared []string, depts []Department) []string {
	seen := map[string]bool{}
	var out []string
	add := func(slug string) {
		if !seen[slug] {
			seen[slug] = true
			out = append(out, slug)
		}
	}
	for _, d := range declared {
		if d == OwnerAllSections {
			for _, dep := range depts {
				if dep.Kind == DeptSection {
					add(dep.Slug)
				}
			}
			continue
		}
		add(d)
		for _, dep := range depts {
			if dep.MemberOf == d {
				add(dep.Slug)
			}
		}
	}
	return out
}

// BuildMenuTree links flat entries (parents before children) into a tree
// and returns its roots.
func BuildMenuTree(entries []MenuEntry) []*MenuEntry {
	byID := make(map[int64]*MenuEntry, len(entries))
	var roots []*MenuEntry
	for i := range entries {
		e := &entries[i]
		e.Children = nil
		byID[e.ID] = e
	}
	for i := range entries {
		e := &entries[i]
		if p, ok := byID[e.ParentID]; ok && e.ParentID != 0 {
			p.Children = append(p.Children, e)
		} else {
			roots = append(roots, e)
		}
	}
	return roots
}

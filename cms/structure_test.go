package cms_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// annexDepartments are the departments of the annexes
// (storage/seed/annex-columns.yaml).
var annexDepartments = []cms.Department{
	{Slug: "office", Name: "办公室", Kind: cms.DeptSection, Position: 1},
	{Slug: "collection", Name: "归集科", Kind: cms.DeptSection, Position: 2},
	{Slug: "finance", Name: "计划财务科", Kind: cms.DeptSection, Position: 3},
	{Slug: "licensing", Name: "行政许可科", Kind: cms.DeptSection, Position: 4},
	{Slug: "information", Name: "信息科", Kind: cms.DeptSection, Position: 5},
	{Slug: "branches", Name: "管理部", Kind: cms.DeptManagementGroup, Position: 6},
	{Slug: "zongyang", Name: "枞阳管理部", Kind: cms.DeptManagement, MemberOf: "branches", Position: 7},
}

// TestExpandOwners checks how declared owners become authoring departments.
func TestExpandOwners(t *testing.T) {
	t.Parallel()
	sections := []string{"office", "collection", "finance", "licensing", "information"}
	tests := []struct {
		name     string
		declared []string
		want     []string
	}{
		{"all sections", []string{cms.OwnerAllSections}, sections},
		{"section and management group", []string{"collection", "branches"}, []string{"collection", "branches", "zongyang"}},
		{"section and one management department", []string{"licensing", "zongyang"}, []string{"licensing", "zongyang"}},
		{"management group alone", []string{"branches"}, []string{"branches", "zongyang"}},
		{"group and its member", []string{"branches", "zongyang"}, []string{"branches", "zongyang"}},
		{"member before its group", []string{"zongyang", "branches"}, []string{"zongyang", "branches"}},
		{"all sections and a section", []string{"office", cms.OwnerAllSections}, sections},
		{"all sections twice", []string{cms.OwnerAllSections, cms.OwnerAllSections}, sections},
		{"all sections and the group", []string{cms.OwnerAllSections, "branches"},
			append(slices.Clone(sections), "branches", "zongyang")},
		{"repeated section", []string{"finance", "finance"}, []string{"finance"}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := cms.ExpandOwners(tt.declared, annexDepartments)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpandOwners(%q) = %q, want %q", tt.declared, got, tt.want)
			}
			seen := map[string]bool{}
			for _, d := range got {
				if seen[d] {
					t.Errorf("ExpandOwners(%q) repeats %q", tt.declared, d)
				}
				seen[d] = true
			}
		})
	}
}

// TestColumn checks the ownership and authoring helpers of a column.
func TestColumn(t *testing.T) {
	t.Parallel()
	c := cms.Column{Slug: "guides-deposit", Kind: cms.ColumnContent, ContentType: cms.TypeGuide,
		Owners: cms.ExpandOwners([]string{"collection", "branches"}, annexDepartments)}
	for dept, want := range map[string]bool{"collection": true, "branches": true, "zongyang": true, "licensing": false, "": false} {
		if got := c.OwnedBy(dept); got != want {
			t.Errorf("OwnedBy(%q) = %v, want %v", dept, got, want)
		}
	}
	tests := []struct {
		col  cms.Column
		want bool
	}{
		{cms.Column{Kind: cms.ColumnContent, ContentType: cms.TypeGuide}, true},
		{cms.Column{Kind: cms.ColumnTool, ContentType: cms.TypeCalculator}, true},
		{cms.Column{Kind: cms.ColumnFunction}, false},
		{cms.Column{Kind: cms.ColumnApp}, false},
		{cms.Column{Kind: cms.ColumnContent}, false},
	}
	for _, tt := range tests {
		if got := tt.col.Authored(); got != tt.want {
			t.Errorf("%+v.Authored() = %v, want %v", tt.col, got, tt.want)
		}
	}
}

// menuShape renders a tree as nested slugs, e.g. "a(b c(d)) e".
func menuShape(entries []*cms.MenuEntry) string {
	s := ""
	for i, e := range entries {
		if i > 0 {
			s += " "
		}
		s += e.Slug
		if len(e.Children) > 0 {
			s += "(" + menuShape(e.Children) + ")"
		}
	}
	return s
}

// TestBuildMenuTree checks that flat entries become a tree with children in
// their given order.
func TestBuildMenuTree(t *testing.T) {
	t.Parallel()
	stale := []*cms.MenuEntry{{ID: 99, Slug: "stale"}}
	tests := []struct {
		name    string
		entries []cms.MenuEntry
		want    string
	}{
		{"empty", nil, ""},
		{"roots only", []cms.MenuEntry{{ID: 1, Slug: "a"}, {ID: 2, Slug: "b"}}, "a b"},
		{"children in order", []cms.MenuEntry{
			{ID: 1, Slug: "services"},
			{ID: 2, ParentID: 1, Slug: "guides"},
			{ID: 3, ParentID: 2, Slug: "guides-deposit"},
			{ID: 4, ParentID: 2, Slug: "guides-loan"},
			{ID: 5, ParentID: 1, Slug: "policies"},
			{ID: 6, Slug: "my-account"},
			{ID: 7, ParentID: 6, Slug: "balance"},
			{ID: 8, ParentID: 2, Slug: "guides-withdrawal"},
		}, "services(guides(guides-deposit guides-loan guides-withdrawal) policies) my-account(balance)"},
		{"stale children replaced", []cms.MenuEntry{{ID: 1, Slug: "a", Children: stale}, {ID: 2, ParentID: 1, Slug: "b"}}, "a(b)"},
		{"orphan becomes a root", []cms.MenuEntry{{ID: 1, Slug: "a"}, {ID: 2, ParentID: 42, Slug: "orphan"}}, "a orphan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			roots := cms.BuildMenuTree(tt.entries)
			if got := menuShape(roots); got != tt.want {
				t.Errorf("tree = %q, want %q", got, tt.want)
			}
			for _, r := range roots {
				if r.ParentID != 0 && r.Slug != "orphan" {
					t.Errorf("root %s has parent %d", r.Slug, r.ParentID)
				}
			}
		})
	}
}

// TestErrors checks the error vocabulary: errors.Is by code and ErrorCode.
func TestErrors(t *testing.T) {
	t.Parallel()
	notFound := cms.Errorf(cms.ENOTFOUND, "item %d not found", 7)
	tests := []struct {
		name   string
		err    error
		target error
		is     bool
		code   string
	}{
		{"same code", notFound, cms.ErrNotFound, true, cms.ENOTFOUND},
		{"other code", notFound, cms.ErrConflict, false, cms.ENOTFOUND},
		{"wrapped", fmt.Errorf("loading: %w", notFound), cms.ErrNotFound, true, cms.ENOTFOUND},
		{"conflict", cms.Errorf(cms.ECONFLICT, "taken"), cms.ErrConflict, true, cms.ECONFLICT},
		{"validation", cms.Invalid("bad", cms.FieldError{Field: "title", Message: "is required"}), cms.ErrInvalid, true, cms.EINVALID},
		{"forbidden is not unauthorized", cms.Errorf(cms.EFORBIDDEN, "no"), cms.ErrUnauthorized, false, cms.EFORBIDDEN},
		{"plain error", errors.New("disk full"), cms.ErrNotFound, false, cms.EINTERNAL},
		{"wrapped plain error", fmt.Errorf("x: %w", errors.New("disk full")), cms.ErrConflict, false, cms.EINTERNAL},
		{"nil", nil, cms.ErrNotFound, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errors.Is(tt.err, tt.target); got != tt.is {
				t.Errorf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.is)
			}
			if got := cms.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
			}
		})
	}
}

// TestErrorMessage checks what Error() says with and without field errors.
func TestErrorMessage(t *testing.T) {
	t.Parallel()
	if got, want := cms.Errorf(cms.ENOTFOUND, "item %d not found", 7).Error(), "not_found: item 7 not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err := cms.Invalid("invalid item", cms.FieldError{Field: "title"}, cms.FieldError{Field: "body"})
	if got, want := err.Error(), "validation_failed: invalid item (2 invalid fields)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

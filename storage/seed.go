package storage

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"gopkg.in/yaml.v3"

	"github.com/tlhpf/cms/cms"
)

// annexYAML is the project's transcription of the regulation's annexes:
// departments, both channel menus and every column with its owners.
//
//go:embed seed/annex-columns.yaml
var annexYAML []byte

type annexFile struct {
	Departments []struct {
		Slug     string `yaml:"slug"`
		Name     string `yaml:"name"`
		Kind     string `yaml:"kind"`
		MemberOf string `yaml:"member_of"`
	} `yaml:"departments"`
	Channels []struct {
		Slug string       `yaml:"slug"`
		Name string       `yaml:"name"`
		Menu []annexEntry `yaml:"menu"`
	} `yaml:"channels"`
}

type annexEntry struct {
	Slug     string       `yaml:"slug"`
	Title    string       `yaml:"title"`
	Kind     string       `yaml:"kind"`
	Type     string       `yaml:"type"`
	Desc     string       `yaml:"desc"`
	Owners   []string     `yaml:"owners"`
	Children []annexEntry `yaml:"children"`
}

// SeedSummary counts what the seed holds.
type SeedSummary struct {
	Departments, Channels, MenuEntries, Columns int
}

// Seed creates or updates the departments, channels, menus and columns of
// the annexes. It is idempotent: running it again changes nothing that an
// operator set (a menu entry's title and whether it is enabled) and adds
// what is new. New rows carry no MAC: the application seals them at start
// (cms.IntegrityService.SealStructure), as it reseals rows an annex change
// brought in line with the annexes.
func (db *DB) Seed(ctx context.Context) (SeedSummary, error) {
	var f annexFile
	if err := yaml.Unmarshal(annexYAML, &f); err != nil {
		return SeedSummary{}, fmt.Errorf("storage: parse annex fixture: %w", err)
	}
	var sum SeedSummary
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		depts, err := seedDepartments(ctx, tx, &f)
		if err != nil {
			return err
		}
		sum.Departments = len(depts)
		if sum.Columns, err = seedColumns(ctx, tx, &f, depts); err != nil {
			return err
		}
		for i, ch := range f.Channels {
			row := channelRow{Slug: ch.Slug, Name: ch.Name, Position: i}
			if _, err := tx.NewInsert().Model(&row).On("CONFLICT (slug) DO UPDATE").
				Set("name = EXCLUDED.name, position = EXCLUDED.position").Exec(ctx); err != nil {
				return err
			}
			n, err := seedMenu(ctx, tx, ch.Slug, 0, "", ch.Menu)
			if err != nil {
				return err
			}
			sum.MenuEntries += n
		}
		sum.Channels = len(f.Channels)
		return bumpPolicyVersion(ctx, tx)
	})
	return sum, err
}

func seedDepartments(ctx context.Context, tx bun.Tx, f *annexFile) ([]cms.Department, error) {
	var depts []cms.Department
	for i, d := range f.Departments {
		row := departmentRow{Slug: d.Slug, Name: d.Name, Kind: d.Kind, MemberOf: d.MemberOf, Position: i}
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT (slug) DO UPDATE").
			Set("name = EXCLUDED.name, kind = EXCLUDED.kind, member_of = EXCLUDED.member_of, position = EXCLUDED.position").
			Exec(ctx); err != nil {
			return nil, err
		}
		depts = append(depts, row.domain())
	}
	return depts, nil
}

// seedColumns stores every leaf column once, in order of first appearance,
// with the title it has in the first menu that lists it.
func seedColumns(ctx context.Context, tx bun.Tx, f *annexFile, depts []cms.Department) (int, error) {
	seen := map[string]bool{}
	n := 0
	var walk func(entries []annexEntry) error
	walk = func(entries []annexEntry) error {
		for _, e := range entries {
			if len(e.Children) > 0 {
				if err := walk(e.Children); err != nil {
					return err
				}
				continue
			}
			if seen[e.Slug] {
				continue
			}
			seen[e.Slug] = true
			if err := upsertColumn(ctx, tx, e, n, depts); err != nil {
				return err
			}
			n++
		}
		return nil
	}
	for _, ch := range f.Channels {
		if err := walk(ch.Menu); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func upsertColumn(ctx context.Context, tx bun.Tx, e annexEntry, pos int, depts []cms.Department) error {
	declared, _ := json.Marshal(e.Owners)
	row := columnRow{Slug: e.Slug, Title: e.Title, Kind: e.Kind, ContentType: e.Type, Description: e.Desc,
		DeclaredOwners: string(declared), Position: pos}
	if _, err := tx.NewInsert().Model(&row).On("CONFLICT (slug) DO UPDATE").
		Set("title = EXCLUDED.title, kind = EXCLUDED.kind, content_type = EXCLUDED.content_type").
		Set("description = EXCLUDED.description, declared_owners = EXCLUDED.declared_owners, position = EXCLUDED.position").
		Exec(ctx); err != nil {
		return fmt.Errorf("seed column %s: %w", e.Slug, err)
	}
	if _, err := tx.NewDelete().Model((*columnOwnerRow)(nil)).Where("column_slug = ?", e.Slug).Exec(ctx); err != nil {
		return err
	}
	owners := cms.ExpandOwners(e.Owners, depts)
	rows := make([]columnOwnerRow, len(owners))
	for i, o := range owners {
		rows[i] = columnOwnerRow{ColumnSlug: e.Slug, DepartmentSlug: o}
	}
	if len(rows) == 0 {
		return fmt.Errorf("seed column %s: no owners", e.Slug)
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// seedMenu upserts entries under parent in annex order and returns how many
// entries the subtree holds.
func seedMenu(ctx context.Context, tx bun.Tx, channel string, parent int64, prefix string, entries []annexEntry) (int, error) {
	n := 0
	for i, e := range entries {
		row := menuEntryRow{Channel: channel, ParentID: parent, Slug: e.Slug, Title: e.Title,
			Path: strings.TrimPrefix(prefix+"/"+e.Slug, "/"), Enabled: true, Position: i}
		if len(e.Children) == 0 {
			row.ColumnSlug = e.Slug
		}
		// The title is a publisher's once the entry exists (the menu
		// service changes it, and the audit log records it): the seed
		// keeps it, as it keeps the enabled flag.
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT (channel, path) DO UPDATE").
			Set("parent_id = EXCLUDED.parent_id, slug = EXCLUDED.slug").
			Set("column_slug = EXCLUDED.column_slug, position = EXCLUDED.position").
			Returning("id").Exec(ctx); err != nil {
			return 0, fmt.Errorf("seed menu %s/%s: %w", channel, row.Path, err)
		}
		n++
		if len(e.Children) > 0 {
			k, err := seedMenu(ctx, tx, channel, row.ID, row.Path, e.Children)
			if err != nil {
				return 0, err
			}
			n += k
		}
	}
	return n, nil
}

// bumpPolicyVersion tells every server process that the authorization
// policy changed (role bindings, ownership or templates).
func bumpPolicyVersion(ctx context.Context, tx bun.IDB) error {
	_, err := tx.NewUpdate().Model((*settingRow)(nil)).
		Set("value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)").
		Where("key = ?", "policy_version").Exec(ctx)
	return err
}

package storage_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestChannelsAndMaintenance(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	chs, err := db.Channels(ctx)
	if err != nil || len(chs) != 2 || chs[0].Slug != "wechat" || chs[1].Slug != "app" {
		t.Fatalf("channels %+v %v, want wechat then app", chs, err)
	}
	_, err = db.Channel(ctx, "web")
	wantCode(t, err, cms.ENOTFOUND)

	window := cms.Maintenance{Notice: "系统升级，暂停服务", StartsAt: t0, EndsAt: t0.Add(2 * time.Hour)}
	cases := []struct {
		name string
		m    cms.Maintenance
	}{
		{"set a window", window},
		{"open-ended notice", cms.Maintenance{Notice: "公告"}},
		{"clear", cms.Maintenance{}},
	}
	for _, c := range cases {
		v, seq := mustVersion(t, db), auditSeq(t, db)
		if err := db.SetMaintenance(ctx, withNotice(t, db, "app", c.m), note(cms.AuditMaintenanceChanged, "channel:app")); err != nil {
			t.Fatal(err)
		}
		got, err := db.Channel(ctx, "app")
		if err != nil {
			t.Fatal(err)
		}
		if got.Maintenance.Notice != c.m.Notice || !got.Maintenance.StartsAt.Equal(c.m.StartsAt) || !got.Maintenance.EndsAt.Equal(c.m.EndsAt) {
			t.Errorf("%s: stored %+v, want %+v", c.name, got.Maintenance, c.m)
		}
		if mustVersion(t, db) != v+1 || auditSeq(t, db) != seq+1 {
			t.Errorf("%s: no content change or audit entry recorded", c.name)
		}
	}
	if wechat, _ := db.Channel(ctx, "wechat"); wechat.Maintenance.Notice != "" {
		t.Errorf("the other channel got the notice %q", wechat.Maintenance.Notice)
	}
	v, seq := mustVersion(t, db), auditSeq(t, db)
	wantCode(t, db.SetMaintenance(ctx, &cms.Channel{Slug: "web", Maintenance: window}, note(cms.AuditMaintenanceChanged, "")), cms.ENOTFOUND)
	if mustVersion(t, db) != v || auditSeq(t, db) != seq {
		t.Error("a refused notice left a change or an audit entry")
	}
}

func TestSetMenuEntry(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	menu, err := db.Menu(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(menu, func(e cms.MenuEntry) bool { return e.Path == "news" })
	if i < 0 {
		t.Fatal("the app menu has no news entry")
	}
	e, err := db.MenuEntry(ctx, menu[i].ID)
	if err != nil || !reflect.DeepEqual(*e, menu[i]) {
		t.Fatalf("entry %+v %v, want %+v", e, err, menu[i])
	}
	v := mustVersion(t, db)
	e.Title, e.Enabled, e.MAC = "中心要闻", false, "sealed-by-the-service"
	if err := db.SetMenuEntry(ctx, e, note(cms.AuditMenuChanged, "")); err != nil {
		t.Fatal(err)
	}
	got, _ := db.MenuEntry(ctx, e.ID)
	if !reflect.DeepEqual(got, e) {
		t.Errorf("after the change: %+v, want %+v", got, e)
	}
	if mustVersion(t, db) != v+1 {
		t.Error("a menu change recorded no content change: caches would keep the old menu")
	}
	_, err = db.MenuEntry(ctx, menu[len(menu)-1].ID+1000)
	wantCode(t, err, cms.ENOTFOUND)
	seq := auditSeq(t, db)
	wantCode(t, db.SetMenuEntry(ctx, &cms.MenuEntry{ID: menu[len(menu)-1].ID + 1000, Title: "x"}, note(cms.AuditMenuChanged, "")), cms.ENOTFOUND)
	if auditSeq(t, db) != seq {
		t.Error("a refused menu change left an audit entry")
	}
}

func TestColumnsListOwnersInAnnexOrder(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	cols, err := db.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	depts, _ := db.Departments(context.Background())
	rank := map[string]int{}
	for i, d := range depts {
		rank[d.Slug] = i
	}
	byslug := map[string]cms.Column{}
	for i, c := range cols {
		byslug[c.Slug] = c
		if c.Position != i {
			t.Errorf("column %s at %d has position %d", c.Slug, i, c.Position)
		}
		if len(c.Owners) == 0 || !slices.IsSortedFunc(c.Owners, func(a, b string) int { return rank[a] - rank[b] }) {
			t.Errorf("column %s owners %v, want them in the departments' order", c.Slug, c.Owners)
		}
	}
	cases := []struct {
		slug     string
		owners   []string
		declared []string
	}{
		{"policies-loan", []string{"office", "licensing", "branches", "zongyang"}, []string{"office", "licensing", "branches"}},
		{"faq-loan", []string{"licensing", "zongyang"}, []string{"licensing", "zongyang"}},
		{"check-update", []string{"information"}, []string{"information"}},
	}
	for _, c := range cases {
		col := byslug[c.slug]
		if !slices.Equal(col.Owners, c.owners) || !slices.Equal(col.DeclaredOwners, c.declared) {
			t.Errorf("%s: owners %v declared %v, want %v and %v", c.slug, col.Owners, col.DeclaredOwners, c.owners, c.declared)
		}
		one, err := db.Column(context.Background(), c.slug)
		if err != nil || !slices.Equal(one.Owners, col.Owners) || one.Title != col.Title {
			t.Errorf("Column(%s) = %+v %v, want as listed %+v", c.slug, one, err, col)
		}
	}
}

// TestMenuFollowsPositionsNotIDs reorders root entries as a later seed of a
// reordered annex would: positions change, ids stay.
func TestMenuFollowsPositionsNotIDs(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	roots := func() []string {
		menu, err := db.Menu(ctx, "wechat")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		var out []string
		for _, e := range menu {
			if e.ParentID != 0 && !seen[e.ParentID] {
				t.Errorf("%s comes before its parent", e.Path)
			}
			seen[e.ID] = true
			if e.ParentID == 0 {
				out = append(out, e.Slug)
			}
		}
		return out
	}
	before := roots()
	if len(before) != 3 {
		t.Fatalf("wechat roots %v", before)
	}
	for slug, pos := range map[string]int{before[0]: 2, before[2]: 0} {
		if _, err := db.Bun().NewRaw("UPDATE menu_entries SET position = ? WHERE channel = 'wechat' AND path = ?", pos, slug).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := roots(), []string{before[2], before[1], before[0]}; !slices.Equal(got, want) {
		t.Errorf("roots %v, want %v", got, want)
	}
}

// withNotice returns a channel as stored, with a new maintenance notice.
func withNotice(tb testing.TB, db *storage.DB, slug string, m cms.Maintenance) *cms.Channel {
	tb.Helper()
	ch, err := db.Channel(context.Background(), slug)
	if err != nil {
		tb.Fatal(err)
	}
	ch.Maintenance = m
	return ch
}

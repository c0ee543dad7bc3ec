package storage_test

import (
	"context"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

func TestSeedMatchesAnnexes(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()

	depts, err := db.Departments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, d := range depts {
		slugs = append(slugs, d.Slug)
	}
	want := []string{"office", "collection", "finance", "licensing", "information", "branches", "zongyang"}
	if len(slugs) != len(want) {
		t.Fatalf("departments = %v, want %v", slugs, want)
	}
	for i := range want {
		if slugs[i] != want[i] {
			t.Fatalf("departments = %v, want %v", slugs, want)
		}
	}

	cols, err := db.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 附件一 has 21 leaves; 附件二 repeats 17 of them and adds 新闻动态,
	// 清除缓存, 检查更新 and 登录: 25 distinct columns.
	if len(cols) != 25 {
		t.Errorf("got %d columns, want 25", len(cols))
	}
	col, err := db.Column(ctx, "policies-general")
	if err != nil {
		t.Fatal(err)
	}
	wantOwners := []string{"office", "collection", "finance", "licensing", "information", "branches", "zongyang"}
	if len(col.Owners) != len(wantOwners) {
		t.Errorf("policies-general owners = %v, want %v (ALL_SECTIONS and 管理部 expanded)", col.Owners, wantOwners)
	}
	loan, err := db.Column(ctx, "guides-loan")
	if err != nil {
		t.Fatal(err)
	}
	if loan.OwnedBy("collection") || !loan.OwnedBy("licensing") || !loan.OwnedBy("zongyang") || loan.OwnedBy("branches") {
		t.Errorf("guides-loan owners = %v, want licensing and zongyang only", loan.Owners)
	}
	if loan.Kind != cms.ColumnContent || loan.ContentType != cms.TypeGuide {
		t.Errorf("guides-loan = %s/%s, want content/guide", loan.Kind, loan.ContentType)
	}
	if _, err := db.Column(ctx, "nope"); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("unknown column: got %v, want not found", err)
	}
}

func TestSeedIsIdempotentAndKeepsOperatorChanges(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	if _, err := db.Bun().NewRaw("UPDATE menu_entries SET enabled = ? WHERE path = ?", false, "news").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := db.Menu(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Departments != 7 || sum.Channels != 2 || sum.Columns != 25 || sum.MenuEntries != 60 {
		t.Errorf("seed summary = %+v", sum)
	}
	after, err := db.Menu(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("menu grew from %d to %d entries on a second seed", len(before), len(after))
	}
	for i := range after {
		if after[i].ID != before[i].ID || after[i].Path != before[i].Path {
			t.Fatalf("entry %d changed: %+v -> %+v", i, before[i], after[i])
		}
		if after[i].Path == "news" && after[i].Enabled {
			t.Error("a second seed re-enabled a menu entry an operator disabled")
		}
	}
}

func TestMenuOrderFollowsAnnex(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	entries, err := db.Menu(context.Background(), "wechat")
	if err != nil {
		t.Fatal(err)
	}
	roots := cms.BuildMenuTree(entries)
	var titles []string
	for _, r := range roots {
		titles = append(titles, r.Title)
	}
	if len(titles) != 3 || titles[0] != "我的账户" || titles[1] != "政策资讯" || titles[2] != "便民服务" {
		t.Fatalf("wechat menu roots = %v", titles)
	}
	guides := roots[1].Children[0]
	if guides.Title != "办事指南" || len(guides.Children) != 4 || guides.Children[2].Title != "还贷类" {
		t.Errorf("办事指南 = %+v", guides)
	}
	// 附件一: 3 roots, 6 under 我的账户, 15 under 政策资讯, 5 under 便民服务.
	if len(entries) != 29 {
		t.Errorf("wechat menu has %d entries", len(entries))
	}
	if _, err := db.Menu(context.Background(), "web"); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("unknown channel: got %v", err)
	}
}

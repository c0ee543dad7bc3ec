package storage_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestUsageBatchesAddUpAndArePurged: batches written at once by several
// writers add to the same rows; the figures sum them by day, kind and
// client; the purge deletes the days before its bound and nothing after.
func TestUsageBatchesAddUpAndArePurged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t)
	d1, err := cms.ParseDay("2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	batch := cms.UsageBatch{
		Reads: []cms.UsageRead{
			{Day: d1, Kind: cms.ReadMenu, Client: cms.ClientApp, Name: "app", Count: 2},
			{Day: d1, Kind: cms.ReadColumn, Client: cms.ClientWeChat, Name: "news", Count: 3},
			{Day: d1 + 1, Kind: cms.ReadMenu, Client: cms.ClientOther, Name: "wechat", Count: 5},
			{Day: d1 + 1, Kind: cms.ReadAttachment, Client: cms.ClientOther, ItemID: 1, RefID: 9, Count: 1},
		},
		Searches: []cms.UsageSearch{{Day: d1, Term: "提取", Searches: 2, Results: 6}, {Day: d1 + 1, Term: "无", Searches: 1, Misses: 1}},
	}
	const writers = 4
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			if err := db.AddUsage(ctx, batch); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f, err := db.UsageFigures(ctx, cms.UsageQuery{From: d1, To: d1 + 2, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := cms.UsageTotals{Reads: writers * 10, ListReads: writers * 3, MenuReads: writers * 7, Downloads: writers,
		Searches: writers * 3, Misses: writers}
	if f.Totals != want {
		t.Errorf("totals %+v, want %+v", f.Totals, want)
	}
	if len(f.Days) != 3 || f.Days[0].App != writers*2 || f.Days[0].WeChat != writers*3 || f.Days[1].Other != writers*5 ||
		f.Days[1].Downloads != writers || f.Days[2].Reads() != 0 || f.Days[0].Searches != writers*2 {
		t.Errorf("days %+v", f.Days)
	}
	if len(f.Searches) != 2 || f.Searches[0] != (cms.TermUsage{Term: "提取", Searches: writers * 2, Results: writers * 6}) ||
		len(f.Misses) != 1 || f.Misses[0].Term != "无" {
		t.Errorf("terms %+v %+v", f.Searches, f.Misses)
	}
	// A department sees its columns' listings and its items only.
	f, err = db.UsageFigures(ctx, cms.UsageQuery{From: d1, To: d1 + 2, Limit: 10, Departments: []string{"collection"}, Columns: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Totals != (cms.UsageTotals{Reads: writers * 3, ListReads: writers * 3}) || len(f.Searches) != 0 {
		t.Errorf("department's totals %+v, terms %+v", f.Totals, f.Searches)
	}
	n, err := db.PurgeUsage(ctx, d1+1)
	if err != nil || n != 3 {
		t.Errorf("purged %d rows, want 3: %v", n, err)
	}
	f, err = db.UsageFigures(ctx, cms.UsageQuery{From: d1, To: d1 + 2, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if f.Totals.Reads != writers*5 || f.Totals.Downloads != writers || f.Totals.Searches != writers {
		t.Errorf("after the purge: %+v", f.Totals)
	}
}

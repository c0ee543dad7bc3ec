package cms_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestUsageCounterCountsEveryReadOnce: concurrent reads, with takes in
// between, hand over exactly the reads made, each under its Beijing day.
func TestUsageCounterCountsEveryReadOnce(t *testing.T) {
	t.Parallel()
	// 23:30 UTC is 07:30 the next day in Beijing.
	u := cms.NewUsageCounter()
	at := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	const workers, reads = 8, 5000
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := map[int64]int64{}
	collect := func() {
		b := u.Take()
		mu.Lock()
		defer mu.Unlock()
		for _, r := range b.Reads {
			if r.Day.String() != "2026-03-02" {
				t.Errorf("day %s", r.Day)
			}
			total[r.ItemID] += r.Count
		}
	}
	for w := range workers {
		wg.Go(func() {
			for i := range reads {
				u.Read(at, cms.ReadItem, cms.ClientApp, 0, int64(w%3+1), 0, "")
				if i%1000 == 0 {
					collect()
				}
			}
		})
	}
	wg.Wait()
	collect()
	var sum int64
	for _, n := range total {
		sum += n
	}
	if sum != workers*reads {
		t.Errorf("counted %d, want %d", sum, workers*reads)
	}
}

// TestUsageCounterAllocatesNothingForAKnownRead: the content API's hot
// path pays no allocation for counting.
func TestUsageCounterAllocatesNothingForAKnownRead(t *testing.T) {
	u := cms.NewUsageCounter()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	path := "/content/v1/columns/news/items"
	slug := path[len("/content/v1/columns/") : len(path)-len("/items")]
	u.Read(at, cms.ReadColumn, cms.ClientWeChat, 7, 0, 0, slug)
	u.Search(at, "提取", 3)
	if n := testing.AllocsPerRun(1000, func() {
		u.Read(at, cms.ReadItem, cms.ClientApp, 0, 42, 0, "")
		u.Read(at, cms.ReadColumn, cms.ClientWeChat, 7, 0, 0, slug)
		u.Search(at, "提取", 3)
	}); n > 0 {
		t.Errorf("%.1f allocations per read", n)
	}
}

// TestUsageCounterRestoresWhatWasNotStored: a batch put back is handed
// over again with what was counted since.
func TestUsageCounterRestoresWhatWasNotStored(t *testing.T) {
	t.Parallel()
	u := cms.NewUsageCounter()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	u.Read(at, cms.ReadMenu, cms.ClientOther, 0, 0, 0, "app")
	u.Search(at, "无此内容", 0)
	b := u.Take()
	u.Read(at, cms.ReadMenu, cms.ClientOther, 0, 0, 0, "app")
	u.Restore(b)
	got := u.Take()
	if len(got.Reads) != 1 || got.Reads[0].Count != 2 || len(got.Searches) != 1 || got.Searches[0].Misses != 1 {
		t.Errorf("%+v", got)
	}
	if b := u.Take(); !b.Empty() {
		t.Error("a second take is not empty")
	}
}

// TestSearchTermsAreBounded: past MaxSearchTerms new terms, searches count
// under one term.
func TestSearchTermsAreBounded(t *testing.T) {
	t.Parallel()
	u := cms.NewUsageCounter()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range cms.MaxSearchTerms + 50 {
		u.Search(at, "词"+time.Duration(i).String(), 1)
	}
	b := u.Take()
	if len(b.Searches) != cms.MaxSearchTerms+1 {
		t.Fatalf("%d terms", len(b.Searches))
	}
	for _, s := range b.Searches {
		if s.Term == cms.TermOther && s.Searches != 50 {
			t.Errorf("other: %+v", s)
		}
	}
}

func TestNormalizeTerm(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"提取":                      "提取",
		"  公积金   提取 ":             "公积金 提取",
		"PDF\t下载":                 "pdf 下载",
		"a\x00b":                  "ab",
		"":                        "",
		"   ":                     "",
		string(make([]byte, 100)): "",
	} {
		if got := cms.NormalizeTerm(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	long := ""
	for range 100 {
		long += "字"
	}
	if got := []rune(cms.NormalizeTerm(long)); len(got) != 64 {
		t.Errorf("long term: %d runes", len(got))
	}
}

func TestPercentileByNearestRank(t *testing.T) {
	t.Parallel()
	h := time.Hour
	ds := []time.Duration{50 * h, 2 * h, 4 * h}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 4 * h}, {90, 50 * h}, {10, 2 * h}, {100, 50 * h}} {
		if got := cms.Percentile(ds, tc.p); got != tc.want {
			t.Errorf("p%d: %v, want %v", tc.p, got, tc.want)
		}
	}
	if cms.Percentile(nil, 50) != 0 {
		t.Error("empty")
	}
}

// BenchmarkUsageRead is what counting one read costs the content API's
// path, from two goroutines at once: a lock of sixteen and a map lookup.
func BenchmarkUsageRead(b *testing.B) {
	u := cms.NewUsageCounter()
	at := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			u.Read(at, cms.ReadItem, cms.ClientApp, 0, i%64, 0, "")
		}
	})
}

package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage/storagetest"
)

// TestContactsHistory: a designation that ends keeps its row, so that the
// contacts of any past instant read back as they were; setting the same
// list again writes nothing; each change is audited with what it added
// and removed.
func TestContactsHistory(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	a := mustUser(t, db, "col.a", "collection")
	b := mustUser(t, db, "col.b", "collection")
	set := func(at time.Time, ids ...int64) bool {
		t.Helper()
		changed, err := db.SetContacts(ctx, "collection", ids, at,
			cms.NewAuditEntry(at, a.ID, cms.AuditContactsChanged, "department:collection", map[string]any{"department": "collection"}))
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	names := func(at time.Time) string {
		t.Helper()
		cs, err := db.Contacts(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, c := range cs {
			out += c.Department + ":" + c.User.Username + " "
		}
		return out
	}
	t1, t2, t3 := tick(), tick().Add(time.Hour), tick().Add(2*time.Hour)
	if !set(t1, a.ID) || !set(t2, a.ID, b.ID) || set(t2.Add(time.Minute), b.ID, a.ID) || !set(t3, b.ID) {
		t.Fatal("changed reports the wrong thing")
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{t1.Add(-time.Second), ""}, {t1, "collection:col.a "}, {t2.Add(time.Minute), "collection:col.a collection:col.b "},
		{t3, "collection:col.b "}, {time.Time{}, "collection:col.b "},
	} {
		if got := names(tc.at); got != tc.want {
			t.Errorf("at %v: %q, want %q", tc.at, got, tc.want)
		}
	}
	if e := lastAudit(t, db); e.Action != cms.AuditContactsChanged || e.Detail != `{"added":[],"department":"collection","removed":[`+itoa(a.ID)+`]}` {
		t.Errorf("last audit %+v", e)
	}
}

// TestContactsConcurrent: administrators designating the same person at
// once leave one open designation, whoever wins.
func TestContactsConcurrent(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	ctx := context.Background()
	a := mustUser(t, db, "col.a", "collection")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := tick()
			_, err := db.SetContacts(ctx, "collection", []int64{a.ID}, at,
				cms.NewAuditEntry(at, a.ID, cms.AuditContactsChanged, "department:collection", map[string]any{}))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && cms.ErrorCode(err) != cms.ECONFLICT {
			t.Errorf("a concurrent designation failed with %v", err)
		}
	}
	cs, err := db.Contacts(ctx, time.Time{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("open designations %+v %v", cs, err)
	}
}

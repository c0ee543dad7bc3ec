package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
)

func mustWebhook(tb testing.TB, db *storage.DB, by *cms.User, url string) *cms.Webhook {
	tb.Helper()
	now := tick()
	w := &cms.Webhook{URL: url, Events: []cms.EventType{"item.*"}, Enabled: true, Secret: "sealed", CreatedBy: by.ID, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWebhook(context.Background(), w, note(cms.AuditWebhookCreated, "")); err != nil {
		tb.Fatal(err)
	}
	return w
}

// dispatch stores n deliveries to w through the dispatcher's cursor.
func dispatch(tb testing.TB, db *storage.DB, w *cms.Webhook, n int, at time.Time) {
	tb.Helper()
	ctx := context.Background()
	from, err := db.Cursor(ctx, cms.DispatchCursor)
	if err != nil {
		tb.Fatal(err)
	}
	d := &cms.Dispatch{From: from, To: from + int64(n)}
	for i := range n {
		d.Deliveries = append(d.Deliveries, cms.Delivery{WebhookID: w.ID, EventID: from + int64(i) + 1, Type: cms.ItemPublished,
			MessageID: "msg_" + itoa(from+int64(i)+1), Payload: []byte(`{}`), State: cms.DeliveryPending, NextAt: at, CreatedAt: at})
	}
	if err := db.SaveDispatch(ctx, d); err != nil {
		tb.Fatal(err)
	}
}

// TestDeliveryLeases: of two processes claiming at once, each delivery goes
// to one; a lease that runs out (its holder died) lets another take it
// over, and the late holder's outcome is then not recorded; a delivery
// of a disabled or deleted endpoint is claimed by nobody.
func TestDeliveryLeases(t *testing.T) {
	t.Parallel()
	url := storagetest.URL(t)
	db := storagetest.OpenURL(t, url)
	other := storagetest.OpenURL(t, url) // a second server process
	ctx := context.Background()
	admin := mustUser(t, db, "admin", "information", cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	w := mustWebhook(t, db, admin, "https://example.com/hook")
	now := time.Now().UTC().Truncate(time.Microsecond)
	dispatch(t, db, w, 40, now)

	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for i, h := range []*storage.DB{db, other, db, other} {
		owner := []string{"a", "b", "c", "d"}[i]
		wg.Go(func() {
			for {
				ds, err := h.ClaimDeliveries(ctx, owner, now, time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, owner)
					}
					seen[d.ID] = owner
					if d.Attempts != 1 || d.Endpoint == nil || d.Endpoint.URL != w.URL {
						t.Errorf("claimed %+v", d)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("%d deliveries claimed, want 40", len(seen))
	}
	if at, ok, err := db.NextDeliveryAt(ctx); err != nil || !ok || !at.After(now.Add(59*time.Second)) {
		t.Errorf("next due %v %v %v, want the end of the leases", at, ok, err)
	}

	// The holders die; after the lease another takes over.
	later := now.Add(2 * time.Minute)
	ds, err := other.ClaimDeliveries(ctx, "e", later, time.Minute, 100)
	if err != nil || len(ds) != 40 || ds[0].Attempts != 2 {
		t.Fatalf("after the leases ran out: %d claimed (%v)", len(ds), err)
	}
	d := ds[0]
	d.State = cms.DeliveryDelivered
	a := cms.DeliveryAttempt{DeliveryID: d.ID, Attempt: 1, At: later, Status: 200}
	if _, held, err := db.FinishAttempt(ctx, seen[d.ID], &d, a); err != nil || held {
		t.Errorf("the late holder recorded its outcome (%v, %v)", held, err)
	}
	a.Attempt, a.Status, a.Error = 2, 500, "the endpoint answered 500"
	d.State, d.NextAt = cms.DeliveryPending, later.Add(time.Second)
	since, held, err := other.FinishAttempt(ctx, "e", &d, a)
	if err != nil || !held || !since.Equal(later) {
		t.Errorf("the holder's failure: failing since %v, held %v, %v", since, held, err)
	}
	a.Attempt, a.Status, a.Error = 3, 500, "the endpoint answered 500"
	d.NextAt = later.Add(2 * time.Second)
	if _, err := other.ClaimDeliveries(ctx, "e", later.Add(time.Second), time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if since, _, _ := other.FinishAttempt(ctx, "e", &d, a); !since.Equal(later) {
		t.Errorf("failing since %v after a second failure, want %v", since, later)
	}
	log, err := db.Deliveries(ctx, w.ID, 0, 100)
	if err != nil || len(log) != 40 {
		t.Fatalf("deliveries: %d %v", len(log), err)
	}
	for _, x := range log {
		if x.ID == d.ID && (len(x.Log) != 2 || x.Log[0].Status != 500 || x.Log[0].Attempt != 2) {
			t.Errorf("attempts of %d: %+v", d.ID, x.Log)
		}
	}

	// Disabled: claimed by nobody. Deleted: gone with its log.
	if ok, err := db.DisableWebhook(ctx, w.ID, "failing", note(cms.AuditWebhookDisabled, "webhook:1")); !ok || err != nil {
		t.Fatalf("disable: %v %v", ok, err)
	}
	if ds, _ := db.ClaimDeliveries(ctx, "f", later.Add(time.Hour), time.Minute, 100); len(ds) != 0 {
		t.Errorf("%d deliveries of a disabled endpoint claimed", len(ds))
	}
	if _, ok, _ := db.NextDeliveryAt(ctx); ok {
		t.Error("a disabled endpoint's delivery is due")
	}
	if err := db.DeleteWebhook(ctx, w.ID, note(cms.AuditWebhookDeleted, "")); err != nil {
		t.Fatal(err)
	}
	if log, _ := db.Deliveries(ctx, w.ID, 0, 100); len(log) != 0 {
		t.Errorf("%d deliveries left of a deleted endpoint", len(log))
	}
}

// TestDispatchMovesTheCursorOnce: of two dispatchers that read the same
// cursor, one stores its work; the other's is refused whole.
func TestDispatchMovesTheCursorOnce(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	u := mustUser(t, db, "admin", "information", cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	w := mustWebhook(t, db, u, "https://example.com/hook")
	from, _ := db.Cursor(ctx, cms.DispatchCursor)
	mk := func() *cms.Dispatch {
		return &cms.Dispatch{From: from, To: from + 2,
			Deliveries:    []cms.Delivery{{WebhookID: w.ID, EventID: from + 1, Type: cms.ItemPublished, MessageID: "m", Payload: []byte("{}"), State: cms.DeliveryPending, NextAt: t0, CreatedAt: t0}},
			Notifications: []cms.Notification{{UserID: ed.ID, Kind: cms.NotifyReview, Title: "t", CreatedAt: t0}},
			Messages:      []cms.Message{{Channel: cms.ChannelEmail, To: "a@example.com", Kind: cms.NotifyReview, State: cms.DeliveryPending, NextAt: t0, CreatedAt: t0}}}
	}
	errs := race(func() error { return db.SaveDispatch(ctx, mk()) }, func() error { return db.SaveDispatch(ctx, mk()) })
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("both or neither stored: %v", errs)
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, cms.ECONFLICT)
		}
	}
	if c, _ := db.Cursor(ctx, cms.DispatchCursor); c != from+2 {
		t.Errorf("cursor %d, want %d", c, from+2)
	}
	if n, _ := db.UnreadCount(ctx, ed.ID); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}
	if ds, _ := db.Deliveries(ctx, w.ID, 0, 10); len(ds) != 1 {
		t.Errorf("%d deliveries, want 1", len(ds))
	}
	ms, err := db.ClaimMessages(ctx, "x", t0, time.Minute, 10)
	if err != nil || len(ms) != 1 || ms[0].To != "a@example.com" {
		t.Errorf("messages %+v %v", ms, err)
	}
	// The digest goes out once a day.
	notes := []cms.Notification{{UserID: ed.ID, Kind: cms.NotifyOverdue, Title: "超期", CreatedAt: t0}}
	for i, want := range []bool{true, false} {
		if sent, err := db.SaveDigest(ctx, "2026-03-02", notes, nil); sent != want || err != nil {
			t.Errorf("digest %d: sent %v (%v), want %v", i, sent, err, want)
		}
	}
	if sent, _ := db.SaveDigest(ctx, "2026-03-03", notes, nil); !sent {
		t.Error("the next day's digest was not sent")
	}
	if n, _ := db.MarkRead(ctx, ed.ID, nil, t0); n != 3 {
		t.Errorf("marked %d read, want 3", n)
	}
}

// TestPurgeOutbox: the retention removes dispatched events, finished
// deliveries with their log, sent messages and read notifications older
// than its limit, and keeps what is pending, unread or not yet dispatched.
func TestPurgeOutbox(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	ctx := context.Background()
	u := mustUser(t, db, "admin", "information", cms.RoleBinding{Role: cms.RoleAdmin, Department: "information"})
	w := mustWebhook(t, db, u, "https://example.com/hook")
	old := t0.Add(-40 * 24 * time.Hour)
	dispatch(t, db, w, 3, old)
	ds, err := db.ClaimDeliveries(ctx, "x", t0, time.Minute, 2)
	if err != nil || len(ds) != 2 {
		t.Fatal(len(ds), err)
	}
	for i := range ds {
		ds[i].State = cms.DeliveryDelivered
		if _, held, err := db.FinishAttempt(ctx, "x", &ds[i], cms.DeliveryAttempt{DeliveryID: ds[i].ID, Attempt: 1, At: old, Status: 200}); !held || err != nil {
			t.Fatal(held, err)
		}
	}
	// Events: dispatched and old, dispatched and new, not dispatched.
	for _, at := range []time.Time{old, t0} {
		if err := db.Append(ctx, cms.NewAuditEntry(at, 0, cms.AuditMaintenanceChanged, "channel:app", nil)); err != nil {
			t.Fatal(err)
		}
	}
	evs := events(t, db, 0)
	from, _ := db.Cursor(ctx, cms.DispatchCursor)
	if err := db.SaveDispatch(ctx, &cms.Dispatch{From: from, To: evs[len(evs)-1].ID,
		Notifications: []cms.Notification{{UserID: ed.ID, Kind: cms.NotifyReview, Title: "old", CreatedAt: old},
			{UserID: ed.ID, Kind: cms.NotifyReview, Title: "unread", CreatedAt: old}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, cms.NewAuditEntry(old, 0, cms.AuditMaintenanceChanged, "channel:app", nil)); err != nil {
		t.Fatal(err) // old, but not dispatched yet
	}
	notes, _ := db.Notifications(ctx, ed.ID, false, 0, 10)
	if _, err := db.MarkRead(ctx, ed.ID, []int64{notes[len(notes)-1].ID}, old); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeOutbox(ctx, t0.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var oldLeft []cms.OutboxEvent
	for _, e := range events(t, db, 0) {
		if e.At.Before(t0.Add(-30 * 24 * time.Hour)) {
			oldLeft = append(oldLeft, e)
		}
	}
	if n != 1+2+2+1 || len(oldLeft) != 1 || oldLeft[0].ID <= evs[len(evs)-1].ID {
		t.Errorf("purged %d rows (want an event, two deliveries, their attempts and a notification); old events left %+v", n, oldLeft)
	}
	if log, _ := db.Deliveries(ctx, w.ID, 0, 10); len(log) != 1 || log[0].State != cms.DeliveryPending {
		t.Errorf("deliveries left %+v", log)
	}
	if notes, _ := db.Notifications(ctx, ed.ID, false, 0, 10); len(notes) != 1 || notes[0].Title != "unread" {
		t.Errorf("notifications left %+v", notes)
	}
}

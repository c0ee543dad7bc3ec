package cms

import (
	"testing"
	"time"
)

// TestRetrySchedule: ten attempts, the last about a day after the first
// at the default base, each delay within ±20 % of its nominal value.
func TestRetrySchedule(t *testing.T) {
	base := 5 * time.Second
	if d := GiveUpAfter(base); d < 22*time.Hour || d > 25*time.Hour {
		t.Errorf("given up %v after the first attempt, want about a day", d)
	}
	want := []time.Duration{5 * time.Second, 20 * time.Second, 80 * time.Second, 320 * time.Second, 1280 * time.Second,
		5120 * time.Second, 20480 * time.Second, 8 * time.Hour, 8 * time.Hour}
	for i, w := range want {
		n := i + 1
		if got := RetryDelay(base, n, 0.5); got != w {
			t.Errorf("after attempt %d: %v, want %v", n, got, w)
		}
		if lo, hi := RetryDelay(base, n, 0), RetryDelay(base, n, 0.9999); lo < w*8/10 || hi > w*12/10 || lo >= hi {
			t.Errorf("after attempt %d: jitter from %v to %v", n, lo, hi)
		}
	}
	if RetryDelay(time.Millisecond, 1, 0.5) != time.Millisecond {
		t.Error("the schedule does not scale with its base")
	}
}

func TestWebhookWants(t *testing.T) {
	w := &Webhook{Events: []EventType{"item.*", MenuChanged}}
	for typ, want := range map[EventType]bool{ItemSuspended: true, ItemPublished: true, MenuChanged: true,
		MaintenanceChanged: false, "revision.submit": false, "items.x": false} {
		if w.Wants(typ) != want {
			t.Errorf("%s: %v", typ, !want)
		}
	}
	if !(&Webhook{Events: []EventType{"*"}}).Wants("revision.reject") {
		t.Error("* does not want revision.reject")
	}
	var fe FieldErrors
	got := checkWebhookEvents(&fe, []EventType{"item.*", "item.*", "revision.sign"})
	if len(fe) != 0 || len(got) != 2 {
		t.Errorf("events %v, errors %v", got, fe)
	}
	checkWebhookEvents(&fe, []EventType{"item.eaten", "webhook.disabled", "incident.tamper_detected"})
	if len(fe) != 3 {
		t.Errorf("internal or unknown types accepted: %v", fe)
	}
}

package cms

import (
	"testing"
	"time"
)

// TestOutboxEventsOfAuditEntries: which audit entries are events, and of
// which types, with the ids they name.
func TestOutboxEventsOfAuditEntries(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		entry AuditEntry
		want  []EventType
		check func(t *testing.T, es []OutboxEvent)
	}{
		{"submit", NewAuditEntry(at, 3, AuditTransition, "revision:42", map[string]any{"event": "submit", "item_id": 7}),
			[]EventType{"revision.submit"}, func(t *testing.T, es []OutboxEvent) {
				if es[0].RevisionID != 42 || es[0].ItemID != 7 || es[0].ActorID != 3 {
					t.Errorf("%+v", es[0])
				}
			}},
		{"publication superseding the live revision", NewAuditEntry(at, 0, AuditTransition, "revision:42",
			map[string]any{"event": "publish", "item_id": 7, "public": "updated"}), []EventType{"revision.publish", ItemUpdated}, nil},
		{"suspension", NewAuditEntry(at, 5, AuditTransition, "revision:42",
			map[string]any{"event": "suspend", "item_id": 7, "public": "suspended", "comment": "篡改"}), []EventType{"revision.suspend", ItemSuspended}, nil},
		{"contacts designated", NewAuditEntry(at, 5, AuditContactsChanged, "department:collection",
			map[string]any{"department": "collection", "added": []int64{7}, "removed": []int64{}}), []EventType{ContactsChanged},
			func(t *testing.T, es []OutboxEvent) {
				if es[0].UserID != 0 || es[0].ActorID != 5 || es[0].Subject != "department:collection" {
					t.Errorf("%+v", es[0])
				}
			}},
		{"menu", NewAuditEntry(at, 5, AuditMenuChanged, "menu_entry:3", map[string]any{"channel": "wechat"}), []EventType{MenuChanged},
			func(t *testing.T, es []OutboxEvent) {
				if es[0].Channel != "wechat" {
					t.Errorf("%+v", es[0])
				}
			}},
		{"maintenance", NewAuditEntry(at, 5, AuditMaintenanceChanged, "channel:app", nil), []EventType{MaintenanceChanged},
			func(t *testing.T, es []OutboxEvent) {
				if es[0].Channel != "app" {
					t.Errorf("%+v", es[0])
				}
			}},
		{"tamper", NewAuditEntry(at, 0, AuditTamperDetected, "item:9", map[string]any{"revision_id": 11}), []EventType{TamperDetected},
			func(t *testing.T, es []OutboxEvent) {
				if es[0].ItemID != 9 || es[0].RevisionID != 11 {
					t.Errorf("%+v", es[0])
				}
			}},
		{"grant", NewAuditEntry(at, 1, AuditGrantRequested, "grant:4", map[string]any{"user_id": 8}), []EventType{GrantRequestedEvent},
			func(t *testing.T, es []OutboxEvent) {
				if es[0].UserID != 8 {
					t.Errorf("%+v", es[0])
				}
			}},
		{"lockout", NewAuditEntry(at, 8, AuditLoginFailed, "user:8", map[string]any{"locked_until": "x"}), []EventType{AccountLocked}, nil},
		{"failed login", NewAuditEntry(at, 8, AuditLoginFailed, "user:8", map[string]any{"reason": "password"}), nil, nil},
		{"login", NewAuditEntry(at, 8, AuditLogin, "user:8", nil), nil, nil},
		{"failed archive package", NewAuditEntry(at, 0, AuditArchivePackaged, "archive_package:2", map[string]any{"state": PackageFailed}),
			[]EventType{ArchiveFailed}, func(t *testing.T, es []OutboxEvent) {
				if es[0].UserID != 0 || es[0].ItemID != 0 {
					t.Errorf("%+v", es[0])
				}
			}},
		{"verified archive package", NewAuditEntry(at, 0, AuditArchivePackaged, "archive_package:2", map[string]any{"state": PackageVerified}), nil, nil},
		{"edit", NewAuditEntry(at, 8, AuditRevisionEdited, "revision:1", nil), nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.entry.Seq = 99
			es := OutboxEvents(&c.entry)
			if len(es) != len(c.want) {
				t.Fatalf("events %+v, want types %v", es, c.want)
			}
			for i, e := range es {
				if e.Type != c.want[i] || e.AuditSeq != 99 || !e.At.Equal(at) || e.Detail != c.entry.Detail {
					t.Errorf("event %d: %+v, want %s", i, e, c.want[i])
				}
			}
			if c.check != nil {
				c.check(t, es)
			}
		})
	}
}

func TestPublicEffects(t *testing.T) {
	live := &Revision{ID: 1}
	cases := []struct {
		ev     Event
		action string
		retire *Revision
		want   string
	}{
		{EventPublish, ActionPublish, nil, "published"},
		{EventPublish, ActionPublish, live, "updated"},
		{EventPublish, ActionUnpublish, live, "unpublished"},
		{EventSuspend, ActionPublish, nil, "suspended"},
		{EventRestore, ActionPublish, nil, "restored"},
		{EventArchive, ActionPublish, nil, "archived"},
		{EventApprove, ActionPublish, nil, ""},
	}
	for _, c := range cases {
		if got := publicEffect(c.ev, &Revision{Action: c.action}, &Change{Retire: c.retire}); got != c.want {
			t.Errorf("%s of a %s revision (retiring %v): %q, want %q", c.ev, c.action, c.retire != nil, got, c.want)
		}
	}
	for _, ty := range WebhookEventTypes() {
		if ev, ok := ty.WorkflowEvent(); ok != (ev != "") || (!ok && !ty.ItemEvent() && ty != MenuChanged && ty != MaintenanceChanged) {
			t.Errorf("webhook type %s", ty)
		}
	}
}

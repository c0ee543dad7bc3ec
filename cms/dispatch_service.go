package cms

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// DispatchService turns the outbox's events into deliveries to webhook
// endpoints and notifications to staff. It reads the events after its
// cursor and stores what it made of them together with the cursor's move,
// in one transaction that succeeds only if the cursor has not moved
// meanwhile: several processes may run it, and each event is dispatched
// once. What it stores is then sent by the delivery and message workers.
type DispatchService struct {
	Outbox    OutboxStore
	Webhooks  WebhookStore
	Items     ItemStore
	Structure StructureStore
	// ETags, when set, gives item events the ETag the content API serves.
	ETags  ETags
	Notify *NotificationService
	Clock  Clock
	// Retention is how long dispatched events, finished deliveries and
	// messages, and read notifications are kept (0: for ever).
	Retention time.Duration
}

// Purge removes what is older than the retention: dispatched events,
// deliveries and messages that are no longer pending (with their log),
// and notifications already read. It returns how many rows went.
func (s *DispatchService) Purge(ctx context.Context) (int, error) {
	if s.Retention <= 0 {
		return 0, nil
	}
	return s.Outbox.PurgeOutbox(ctx, s.Clock.Now().Add(-s.Retention))
}

// DispatchCursor names the dispatcher's cursor over the outbox.
const DispatchCursor = "dispatch"

// Dispatch dispatches up to limit events after the cursor and returns how
// many it dispatched: 0 when there were none, or when another process
// dispatched them first.
func (s *DispatchService) Dispatch(ctx context.Context, limit int) (int, error) {
	from, err := s.Outbox.Cursor(ctx, DispatchCursor)
	if err != nil {
		return 0, err
	}
	events, err := s.Outbox.Events(ctx, from, limit)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	hooks, err := s.Webhooks.Webhooks(ctx)
	if err != nil {
		return 0, err
	}
	r := &dispatchRun{svc: s, items: map[int64]*Item{}, revisions: map[int64]*Revision{}}
	d := &Dispatch{From: from, To: events[len(events)-1].ID}
	for i := range events {
		if err := r.event(ctx, d, &events[i], hooks); err != nil && ErrorCode(err) != ENOTFOUND {
			return 0, err // the run is tried again; an event about what is gone tells nothing
		}
	}
	switch err := s.Outbox.SaveDispatch(ctx, d); ErrorCode(err) {
	case "":
		return len(events), nil
	case ECONFLICT:
		return 0, nil // another process dispatched them
	default:
		return 0, err
	}
}

// dispatchRun holds what one run has read, so that a run of events about
// one item reads it once.
type dispatchRun struct {
	svc       *DispatchService
	items     map[int64]*Item
	revisions map[int64]*Revision
	menus     map[string][]string // column → channels
	notify    *notifyRun
}

// event adds what one event becomes to d.
func (r *dispatchRun) event(ctx context.Context, d *Dispatch, ev *OutboxEvent, hooks []Webhook) error {
	if slices.Contains(WebhookEventTypes(), ev.Type) {
		var body []byte
		for i := range hooks {
			w := &hooks[i]
			if !w.Enabled || !w.Wants(ev.Type) {
				continue
			}
			if body == nil {
				var err error
				if body, err = r.payload(ctx, ev); err != nil {
					return err
				}
			}
			d.Deliveries = append(d.Deliveries, Delivery{WebhookID: w.ID, EventID: ev.ID, Type: ev.Type,
				MessageID: "msg_" + strconv.FormatInt(ev.ID, 10), Payload: body, State: DeliveryPending, NextAt: ev.At,
				CreatedAt: r.svc.Clock.Now()})
		}
	}
	if r.svc.Notify == nil {
		return nil
	}
	if r.notify == nil {
		var err error
		if r.notify, err = r.svc.Notify.newRun(ctx, r); err != nil {
			return err
		}
	}
	return r.notify.event(ctx, d, ev)
}

// itemOf returns the item and revision an item or revision event names.
// Items are never deleted, so both exist.
func (r *dispatchRun) itemOf(ctx context.Context, ev *OutboxEvent) (*Item, *Revision, error) {
	rev, ok := r.revisions[ev.RevisionID]
	if !ok {
		var err error
		if rev, err = r.svc.Items.Revision(ctx, ev.RevisionID); err != nil {
			return nil, nil, err
		}
		r.revisions[ev.RevisionID] = rev
	}
	it, ok := r.items[rev.ItemID]
	if !ok {
		var err error
		if it, err = r.svc.Items.Item(ctx, rev.ItemID); err != nil {
			return nil, nil, err
		}
		r.items[rev.ItemID] = it
	}
	return it, rev, nil
}

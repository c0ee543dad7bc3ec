package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var _ cms.WebhookStore = (*DB)(nil)

type webhookRow struct {
	bun.BaseModel  `bun:"table:webhooks"`
	ID             int64  `bun:",pk,autoincrement"`
	URL            string `bun:"url"`
	Events         string
	Description    string
	Enabled        bool
	DisabledReason string
	Secret         string
	PrevSecret     string
	PrevUntil      time.Time `bun:",nullzero"`
	FailingSince   time.Time `bun:",nullzero"`
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func newWebhookRow(w *cms.Webhook) (*webhookRow, error) {
	events, err := json.Marshal(w.Events)
	if err != nil {
		return nil, err
	}
	return &webhookRow{ID: w.ID, URL: w.URL, Events: string(events), Description: w.Description, Enabled: w.Enabled,
		DisabledReason: w.DisabledReason, Secret: w.Secret, PrevSecret: w.PrevSecret, PrevUntil: w.PrevUntil,
		FailingSince: w.FailingSince, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}, nil
}

func (r *webhookRow) domain() cms.Webhook {
	w := cms.Webhook{ID: r.ID, URL: r.URL, Description: r.Description, Enabled: r.Enabled, DisabledReason: r.DisabledReason,
		Secret: r.Secret, PrevSecret: r.PrevSecret, PrevUntil: utc(r.PrevUntil), FailingSince: utc(r.FailingSince),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Events), &w.Events)
	return w
}

type deliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`
	ID            int64 `bun:",pk,autoincrement"`
	WebhookID     int64
	EventID       int64
	Type          string
	MessageID     string
	Payload       string
	State         string
	Attempts      int
	NextAt        time.Time
	LeaseOwner    string
	LeaseUntil    time.Time `bun:",nullzero"`
	RedeliveryOf  int64     `bun:",nullzero"`
	LastStatus    int
	CreatedAt     time.Time
	DeliveredAt   time.Time `bun:",nullzero"`
}

func newDeliveryRow(d *cms.Delivery) *deliveryRow {
	return &deliveryRow{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, Type: string(d.Type), MessageID: d.MessageID,
		Payload: string(d.Payload), State: string(d.State), Attempts: d.Attempts, NextAt: d.NextAt, RedeliveryOf: d.RedeliveryOf,
		CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
}

func (r *deliveryRow) domain() cms.Delivery {
	return cms.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, Type: cms.EventType(r.Type), MessageID: r.MessageID,
		Payload: []byte(r.Payload), State: cms.DeliveryState(r.State), Attempts: r.Attempts, NextAt: r.NextAt.UTC(),
		RedeliveryOf: r.RedeliveryOf, CreatedAt: r.CreatedAt.UTC(), DeliveredAt: utc(r.DeliveredAt)}
}

type attemptRow struct {
	bun.BaseModel `bun:"table:webhook_attempts"`
	ID            int64 `bun:",pk,autoincrement"`
	DeliveryID    int64
	Attempt       int
	At            time.Time
	Status        int
	LatencyUs     int64
	Error         string
	Response      string
}

func (r *attemptRow) domain() cms.DeliveryAttempt {
	return cms.DeliveryAttempt{DeliveryID: r.DeliveryID, Attempt: r.Attempt, At: r.At.UTC(), Status: r.Status,
		Latency: time.Duration(r.LatencyUs) * time.Microsecond, Error: r.Error, Response: r.Response}
}

// CreateWebhook stores a new endpoint, setting its id.
func (db *DB) CreateWebhook(ctx context.Context, w *cms.Webhook, audit cms.AuditEntry) error {
	row, err := newWebhookRow(w)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return err
		}
		w.ID = row.ID
		audit.Subject = "webhook:" + itoa(w.ID)
		return appendAudit(ctx, tx, audit)
	})
}

// Webhook returns one endpoint.
func (db *DB) Webhook(ctx context.Context, id int64) (*cms.Webhook, error) {
	var row webhookRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "webhook")
	}
	w := row.domain()
	return &w, nil
}

// Webhooks lists every endpoint, oldest first.
func (db *DB) Webhooks(ctx context.Context) ([]cms.Webhook, error) {
	var rows []webhookRow
	if err := db.bun.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Webhook, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// UpdateWebhook stores every field of w.
func (db *DB) UpdateWebhook(ctx context.Context, w *cms.Webhook, audit cms.AuditEntry) error {
	row, err := newWebhookRow(w)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).ExcludeColumn("id", "created_by", "created_at").WherePK().Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ENOTFOUND, "webhook not found")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// DeleteWebhook removes an endpoint; its deliveries and their log go with it.
func (db *DB) DeleteWebhook(ctx context.Context, id int64, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*webhookRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err := oneRow(res, err); err != nil {
			return cms.Errorf(cms.ENOTFOUND, "webhook not found")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// DisableWebhook switches an enabled endpoint off.
func (db *DB) DisableWebhook(ctx context.Context, id int64, reason string, audit cms.AuditEntry) (bool, error) {
	done := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*webhookRow)(nil)).Set("enabled = ?", false).Set("disabled_reason = ?", reason).
			Set("updated_at = ?", audit.At).Where("id = ?", id).Where("enabled = ?", true).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		return appendAudit(ctx, tx, audit)
	})
	return done, err
}

// Deliveries lists an endpoint's deliveries newest first, with their attempts.
func (db *DB) Deliveries(ctx context.Context, webhookID, before int64, limit int) ([]cms.Delivery, error) {
	var rows []deliveryRow
	q := db.bun.NewSelect().Model(&rows).Where("webhook_id = ?", webhookID).OrderExpr("id DESC").Limit(int64(limit))
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	var attempts []attemptRow
	if err := db.bun.NewSelect().Model(&attempts).Where("delivery_id IN (?)", bun.In(ids)).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	byDelivery := map[int64][]cms.DeliveryAttempt{}
	for i := range attempts {
		byDelivery[attempts[i].DeliveryID] = append(byDelivery[attempts[i].DeliveryID], attempts[i].domain())
	}
	out := make([]cms.Delivery, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
		out[i].Log = byDelivery[rows[i].ID]
	}
	return out, nil
}

// Delivery returns one delivery.
func (db *DB) Delivery(ctx context.Context, id int64) (*cms.Delivery, error) {
	var row deliveryRow
	if err := db.bun.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, translate(err, "delivery")
	}
	d := row.domain()
	return &d, nil
}

// AddDelivery stores a redelivery.
func (db *DB) AddDelivery(ctx context.Context, d *cms.Delivery, audit cms.AuditEntry) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := newDeliveryRow(d)
		if _, err := tx.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return translate(err, "webhook")
		}
		d.ID = row.ID
		return appendAudit(ctx, tx, audit)
	})
}

// insertDeliveries stores dispatched deliveries in tx.
func insertDeliveries(ctx context.Context, tx bun.Tx, ds []cms.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]deliveryRow, len(ds))
	for i := range ds {
		rows[i] = *newDeliveryRow(&ds[i])
	}
	// A delivery to an endpoint deleted since the dispatcher read the list
	// fails the foreign key; the dispatch is then made again without it.
	_, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx)
	return err
}

const enabledEndpoints = " AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = ?)"

// ClaimDeliveries leases due deliveries of enabled endpoints to owner.
func (db *DB) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]cms.Delivery, error) {
	ids, err := db.claim(ctx, "webhook_deliveries", enabledEndpoints, []any{true}, owner, now, lease, limit)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var rows []deliveryRow
	if err := db.bun.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Order("next_at", "id").Scan(ctx); err != nil {
		return nil, err
	}
	hooks := map[int64]*cms.Webhook{}
	out := make([]cms.Delivery, 0, len(rows))
	for i := range rows {
		w, ok := hooks[rows[i].WebhookID]
		if !ok {
			if w, err = db.Webhook(ctx, rows[i].WebhookID); err != nil {
				if cms.ErrorCode(err) == cms.ENOTFOUND {
					continue // deleted meanwhile, with its deliveries
				}
				return nil, err
			}
			hooks[rows[i].WebhookID] = w
		}
		d := rows[i].domain()
		d.Endpoint = w
		out = append(out, d)
	}
	return out, nil
}

// FinishAttempt records an attempt of a delivery owner holds.
func (db *DB) FinishAttempt(ctx context.Context, owner string, d *cms.Delivery, a cms.DeliveryAttempt) (time.Time, bool, error) {
	var failingSince time.Time
	held := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*deliveryRow)(nil)).Set("state = ?", d.State).Set("next_at = ?", d.NextAt).
			Set("lease_owner = ''").Set("lease_until = NULL").Set("last_status = ?", a.Status).
			Set("delivered_at = ?", nullTime(d.DeliveredAt)).Where("id = ?", d.ID).Where("lease_owner = ?", owner).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // taken over or deleted: the attempt's outcome is not ours to record
		}
		held = true
		row := attemptRow{DeliveryID: d.ID, Attempt: a.Attempt, At: a.At, Status: a.Status, LatencyUs: a.Latency.Microseconds(),
			Error: a.Error, Response: a.Response}
		if _, err := tx.NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx); err != nil {
			return err
		}
		// The endpoint's failing streak changes only when an attempt ends
		// it or starts it: the conditions keep its row unlocked otherwise,
		// so that concurrent attempts do not queue on it, and what the
		// claim read of it spares the statements when nothing changes.
		known := time.Time{}
		if d.Endpoint != nil {
			known = d.Endpoint.FailingSince
		}
		switch {
		case a.OK() && known.IsZero():
			return nil
		case !a.OK() && !known.IsZero():
			failingSince = known
			return nil
		}
		q := tx.NewUpdate().Model((*webhookRow)(nil)).Where("id = ?", d.WebhookID)
		if a.OK() {
			q = q.Set("failing_since = NULL").Where("failing_since IS NOT NULL")
		} else {
			q = q.Set("failing_since = ?", a.At).Where("failing_since IS NULL")
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		var since []time.Time
		if err := tx.NewSelect().Model((*webhookRow)(nil)).Column("failing_since").Where("id = ?", d.WebhookID).
			Where("failing_since IS NOT NULL").Scan(ctx, &since); err != nil {
			return err
		}
		if len(since) == 1 {
			failingSince = utc(since[0])
		}
		return nil
	})
	return failingSince, held, err
}

// ReleaseDelivery gives a claimed delivery back, uncounted.
func (db *DB) ReleaseDelivery(ctx context.Context, owner string, id int64) error {
	_, err := db.bun.NewUpdate().Model((*deliveryRow)(nil)).Set("lease_owner = ''").Set("lease_until = NULL").
		Set("attempts = attempts - 1").Where("id = ?", id).Where("lease_owner = ?", owner).Exec(ctx)
	return err
}

// NextDeliveryAt returns when the earliest pending delivery of an enabled
// endpoint is due.
func (db *DB) NextDeliveryAt(ctx context.Context) (time.Time, bool, error) {
	return db.nextDue(ctx, "webhook_deliveries", enabledEndpoints, []any{true})
}

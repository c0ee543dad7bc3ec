package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// webhook16 is an endpoint of another system that is told of events. Its
// secrets are stored sealed with a key from the key file.
type webhook16 struct {
	bun.BaseModel  `bun:"table:webhooks"`
	ID             int64     `bun:",pk,autoincrement"`
	URL            string    `bun:"url,notnull"`
	Events         string    `bun:",notnull"` // JSON array of event types
	Description    string    `bun:",notnull"`
	Enabled        bool      `bun:",notnull"`
	DisabledReason string    `bun:",notnull"`
	Secret         string    `bun:",notnull"`
	PrevSecret     string    `bun:",notnull"`
	PrevUntil      time.Time `bun:",nullzero"`
	FailingSince   time.Time `bun:",nullzero"`
	CreatedBy      int64     `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

func (*webhook16) foreignKeys() []string {
	return []string{`("created_by") REFERENCES "users" ("id")`}
}

// delivery16 is one event for one endpoint, with its frozen body, and the
// lease of the process attempting it.
type delivery16 struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`
	ID            int64     `bun:",pk,autoincrement"`
	WebhookID     int64     `bun:",notnull"`
	EventID       int64     `bun:",notnull"`
	Type          string    `bun:",notnull"`
	MessageID     string    `bun:",notnull"`
	Payload       string    `bun:",notnull"`
	State         string    `bun:",notnull"` // pending, delivered, failed
	Attempts      int       `bun:",notnull"`
	NextAt        time.Time `bun:",notnull"`
	LeaseOwner    string    `bun:",notnull"`
	LeaseUntil    time.Time `bun:",nullzero"`
	RedeliveryOf  int64     `bun:",nullzero"`
	LastStatus    int       `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	DeliveredAt   time.Time `bun:",nullzero"`
}

func (*delivery16) foreignKeys() []string {
	return []string{`("webhook_id") REFERENCES "webhooks" ("id") ON DELETE CASCADE`}
}

// attempt16 is one try at a delivery: the delivery log.
type attempt16 struct {
	bun.BaseModel `bun:"table:webhook_attempts"`
	ID            int64     `bun:",pk,autoincrement"`
	DeliveryID    int64     `bun:",notnull"`
	Attempt       int       `bun:",notnull"`
	At            time.Time `bun:",notnull"`
	Status        int       `bun:",notnull"`
	LatencyUs     int64     `bun:",notnull"`
	Error         string    `bun:",notnull"`
	Response      string    `bun:",notnull"`
}

func (*attempt16) foreignKeys() []string {
	return []string{`("delivery_id") REFERENCES "webhook_deliveries" ("id") ON DELETE CASCADE`}
}

// Webhook endpoints, their deliveries and the delivery log; administrators
// manage them.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*webhook16)(nil), (*delivery16)(nil), (*attempt16)(nil)); err != nil {
			return err
		}
		if err := exec(ctx, tx,
			`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at, id) WHERE state = 'pending'`,
			`CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id)`,
			`CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)`); err != nil {
			return err
		}
		return grant(ctx, tx, [][3]string{{"admin", "any", "webhook.manage"}})
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the webhooks migration cannot be rolled back")
	}))
}

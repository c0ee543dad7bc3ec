package migrations

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// notification17 is one entry of a user's inbox.
type notification17 struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            int64     `bun:",pk,autoincrement"`
	UserID        int64     `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	EventID       int64     `bun:",notnull"`
	Subject       string    `bun:",notnull"`
	Title         string    `bun:",notnull"`
	Body          string    `bun:",notnull"`
	Link          string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	ReadAt        time.Time `bun:",nullzero"`
}

func (*notification17) foreignKeys() []string {
	return []string{`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`}
}

// notificationSettings17 is a user's e-mail address and chosen channels.
type notificationSettings17 struct {
	bun.BaseModel `bun:"table:notification_settings"`
	UserID        int64     `bun:",pk"`
	Email         string    `bun:",notnull"`
	Kinds         string    `bun:",notnull"` // JSON: kind → channels
	UpdatedAt     time.Time `bun:",notnull"`
}

func (*notificationSettings17) foreignKeys() []string {
	return []string{`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`}
}

// message17 is a notification on its way out by e-mail or to a 企业微信
// robot, with the lease of the process sending it.
type message17 struct {
	bun.BaseModel `bun:"table:outgoing_messages"`
	ID            int64     `bun:",pk,autoincrement"`
	Channel       string    `bun:",notnull"`
	ToAddr        string    `bun:",notnull"`
	UserID        int64     `bun:",notnull"`
	Kind          string    `bun:",notnull"`
	EventID       int64     `bun:",notnull"`
	Subject       string    `bun:",notnull"`
	Body          string    `bun:",notnull"`
	State         string    `bun:",notnull"`
	Attempts      int       `bun:",notnull"`
	NextAt        time.Time `bun:",notnull"`
	LeaseOwner    string    `bun:",notnull"`
	LeaseUntil    time.Time `bun:",nullzero"`
	LastError     string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	SentAt        time.Time `bun:",nullzero"`
}

// Inboxes, notification settings and outgoing messages.
func init() {
	Migrations.MustRegister(inTx(func(ctx context.Context, tx bun.Tx) error {
		if err := createTables(ctx, tx, (*notification17)(nil), (*notificationSettings17)(nil), (*message17)(nil)); err != nil {
			return err
		}
		return exec(ctx, tx,
			`CREATE INDEX notifications_user ON notifications (user_id, id)`,
			`CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL`,
			`CREATE INDEX outgoing_messages_due ON outgoing_messages (next_at, id) WHERE state = 'pending'`)
	}), inTx(func(ctx context.Context, tx bun.Tx) error {
		return fmt.Errorf("the notifications migration cannot be rolled back")
	}))
}

package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

var (
	_ cms.NotificationStore = (*DB)(nil)
	_ cms.OutboxStore       = (*DB)(nil)
)

type notificationRow struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            int64 `bun:",pk,autoincrement"`
	UserID        int64
	Kind          string
	EventID       int64
	Subject       string
	Title         string
	Body          string
	Link          string
	CreatedAt     time.Time
	ReadAt        time.Time `bun:",nullzero"`
}

func (r *notificationRow) domain() cms.Notification {
	return cms.Notification{ID: r.ID, UserID: r.UserID, Kind: cms.NotificationKind(r.Kind), EventID: r.EventID, Subject: r.Subject,
		Title: r.Title, Body: r.Body, Link: r.Link, CreatedAt: r.CreatedAt.UTC(), ReadAt: utc(r.ReadAt)}
}

type notificationSettingsRow struct {
	bun.BaseModel `bun:"table:notification_settings"`
	UserID        int64 `bun:",pk"`
	Email         string
	Kinds         string
	UpdatedAt     time.Time
}

// channelsJSON is how a kind's channels are stored.
type channelsJSON struct {
	Inbox bool `json:"inbox"`
	Email bool `json:"email"`
	WeCom bool `json:"wecom"`
}

func (r *notificationSettingsRow) domain() *cms.NotificationSettings {
	s := &cms.NotificationSettings{UserID: r.UserID, Email: r.Email, Kinds: map[cms.NotificationKind]cms.Channels{}}
	var kinds map[string]channelsJSON
	_ = json.Unmarshal([]byte(r.Kinds), &kinds)
	for k, c := range kinds {
		s.Kinds[cms.NotificationKind(k)] = cms.Channels{Inbox: c.Inbox, Email: c.Email, WeCom: c.WeCom}
	}
	return s
}

type messageRow struct {
	bun.BaseModel `bun:"table:outgoing_messages"`
	ID            int64 `bun:",pk,autoincrement"`
	Channel       string
	ToAddr        string
	UserID        int64
	Kind          string
	EventID       int64
	Subject       string
	Body          string
	State         string
	Attempts      int
	NextAt        time.Time
	LeaseOwner    string
	LeaseUntil    time.Time `bun:",nullzero"`
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time `bun:",nullzero"`
}

func (r *messageRow) domain() cms.Message {
	return cms.Message{ID: r.ID, Channel: cms.MessageChannel(r.Channel), To: r.ToAddr, UserID: r.UserID, Kind: cms.NotificationKind(r.Kind),
		EventID: r.EventID, Subject: r.Subject, Body: r.Body, State: cms.DeliveryState(r.State), Attempts: r.Attempts,
		NextAt: r.NextAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: utc(r.SentAt)}
}

// Notifications lists a user's inbox, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, unreadOnly bool, before int64, limit int) ([]cms.Notification, error) {
	var rows []notificationRow
	q := db.bun.NewSelect().Model(&rows).Where("user_id = ?", userID).OrderExpr("id DESC").Limit(int64(limit))
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Notification, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// UnreadCount counts a user's unread notifications.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	n, err := db.bun.NewSelect().Model((*notificationRow)(nil)).Where("user_id = ?", userID).Where("read_at IS NULL").Count(ctx)
	return int(n), err
}

// MarkRead marks some or all of a user's unread notifications read.
func (db *DB) MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) (int, error) {
	q := db.bun.NewUpdate().Model((*notificationRow)(nil)).Set("read_at = ?", at).Where("user_id = ?", userID).Where("read_at IS NULL")
	if ids != nil {
		q = q.Where("id IN (?)", bun.In(ids))
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// NotificationSettings returns a user's settings; none stored gives none.
func (db *DB) NotificationSettings(ctx context.Context, userID int64) (*cms.NotificationSettings, error) {
	var row notificationSettingsRow
	err := db.bun.NewSelect().Model(&row).Where("user_id = ?", userID).Scan(ctx)
	if cms.ErrorCode(translate(err, "settings")) == cms.ENOTFOUND {
		return &cms.NotificationSettings{UserID: userID, Kinds: map[cms.NotificationKind]cms.Channels{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return row.domain(), nil
}

// AllNotificationSettings returns every stored setting by user.
func (db *DB) AllNotificationSettings(ctx context.Context) (map[int64]*cms.NotificationSettings, error) {
	var rows []notificationSettingsRow
	if err := db.bun.NewSelect().Model(&rows).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[int64]*cms.NotificationSettings, len(rows))
	for i := range rows {
		out[rows[i].UserID] = rows[i].domain()
	}
	return out, nil
}

// SetNotificationSettings stores a user's settings with the audit entry.
func (db *DB) SetNotificationSettings(ctx context.Context, s *cms.NotificationSettings, audit cms.AuditEntry) error {
	kinds := map[string]channelsJSON{}
	for k, c := range s.Kinds {
		kinds[string(k)] = channelsJSON{Inbox: c.Inbox, Email: c.Email, WeCom: c.WeCom}
	}
	b, err := json.Marshal(kinds)
	if err != nil {
		return err
	}
	row := notificationSettingsRow{UserID: s.UserID, Email: s.Email, Kinds: string(b), UpdatedAt: audit.At}
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT (user_id) DO UPDATE").
			Set("email = EXCLUDED.email, kinds = EXCLUDED.kinds, updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// ClaimMessages leases due messages to owner.
func (db *DB) ClaimMessages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]cms.Message, error) {
	ids, err := db.claim(ctx, "outgoing_messages", "", nil, owner, now, lease, limit)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var rows []messageRow
	if err := db.bun.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Order("next_at", "id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]cms.Message, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// FinishMessage records the outcome of a message owner holds.
func (db *DB) FinishMessage(ctx context.Context, owner string, m *cms.Message) (bool, error) {
	res, err := db.bun.NewUpdate().Model((*messageRow)(nil)).Set("state = ?", m.State).Set("next_at = ?", m.NextAt).
		Set("last_error = ?", m.LastError).Set("sent_at = ?", nullTime(m.SentAt)).Set("lease_owner = ''").Set("lease_until = NULL").
		Where("id = ?", m.ID).Where("lease_owner = ?", owner).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseMessage gives a claimed message back, uncounted.
func (db *DB) ReleaseMessage(ctx context.Context, owner string, id int64) error {
	_, err := db.bun.NewUpdate().Model((*messageRow)(nil)).Set("lease_owner = ''").Set("lease_until = NULL").
		Set("attempts = attempts - 1").Where("id = ?", id).Where("lease_owner = ?", owner).Exec(ctx)
	return err
}

// NextMessageAt returns when the earliest pending message is due.
func (db *DB) NextMessageAt(ctx context.Context) (time.Time, bool, error) {
	return db.nextDue(ctx, "outgoing_messages", "", nil)
}

// SaveDispatch stores what the dispatcher made of a run of events and
// moves its cursor, if the cursor is still where it read it.
func (db *DB) SaveDispatch(ctx context.Context, d *cms.Dispatch) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := moveCursor(ctx, tx, cms.DispatchCursor, d.From, d.To); err != nil {
			return err
		}
		if err := insertDeliveries(ctx, tx, d.Deliveries); err != nil {
			return err
		}
		return insertNotes(ctx, tx, d.Notifications, d.Messages)
	})
}

// SaveDigest stores the digest of day unless it was sent already.
func (db *DB) SaveDigest(ctx context.Context, day string, notes []cms.Notification, msgs []cms.Message) (bool, error) {
	sent := false
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&settingRow{Key: "digest_day", Value: ""}).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*settingRow)(nil)).Set("value = ?", day).Where("key = 'digest_day'").Where("value < ?", day).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		sent = true
		return insertNotes(ctx, tx, notes, msgs)
	})
	return sent, err
}

func insertNotes(ctx context.Context, tx bun.Tx, notes []cms.Notification, msgs []cms.Message) error {
	if len(notes) > 0 {
		rows := make([]notificationRow, len(notes))
		for i, n := range notes {
			rows[i] = notificationRow{UserID: n.UserID, Kind: string(n.Kind), EventID: n.EventID, Subject: n.Subject, Title: n.Title,
				Body: n.Body, Link: n.Link, CreatedAt: n.CreatedAt}
		}
		if _, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx); err != nil {
			return err
		}
	}
	if len(msgs) > 0 {
		rows := make([]messageRow, len(msgs))
		for i, m := range msgs {
			rows[i] = messageRow{Channel: string(m.Channel), ToAddr: m.To, UserID: m.UserID, Kind: string(m.Kind), EventID: m.EventID,
				Subject: m.Subject, Body: m.Body, State: string(m.State), NextAt: m.NextAt, CreatedAt: m.CreatedAt}
		}
		if _, err := tx.NewInsert().Model(&rows).ExcludeColumn("id").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

package cms

import (
	"context"
	"time"
)

// NotificationKind is what a notification is about; each user chooses the
// channels of each kind.
type NotificationKind string

// Notification kinds.
const (
	// NotifyReview: a revision entered a stage where the recipient can act.
	NotifyReview NotificationKind = "review"
	// NotifyDecision: a decision on a revision the recipient wrote or submitted, with its comment.
	NotifyDecision NotificationKind = "decision"
	// NotifyOverdue: the daily digest of revisions past their stage's time limit.
	NotifyOverdue NotificationKind = "overdue"
	// NotifyIncident: tampered content found, or content suspended (第十九条).
	NotifyIncident NotificationKind = "incident"
	// NotifyAccount: something happened to the recipient's account, or a
	// grant waits for the recipient's confirmation.
	NotifyAccount NotificationKind = "account"
	// NotifySystem: the system needs someone: an administrator (a webhook
	// endpoint switched off), or 信息科 and the auditors (a monthly archive
	// package that failed).
	NotifySystem NotificationKind = "system"
)

// NotificationKinds lists every kind.
var NotificationKinds = []NotificationKind{NotifyReview, NotifyDecision, NotifyOverdue, NotifyIncident, NotifyAccount, NotifySystem}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool {
	for _, x := range NotificationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Channels are the ways a notification reaches its recipient.
type Channels struct {
	Inbox bool // the in-app inbox (API and staff console)
	Email bool // e-mail over SMTP, to the address in the settings
	WeCom bool // the 企业微信 group robot of the department concerned
}

// NotificationSettings are a user's choices: an e-mail address and the
// channels of each kind.
type NotificationSettings struct {
	UserID int64
	Email  string
	Kinds  map[NotificationKind]Channels
}

// DefaultChannels are the channels of a kind for users who chose none:
// the inbox always, e-mail for what cannot wait (incidents) and for the
// daily digest.
func DefaultChannels(k NotificationKind) Channels {
	return Channels{Inbox: true, Email: k == NotifyIncident || k == NotifyOverdue}
}

// For returns the channels chosen for kind, or its defaults.
func (s *NotificationSettings) For(k NotificationKind) Channels {
	if s != nil {
		if c, ok := s.Kinds[k]; ok {
			return c
		}
	}
	return DefaultChannels(k)
}

// Notification is one entry of a user's inbox. It names only what its
// recipient may read.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      NotificationKind
	EventID   int64  // the outbox event it comes from; 0 for a digest
	Subject   string // what it is about: revision:42, item:7, grant:3 …
	Title     string
	Body      string
	Link      string // where in the staff console to act
	CreatedAt time.Time
	ReadAt    time.Time
}

// MessageChannel is how an outgoing message travels.
type MessageChannel string

// Message channels.
const (
	ChannelEmail MessageChannel = "email"
	ChannelWeCom MessageChannel = "wecom"
)

// Message is a notification on its way out by e-mail or to a 企业微信
// group robot, retried until it is sent.
type Message struct {
	ID      int64
	Channel MessageChannel
	// To is the e-mail address, or the department whose robot posts it.
	To        string
	UserID    int64 // the recipient of an e-mail; 0 for a group
	Kind      NotificationKind
	EventID   int64
	Subject   string
	Body      string // plain text (e-mail) or markdown (robot)
	State     DeliveryState
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

// Mailer sends e-mail (package outbound, over SMTP).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Robots post markdown messages to the 企业微信 group robots of the
// departments that have one (package outbound).
type Robots interface {
	// Has reports whether the department has a robot.
	Has(department string) bool
	Post(ctx context.Context, department, markdown string) error
}

// Dispatch is what the dispatcher made of the events after From up to To:
// one delivery per event and subscribed endpoint, and the notifications
// and messages to staff.
type Dispatch struct {
	From, To      int64
	Deliveries    []Delivery
	Notifications []Notification
	Messages      []Message
}

// NotificationStore keeps inboxes, settings and outgoing messages.
type NotificationStore interface {
	// Notifications lists a user's inbox newest first, below id before
	// when it is not 0.
	Notifications(ctx context.Context, userID int64, unreadOnly bool, before int64, limit int) ([]Notification, error)
	UnreadCount(ctx context.Context, userID int64) (int, error)
	// MarkRead marks the user's notifications ids (all of them when ids
	// is nil) read at at, and returns how many it marked.
	MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) (int, error)
	// NotificationSettings returns the user's settings (no kinds when the
	// user chose none).
	NotificationSettings(ctx context.Context, userID int64) (*NotificationSettings, error)
	// AllNotificationSettings returns every user's stored settings.
	AllNotificationSettings(ctx context.Context) (map[int64]*NotificationSettings, error)
	SetNotificationSettings(ctx context.Context, s *NotificationSettings, audit AuditEntry) error
	// ClaimMessages leases up to limit due messages, like ClaimDeliveries.
	ClaimMessages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// FinishMessage records the outcome of an attempt (m.State, m.NextAt,
	// m.LastError) of a message owner holds, and reports whether it did.
	FinishMessage(ctx context.Context, owner string, m *Message) (bool, error)
	ReleaseMessage(ctx context.Context, owner string, id int64) error
	NextMessageAt(ctx context.Context) (time.Time, bool, error)
	// SaveDigest stores the day's digest notifications and messages if
	// no process has sent the digest of day yet, and reports whether it did.
	SaveDigest(ctx context.Context, day string, notes []Notification, msgs []Message) (bool, error)
}

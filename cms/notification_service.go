package cms

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// AuditNotificationSettings records a user's change of their notification settings.
const AuditNotificationSettings = "notification_settings_changed"

// NotifyConfig tunes the notifications.
type NotifyConfig struct {
	// Lease, RetryBase: as for webhooks (messages are retried on the same
	// schedule, RetryDelay).
	Lease     time.Duration
	RetryBase time.Duration
	// DigestAt is the time of day (Beijing time) of the daily digest of
	// overdue revisions.
	DigestAt time.Duration
}

// NotificationService tells staff what they must know: what waits for
// them, decisions on their revisions, incidents, their accounts. Each
// user reads an inbox and chooses, per kind, the inbox, e-mail and the
// 企业微信 group robot of the department concerned. A notification names
// only what its recipient may read.
type NotificationService struct {
	Store     NotificationStore
	Users     UserStore
	Items     ItemStore
	Structure StructureStore
	// Contacts are the departments' contacts (专人, 第六条), told of their
	// departments' patrol findings and overdue revisions; nil: none.
	Contacts   ContactStore
	Workflow   *WorkflowService // who can act on a revision now
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	// Mailer sends e-mail; nil when none is configured (CMS_SMTP_URL).
	Mailer Mailer
	// Robots post to 企业微信 groups; nil when none is configured.
	Robots Robots
	Config NotifyConfig
	Random func() float64
	// Metrics counts the messages sent and failed, and how long sending
	// took (nil: nothing).
	Metrics Metrics
}

// signedIn checks that p may use what every signed-in user has: their own
// inbox and settings (no policy decides that; the checks of an expired or
// one-time password and a missing second factor apply as everywhere).
func signedIn(p *Principal) error {
	if p == nil || p.User == nil {
		return Errorf(EUNAUTHORIZED, "authentication required")
	}
	switch {
	case p.User.MustChangePassword, p.PasswordExpired:
		return Errorf(EPWEXPIRED, "change your password before doing anything else")
	case p.OTPEnrolmentRequired:
		return Errorf(EOTPENROL, "your roles need a second factor; enrol one (POST /api/v1/me/otp) before doing anything else")
	}
	return nil
}

// Inbox lists the caller's notifications, newest first (only unread ones
// when unreadOnly), with how many are unread.
func (s *NotificationService) Inbox(ctx context.Context, p *Principal, unreadOnly bool, cursor string, limit int) ([]Notification, string, int, error) {
	if err := signedIn(p); err != nil {
		return nil, "", 0, err
	}
	limit, err := checkLimit(limit)
	if err != nil {
		return nil, "", 0, err
	}
	var before int64
	if cursor != "" {
		if before, err = strconv.ParseInt(cursor, 10, 64); err != nil || before <= 0 {
			return nil, "", 0, Invalid("invalid cursor", FieldError{Field: "cursor", Message: "is not a cursor this API issued"})
		}
	}
	notes, err := s.Store.Notifications(ctx, p.User.ID, unreadOnly, before, limit+1)
	if err != nil {
		return nil, "", 0, err
	}
	next := ""
	if len(notes) > limit {
		notes, next = notes[:limit], strconv.FormatInt(notes[limit-1].ID, 10)
	}
	unread, err := s.Store.UnreadCount(ctx, p.User.ID)
	return notes, next, unread, err
}

// Unread counts the caller's unread notifications.
func (s *NotificationService) Unread(ctx context.Context, p *Principal) (int, error) {
	if err := signedIn(p); err != nil {
		return 0, err
	}
	return s.Store.UnreadCount(ctx, p.User.ID)
}

// MarkRead marks the caller's notifications ids read, or all of them when
// all is set, and returns how many were unread.
func (s *NotificationService) MarkRead(ctx context.Context, p *Principal, ids []int64, all bool) (int, error) {
	if err := signedIn(p); err != nil {
		return 0, err
	}
	switch {
	case all && len(ids) > 0:
		return 0, Invalid("ids and all", FieldError{Field: "ids", Message: "must be left out when all is true"})
	case !all && len(ids) == 0:
		return 0, Invalid("nothing to mark", FieldError{Field: "ids", Message: "must list 1 to 500 notifications, or set all"})
	case len(ids) > 500:
		return 0, Invalid("too many ids", FieldError{Field: "ids", Message: "must list at most 500 notifications"})
	}
	for i, id := range ids {
		if id <= 0 {
			return 0, Invalid("invalid id", FieldError{Field: "ids[" + itoa(i) + "]", Message: "must be a notification's id"})
		}
	}
	if all {
		ids = nil
	}
	return s.Store.MarkRead(ctx, p.User.ID, ids, s.Clock.Now())
}

// Settings returns the caller's settings, every kind filled in.
func (s *NotificationService) Settings(ctx context.Context, p *Principal) (*NotificationSettings, error) {
	if err := signedIn(p); err != nil {
		return nil, err
	}
	st, err := s.Store.NotificationSettings(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	full := &NotificationSettings{UserID: p.User.ID, Email: st.Email, Kinds: map[NotificationKind]Channels{}}
	for _, k := range NotificationKinds {
		full.Kinds[k] = st.For(k)
	}
	return full, nil
}

// SetSettings replaces the caller's e-mail address (nil: keep it) and the
// channels of the kinds given (the others keep theirs).
func (s *NotificationService) SetSettings(ctx context.Context, p *Principal, email *string, kinds map[NotificationKind]Channels) (*NotificationSettings, error) {
	st, err := s.Settings(ctx, p)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
	if email != nil {
		e := strings.TrimSpace(*email)
		if a, err := mail.ParseAddress(e); e != "" && (err != nil || a.Address != e || len(e) > 254 || strings.ContainsAny(e, "\r\n")) {
			fe.Add("email", "must be an e-mail address such as zhang.wei@example.gov.cn, or empty")
		}
		st.Email = e
	}
	for k, c := range kinds {
		if !k.Valid() {
			fe.Add("kinds."+string(k), "is not a kind of notification")
			continue
		}
		st.Kinds[k] = c
	}
	if err := fe.Err("invalid notification settings"); err != nil {
		return nil, err
	}
	detail := map[string]any{"email_set": st.Email != ""}
	for k, c := range st.Kinds {
		detail[string(k)] = channelWords(c)
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditNotificationSettings, userSubject(p.User.ID), detail)
	if err := s.Store.SetNotificationSettings(ctx, st, audit); err != nil {
		return nil, err
	}
	return st, nil
}

func channelWords(c Channels) string {
	var w []string
	for _, x := range []struct {
		on   bool
		name string
	}{{c.Inbox, "inbox"}, {c.Email, "email"}, {c.WeCom, "wecom"}} {
		if x.on {
			w = append(w, x.name)
		}
	}
	return strings.Join(w, ",")
}

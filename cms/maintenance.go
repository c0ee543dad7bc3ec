package cms

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Maintenance windows (第十五条): suspending a channel's service, or
// upgrading it, is requested by 信息科 with its reason and time, approved or
// refused by the director or the leader in charge of 信息科, and only then
// announced: the channel carries the notice (the content API shows it from
// a lead time before the window) and maintenance.changed goes to webhooks.
// An emergency suspension of content after tampering (第十八条) is not a
// maintenance window: it stays immediate.

// Actions of maintenance windows.
const (
	ActMaintenanceRequest Action = "maintenance.request"
	ActMaintenanceDecide  Action = "maintenance.decide"
)

// Audit actions of maintenance windows; an approval is recorded as
// AuditMaintenanceChanged, the announcement itself.
const (
	AuditMaintenanceRequested = "maintenance_requested"
	AuditMaintenanceRefused   = "maintenance_refused"
)

// Internal events of maintenance windows: they notify staff and are never
// delivered to webhooks.
const (
	MaintenanceRequested EventType = "maintenance.requested"
	MaintenanceRefused   EventType = "maintenance.refused"
)

// Maintenance window states and kinds.
const (
	WindowRequested = "requested"
	WindowApproved  = "approved"
	WindowRefused   = "refused"
	KindSuspension  = "suspension"
	KindUpgrade     = "upgrade"
)

// MaintenanceDepartment is the department that runs the channels and
// requests their maintenance (信息科, 第十四条): its leader in charge
// decides, as the director does.
const MaintenanceDepartment = "information"

// MaintenanceWindow is a requested suspension or upgrade of a channel.
type MaintenanceWindow struct {
	ID          int64
	Channel     string
	Kind        string // KindSuspension or KindUpgrade
	Reason      string // why, for the leaders
	Notice      string // what the public is told
	StartsAt    time.Time
	EndsAt      time.Time // zero: until further notice
	State       string
	RequestedBy int64
	RequestedAt time.Time
	DecidedBy   int64
	DecidedAt   time.Time
	Comment     string // the decision's comment
	// RequestedByName and DecidedByName name them, for lists.
	RequestedByName, DecidedByName string
}

// MaintenanceStore keeps maintenance windows.
type MaintenanceStore interface {
	CreateMaintenanceWindow(ctx context.Context, w *MaintenanceWindow, audit AuditEntry) error
	MaintenanceWindow(ctx context.Context, id int64) (*MaintenanceWindow, error)
	// MaintenanceWindows lists windows, newest first, in state ("": all).
	MaintenanceWindows(ctx context.Context, state string) ([]MaintenanceWindow, error)
	// DecideMaintenanceWindow records w's decision if w is still
	// requested and, when ch is not nil, stores the channel's new sealed
	// settings, with the audit entry, in one transaction.
	DecideMaintenanceWindow(ctx context.Context, w *MaintenanceWindow, ch *Channel, audit AuditEntry) error
}

// RequestMaintenance records 信息科's request for a maintenance window.
func (s *MenuService) RequestMaintenance(ctx context.Context, p *Principal, w MaintenanceWindow) (*MaintenanceWindow, error) {
	if err := s.guard().write(ctx, p, ActMaintenanceRequest, Resource{Department: MaintenanceDepartment}, "channel:"+w.Channel); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	w.Reason, w.Notice = strings.TrimSpace(w.Reason), strings.TrimSpace(w.Notice)
	var fe FieldErrors
	if w.Kind != KindSuspension && w.Kind != KindUpgrade {
		fe.Add("kind", "must be suspension or upgrade")
	}
	if w.Reason == "" || utf8.RuneCountInString(w.Reason) > 2000 {
		fe.Add("reason", "say why, in at most 2000 characters")
	}
	if w.Notice == "" || utf8.RuneCountInString(w.Notice) > 500 {
		fe.Add("notice", "the notice to the public is required, at most 500 characters")
	}
	switch {
	case w.StartsAt.IsZero():
		fe.Add("starts_at", "is required: say when the service stops")
	case !w.StartsAt.After(now):
		fe.Add("starts_at", "must be in the future: the public is told in advance")
	}
	if !w.EndsAt.IsZero() && !w.EndsAt.After(w.StartsAt) {
		fe.Add("ends_at", "must be after starts_at")
	}
	if err := fe.Err("invalid maintenance request"); err != nil {
		return nil, err
	}
	if _, err := s.Menus.Channel(ctx, w.Channel); err != nil {
		return nil, err
	}
	w.State, w.RequestedBy, w.RequestedAt = WindowRequested, p.User.ID, now
	w.DecidedBy, w.DecidedAt, w.Comment = 0, time.Time{}, ""
	audit := NewAuditEntry(now, p.User.ID, AuditMaintenanceRequested, "channel:"+w.Channel, windowDetail(&w))
	if err := s.Windows.CreateMaintenanceWindow(ctx, &w, audit); err != nil {
		return nil, err
	}
	return &w, nil
}

// DecideMaintenance approves or refuses a requested window. Approval
// announces it on the channel; a refusal needs a comment and announces
// nothing. Nobody decides on their own request.
func (s *MenuService) DecideMaintenance(ctx context.Context, p *Principal, id int64, approve bool, comment string) (*MaintenanceWindow, error) {
	if err := s.guard().write(ctx, p, ActMaintenanceDecide, Resource{Department: MaintenanceDepartment}, "maintenance:"+itoa64(id)); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return nil, Invalid("a refusal needs a reason", FieldError{Field: "comment", Message: "say why (the requester reads it)"})
	}
	if utf8.RuneCountInString(comment) > 2000 {
		return nil, Invalid("comment too long", FieldError{Field: "comment", Message: "must be at most 2000 characters"})
	}
	w, err := s.Windows.MaintenanceWindow(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	switch {
	case w.State != WindowRequested:
		return nil, Errorf(ECONFLICT, "the maintenance window was already %s", w.State)
	case w.RequestedBy == p.User.ID:
		return nil, Errorf(EFORBIDDEN, "you requested this maintenance window; a leader must decide on it")
	case approve && !w.StartsAt.After(now):
		return nil, Errorf(ECONFLICT, "the window has begun without notice to the public; request it again with a later time")
	}
	w.DecidedBy, w.DecidedAt, w.Comment = p.User.ID, now, comment
	detail := windowDetail(w)
	if !approve {
		w.State = WindowRefused
		detail["state"] = w.State
		audit := NewAuditEntry(now, p.User.ID, AuditMaintenanceRefused, "channel:"+w.Channel, detail)
		return w, s.Windows.DecideMaintenanceWindow(ctx, w, nil, audit)
	}
	w.State = WindowApproved
	detail["state"] = w.State
	ch, err := s.Menus.Channel(ctx, w.Channel)
	if err != nil {
		return nil, err
	}
	if !s.Keys.channelOK(ch) {
		if ch, err = s.Integrity.restoreChannel(ctx, ch); err != nil {
			return nil, err
		}
	}
	ch.Maintenance = Maintenance{Notice: w.Notice, StartsAt: w.StartsAt, EndsAt: w.EndsAt}
	s.Keys.SealChannel(ch)
	detail["notice"], detail["starts_at"], detail["ends_at"] = w.Notice, formatTime(w.StartsAt), formatTime(w.EndsAt)
	audit := NewAuditEntry(now, p.User.ID, AuditMaintenanceChanged, "channel:"+w.Channel, detail)
	if err := s.Windows.DecideMaintenanceWindow(ctx, w, ch, audit); err != nil {
		return nil, err
	}
	s.Bus.Publish(Notice{})
	return w, nil
}

// MaintenanceWindows lists the windows for those who request or decide
// them, newest first, in state ("": all).
func (s *MenuService) MaintenanceWindows(ctx context.Context, p *Principal, state string) ([]MaintenanceWindow, error) {
	res := Resource{Department: MaintenanceDepartment}
	if err := authorize(ctx, s.Authorizer, p, ActMaintenanceRequest, res); err != nil {
		if err := authorize(ctx, s.Authorizer, p, ActMaintenanceDecide, res); err != nil {
			return nil, err
		}
	}
	switch state {
	case "", WindowRequested, WindowApproved, WindowRefused:
	default:
		return nil, Invalid("invalid state", FieldError{Field: "state", Message: "must be requested, approved or refused"})
	}
	ws, err := s.Windows.MaintenanceWindows(ctx, state)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	name := func(id int64) (string, error) {
		if n, ok := names[id]; ok || id == 0 {
			return n, nil
		}
		u, err := s.Users.UserByID(ctx, id)
		if err != nil {
			return "", err
		}
		names[id] = u.DisplayName
		if names[id] == "" {
			names[id] = u.Username
		}
		return names[id], nil
	}
	for i := range ws {
		if ws[i].RequestedByName, err = name(ws[i].RequestedBy); err != nil {
			return nil, err
		}
		if ws[i].DecidedByName, err = name(ws[i].DecidedBy); err != nil {
			return nil, err
		}
	}
	return ws, nil
}

func windowDetail(w *MaintenanceWindow) map[string]any {
	return map[string]any{"window_id": w.ID, "kind": w.Kind, "reason": w.Reason, "notice": w.Notice,
		"starts_at": formatTime(w.StartsAt), "ends_at": formatTime(w.EndsAt), "requested_by": w.RequestedBy,
		"comment": w.Comment}
}

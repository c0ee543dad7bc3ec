package cms

import (
	"context"
	"strings"
	"unicode/utf8"
)

// StructureService reads departments, channels, menus and columns for
// signed-in staff.
type StructureService struct {
	Structure  StructureStore
	Authorizer Authorizer
	// Designations keep each department's contacts (专人, 第六条); Users,
	// Audit and Clock check and record an administrator's designation.
	Designations ContactStore
	Users        UserStore
	Audit        AuditLog
	Clock        Clock
}

// Departments lists the departments in annex order.
func (s *StructureService) Departments(ctx context.Context, p *Principal) ([]Department, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Departments(ctx)
}

// Channels lists the client channels.
func (s *StructureService) Channels(ctx context.Context, p *Principal) ([]Channel, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Channels(ctx)
}

// Menu returns the roots of a channel's menu tree.
func (s *StructureService) Menu(ctx context.Context, p *Principal, channel string) ([]*MenuEntry, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	entries, err := s.Structure.Menu(ctx, channel)
	if err != nil {
		return nil, err
	}
	return BuildMenuTree(entries), nil
}

// Columns lists every column in annex order.
func (s *StructureService) Columns(ctx context.Context, p *Principal) ([]Column, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return scopedColumns(ctx, s.Structure)
}

// columnsKey keeps the columns in a request scope: a page's menu, names
// and filters all read them.
type columnsKey struct{}

// scopedColumns reads the columns once per request scope.
func scopedColumns(ctx context.Context, st StructureStore) ([]Column, error) {
	return Scoped(ctx, columnsKey{}, func() ([]Column, error) { return st.Columns(ctx) })
}

// Column returns one column with its owners.
func (s *StructureService) Column(ctx context.Context, p *Principal, slug string) (*Column, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Column(ctx, slug)
}

// ContentTypes describes every content type and its fields.
func (s *StructureService) ContentTypes(ctx context.Context, p *Principal) ([]*ContentType, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return ContentTypes(), nil
}

// Audit actions of menu management.
const (
	AuditMenuChanged        = "menu_changed"
	AuditMaintenanceChanged = "maintenance_changed"
)

// MenuService lets publishers (信息科) switch menu entries on and off and
// announce a channel's maintenance (seed rule 第十五条). It seals every row
// it writes; a change to a row that no longer matched its MAC starts from
// the row's approved values, which restores it.
type MenuService struct {
	Menus      MenuStore
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Bus        *Bus // told of every change, so that cached menus are dropped
	Keys       *Keys
	Integrity  *IntegrityService
	// Windows keeps the maintenance windows requested and decided; Users
	// names who requested and decided them.
	Windows MaintenanceStore
	Users   UserStore
}

func (s *MenuService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// UpdateEntry changes a menu entry's title or enabled flag.
func (s *MenuService) UpdateEntry(ctx context.Context, p *Principal, id int64, title *string, enabled *bool) (*MenuEntry, error) {
	if err := s.guard().write(ctx, p, ActMenuManage, Resource{}, "menu_entry:"+itoa(int(id))); err != nil {
		return nil, err
	}
	e, err := s.Menus.MenuEntry(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.Keys.menuEntryOK(e) {
		if e, err = s.Integrity.restoreMenuEntry(ctx, e); err != nil {
			return nil, err
		}
	}
	if title != nil {
		t := strings.TrimSpace(*title)
		if t == "" || utf8.RuneCountInString(t) > 20 || strings.ContainsAny(t, "\r\n") {
			return nil, Invalid("invalid title", FieldError{Field: "title", Message: "must be 1-20 characters on one line"})
		}
		e.Title = t
	}
	if enabled != nil {
		e.Enabled = *enabled
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditMenuChanged, "menu_entry:"+itoa(int(id)),
		map[string]any{"channel": e.Channel, "path": e.Path, "title": e.Title, "enabled": e.Enabled})
	s.Keys.SealMenuEntry(e)
	if err := s.Menus.SetMenuEntry(ctx, e, audit); err != nil {
		return nil, err
	}
	s.Bus.Publish(Notice{})
	return e, nil
}

// SetMaintenance withdraws a channel's maintenance notice (an empty one).
// Announcing one needs the leaders' approval (第十五条): RequestMaintenance
// and DecideMaintenance.
func (s *MenuService) SetMaintenance(ctx context.Context, p *Principal, channel string, m Maintenance) (*Channel, error) {
	if err := s.guard().write(ctx, p, ActMenuManage, Resource{}, "channel:"+channel); err != nil {
		return nil, err
	}
	m.Notice = strings.TrimSpace(m.Notice)
	if m.Notice != "" {
		return nil, Errorf(ECONFLICT, "a maintenance window is announced only once a leader approved it (第十五条): request it with POST /api/v1/maintenance-windows")
	}
	var fe FieldErrors
	switch {
	case m.Notice == "" && (!m.StartsAt.IsZero() || !m.EndsAt.IsZero()):
		fe.Add("notice", "is required to announce a maintenance window")
	case utf8.RuneCountInString(m.Notice) > 500:
		fe.Add("notice", "must be at most 500 characters")
	case m.Notice != "" && m.StartsAt.IsZero():
		fe.Add("starts_at", "is required: say when the service stops")
	}
	if !m.EndsAt.IsZero() && !m.EndsAt.After(m.StartsAt) {
		fe.Add("ends_at", "must be after starts_at")
	}
	if err := fe.Err("invalid maintenance notice"); err != nil {
		return nil, err
	}
	ch, err := s.Menus.Channel(ctx, channel)
	if err != nil {
		return nil, err
	}
	if !s.Keys.channelOK(ch) {
		if ch, err = s.Integrity.restoreChannel(ctx, ch); err != nil {
			return nil, err
		}
	}
	ch.Maintenance = m
	s.Keys.SealChannel(ch)
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditMaintenanceChanged, "channel:"+channel,
		map[string]any{"notice": m.Notice, "starts_at": formatTime(m.StartsAt), "ends_at": formatTime(m.EndsAt)})
	if err := s.Menus.SetMaintenance(ctx, ch, audit); err != nil {
		return nil, err
	}
	s.Bus.Publish(Notice{})
	return s.Menus.Channel(ctx, channel)
}

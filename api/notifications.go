package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type notificationJSON struct {
	ID        int64                `json:"id"`
	Kind      cms.NotificationKind `json:"kind"`
	Subject   string               `json:"subject"`
	Title     string               `json:"title"`
	Body      string               `json:"body"`
	Link      string               `json:"link"`
	CreatedAt time.Time            `json:"created_at"`
	ReadAt    *time.Time           `json:"read_at"`
}

func toNotificationJSON(n *cms.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Title: n.Title, Body: n.Body, Link: n.Link,
		CreatedAt: n.CreatedAt, ReadAt: timePtr(n.ReadAt)}
}

func (s *Server) handleNotifications(c echo.Context) error {
	unread := false
	switch v := c.QueryParam("unread"); v {
	case "", "false":
	case "true":
		unread = true
	default:
		return cms.Invalid("invalid unread", cms.FieldError{Field: "unread", Message: "must be true or false"})
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	notes, next, count, err := s.svc.Notifications.Inbox(c.Request().Context(), principal(c), unread, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, len(notes))
	for i := range notes {
		out[i] = toNotificationJSON(&notes[i])
	}
	return respond(c, http.StatusOK, map[string]any{"notifications": out, "unread": count, "next_cursor": cursorJSON(next)})
}

func (s *Server) handleUnreadCount(c echo.Context) error {
	n, err := s.svc.Notifications.Unread(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]int{"unread": n})
}

type markReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

func (s *Server) handleMarkRead(c echo.Context) error {
	var req markReadRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx, p := c.Request().Context(), principal(c)
	marked, err := s.svc.Notifications.MarkRead(ctx, p, req.IDs, req.All)
	if err != nil {
		return err
	}
	left, err := s.svc.Notifications.Unread(ctx, p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]int{"marked": marked, "unread": left})
}

type channelsJSON struct {
	Inbox bool `json:"inbox"`
	Email bool `json:"email"`
	WeCom bool `json:"wecom"`
}

type settingsJSON struct {
	Email          string                                `json:"email"`
	Kinds          map[cms.NotificationKind]channelsJSON `json:"kinds"`
	EmailAvailable bool                                  `json:"email_available"`
	WeComAvailable bool                                  `json:"wecom_available"`
}

func (s *Server) settingsJSON(p *cms.Principal, st *cms.NotificationSettings) settingsJSON {
	n := s.svc.Notifications
	out := settingsJSON{Email: st.Email, Kinds: map[cms.NotificationKind]channelsJSON{}, EmailAvailable: n.Mailer != nil,
		WeComAvailable: n.Robots != nil && n.Robots.Has(p.User.Department)}
	for k, c := range st.Kinds {
		out.Kinds[k] = channelsJSON{Inbox: c.Inbox, Email: c.Email, WeCom: c.WeCom}
	}
	return out
}

func (s *Server) handleSettingsGet(c echo.Context) error {
	p := principal(c)
	st, err := s.svc.Notifications.Settings(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.settingsJSON(p, st))
}

type settingsRequest struct {
	Email *string                               `json:"email"`
	Kinds map[cms.NotificationKind]channelsJSON `json:"kinds"`
}

func (s *Server) handleSettingsPut(c echo.Context) error {
	var req settingsRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	kinds := map[cms.NotificationKind]cms.Channels{}
	for k, ch := range req.Kinds {
		kinds[k] = cms.Channels{Inbox: ch.Inbox, Email: ch.Email, WeCom: ch.WeCom}
	}
	p := principal(c)
	st, err := s.svc.Notifications.SetSettings(c.Request().Context(), p, req.Email, kinds)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.settingsJSON(p, st))
}

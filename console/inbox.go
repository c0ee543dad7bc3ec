package console

import (
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// inboxData is 通知: the user's notifications, newest first.
type inboxData struct {
	Notes      []cms.Notification
	Unread     int
	UnreadOnly bool
}

// kindWords name the kinds of notifications.
var kindWords = map[cms.NotificationKind]string{
	cms.NotifyReview: "待办", cms.NotifyDecision: "审批结果", cms.NotifyOverdue: "超期提醒",
	cms.NotifyIncident: "安全事件", cms.NotifyAccount: "账号", cms.NotifySystem: "系统",
}

// handleInbox lists the user's latest notifications (only the unread ones
// with ?unread=1).
func (c *Console) handleInbox(w http.ResponseWriter, r *http.Request, u *user) error {
	d := inboxData{UnreadOnly: r.URL.Query().Get("unread") == "1"}
	var err error
	if d.Notes, _, d.Unread, err = c.svc.Notifications.Inbox(r.Context(), u.p, d.UnreadOnly, "", 100); err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "inbox", view{Title: "通知", Active: "inbox", Data: d})
}

// handleInboxRead marks every notification of the user read.
func (c *Console) handleInboxRead(w http.ResponseWriter, r *http.Request, u *user) error {
	if _, err := c.svc.Notifications.MarkRead(r.Context(), u.p, nil, true); err != nil {
		return err
	}
	return c.redirect(w, r, "/console/inbox", "all_read")
}

package console

import (
	"net/http"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// 通知设置: each person chooses, per kind of notification, whether it
// reaches them in the inbox, by e-mail and through their department's
// 企业微信 group robot, and the address their e-mail goes to.

// notifyData is the settings form.
type notifyData struct {
	Email    string
	Rows     []notifyRow
	Mail     bool // an SMTP server is configured
	WeCom    bool // 企业微信 robots are configured
	Problems problems
	Alert    string
}

// notifyRow is one kind with its channels.
type notifyRow struct {
	Kind  cms.NotificationKind
	Label string
	Hint  string
	cms.Channels
}

// kindHints say when each kind of notification comes.
var kindHints = map[cms.NotificationKind]string{
	cms.NotifyReview:   "有稿件进入您可以处理的环节时",
	cms.NotifyDecision: "您撰写或提交的稿件被审核通过、签发、退回等时，附审核意见",
	cms.NotifyOverdue:  "每天汇总一次超过办结时限的稿件",
	cms.NotifyIncident: "发现内容被篡改，或内容被暂停发布时（第十九条）",
	cms.NotifyAccount:  "您的账户有变动，或有授权等待您确认时",
	cms.NotifySystem:   "系统需要管理员处理时，如接收地址被自动停用",
}

// handleNotifySettings shows the user's own settings.
func (c *Console) handleNotifySettings(w http.ResponseWriter, r *http.Request, u *user) error {
	st, err := c.svc.Notifications.Settings(r.Context(), u.p)
	if err != nil {
		return err
	}
	return c.notifyPage(w, r, u, http.StatusOK, c.notifyData(st.Email, st.Kinds))
}

// handleNotifySave replaces the user's settings with the form's: every
// kind's channels (a box left unticked turns a channel off) and the
// address.
func (c *Console) handleNotifySave(w http.ResponseWriter, r *http.Request, u *user) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	kinds := map[cms.NotificationKind]cms.Channels{}
	for _, k := range cms.NotificationKinds {
		on := func(ch string) bool { return r.PostFormValue(string(k)+"."+ch) == "on" }
		kinds[k] = cms.Channels{Inbox: on("inbox"), Email: on("email"), WeCom: on("wecom")}
	}
	_, err := c.svc.Notifications.SetSettings(r.Context(), u.p, &email, kinds)
	if cms.ErrorCode(err) == cms.EINVALID {
		d := c.notifyData(email, kinds)
		d.Problems, d.Alert = problemsOf(err), "设置未保存。"+errorMessage(err)
		return c.notifyPage(w, r, u, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, "/console/inbox/settings", "notify_saved")
}

func (c *Console) notifyData(email string, kinds map[cms.NotificationKind]cms.Channels) *notifyData {
	d := &notifyData{Email: email, Mail: c.svc.Notifications.Mailer != nil, WeCom: c.svc.Notifications.Robots != nil}
	for _, k := range cms.NotificationKinds {
		d.Rows = append(d.Rows, notifyRow{Kind: k, Label: kindWords[k], Hint: kindHints[k], Channels: kinds[k]})
	}
	return d
}

func (c *Console) notifyPage(w http.ResponseWriter, r *http.Request, u *user, status int, d *notifyData) error {
	return c.page(w, r, u, status, "notify", view{Title: "通知设置", Active: "inbox", Data: d})
}

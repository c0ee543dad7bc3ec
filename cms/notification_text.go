package cms

import (
	"strconv"
	"strings"
	"time"
)

// The words of notifications, in the regulation's terms.

var stageWords = map[State]string{
	StateDeptReview: "部门审核", StateLeadershipSignoff: "领导签发", StateSecrecyReview: "保密审查", StateScheduled: "发布",
}

var decisionWords = map[Event]string{
	EventApprove: "部门审核通过", EventSign: "已签发", EventClear: "保密审查通过", EventReject: "被退回",
	EventPublish: "已发布", EventArchive: "已归档", EventSuspend: "已暂停发布", EventRestore: "已恢复发布",
}

var roleWords = map[Role]string{
	RoleEditor: "编辑", RoleDeptHead: "部门负责人", RoleLeader: "分管领导", RoleDirector: "中心主任",
	RoleSecrecyReviewer: "保密审查员", RolePublisher: "信息发布员", RoleAuditor: "审计员", RoleAdmin: "系统管理员", RoleSystem: "系统",
}

// beijing formats t as people read it.
func beijing(t time.Time) string { return t.In(China).Format("2006-01-02 15:04") }

func revisionLink(id int64) string { return "/console/revisions/" + strconv.FormatInt(id, 10) }

// quoted is an item's title in book-title marks, or a neutral name for
// recipients who may not read the item.
func quoted(it *Item, rev *Revision, visible bool) string {
	if !visible {
		return "一篇稿件（编号 " + strconv.FormatInt(it.ID, 10) + "）"
	}
	title := rev.Title
	if title == "" {
		title = it.Title
	}
	return "《" + title + "》"
}

func (n *notifyRun) where(it *Item) string {
	col, dept := n.columns[it.Column], n.depts[it.Department]
	return strings.Trim(col+" · "+dept, " ·")
}

func (n *notifyRun) actor(ev *OutboxEvent) string {
	if ev.ActorID == 0 {
		return "系统"
	}
	if u := n.byID[ev.ActorID]; u != nil {
		return u.DisplayName
	}
	return "用户 " + strconv.FormatInt(ev.ActorID, 10)
}

func (n *notifyRun) reviewNote(ev *OutboxEvent, it *Item, rev *Revision, e QueueEntry) Notification {
	body := n.where(it) + "，第 " + itoa(rev.Number) + " 稿，" + n.actor(ev) + "于 " + beijing(ev.At) + " 送达。"
	if lapsedRelease(ev) {
		body = n.where(it) + "，第 " + itoa(rev.Number) + " 稿，" + ev.DetailString("comment") + "（" + beijing(ev.At) + "）。"
	}
	if !e.DueAt.IsZero() {
		body += "办结时限：" + beijing(e.DueAt) + "。"
	}
	return Notification{EventID: ev.ID, Subject: revisionSubject(rev.ID), Link: revisionLink(rev.ID),
		Title: "待办：" + quoted(it, rev, true) + "等待" + stageWords[rev.State], Body: body}
}

func (n *notifyRun) decisionNote(ev *OutboxEvent, wf Event, it *Item, rev *Revision, visible bool) Notification {
	body := n.actor(ev)
	if r := Role(ev.DetailString("role")); roleWords[r] != "" {
		body += "（" + roleWords[r] + "）"
	}
	body += "于 " + beijing(ev.At) + " 处理。"
	if c := ev.DetailString("comment"); c != "" && visible {
		body += "意见：" + c
	}
	return Notification{EventID: ev.ID, Subject: revisionSubject(rev.ID), Link: revisionLink(rev.ID),
		Title: quoted(it, rev, visible) + decisionWords[wf], Body: body}
}

func (n *notifyRun) suspensionNote(ev *OutboxEvent, it *Item, rev *Revision, visible bool) Notification {
	body := n.actor(ev) + "于 " + beijing(ev.At) + " 暂停发布" + quoted(it, rev, visible) + "（" + n.where(it) + "）。"
	if c := ev.DetailString("comment"); c != "" && visible {
		body += "原因：" + c
	}
	return Notification{EventID: ev.ID, Subject: itemSubject(it.ID), Link: revisionLink(rev.ID),
		Title: "安全事件：" + quoted(it, rev, visible) + "已暂停发布", Body: body}
}

func (n *notifyRun) tamperNote(ev *OutboxEvent, it *Item, visible bool) Notification {
	d := ev.Details()
	what := ev.Subject
	if it != nil {
		what = quoted(it, &Revision{}, visible)
	}
	body := beijing(ev.At) + " 完整性检查发现" + what + "的内容与批准的不一致。"
	if s, _ := d["action"].(string); s != "" {
		body += "处置：" + actionWords2(s) + "。"
	}
	if s, _ := d["detail"].(string); s != "" {
		body += "详情：" + s
	}
	note := Notification{EventID: ev.ID, Subject: ev.Subject, Title: "安全事件：" + what + "被篡改", Body: body, Link: "/console/"}
	if rid, _ := d["revision_id"].(float64); rid > 0 {
		note.Link = revisionLink(int64(rid))
	}
	return note
}

// actionWords2 puts what the integrity check did into words.
func actionWords2(action string) string {
	switch {
	case strings.HasPrefix(action, "suspended"):
		return "已暂停发布"
	case strings.HasPrefix(action, "removed"):
		return "已撤下公开内容"
	}
	return action
}

func (n *notifyRun) accountNote(ev *OutboxEvent) Notification {
	d := ev.Details()
	note := Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/password"}
	switch ev.Type {
	case GrantRequestedEvent:
		who := "用户 " + strconv.FormatInt(ev.UserID, 10)
		if u := n.byID[ev.UserID]; u != nil {
			who = u.DisplayName + "（" + u.Username + "）"
		}
		what := "重置密码"
		if r, _ := d["role"].(string); r != "" {
			dept, _ := d["department"].(string)
			what = "授予" + roleWords[Role(r)] + "（" + n.depts[dept] + "）"
		}
		note.Title, note.Body, note.Link = "授权待确认："+who+what, n.actor(ev)+"于 "+beijing(ev.At)+" 申请，需另一位管理员确认。", "/console/"
	case GrantConfirmedEvent, GrantRefusedEvent, GrantCancelledEvent:
		word := map[EventType]string{GrantConfirmedEvent: "已确认", GrantRefusedEvent: "被拒绝", GrantCancelledEvent: "已撤销"}[ev.Type]
		note.Title, note.Body = "你的授权"+word, n.actor(ev)+"于 "+beijing(ev.At)+" 处理。"
	case AccountLocked:
		until, _ := d["locked_until"].(string)
		t, _ := time.Parse(time.RFC3339, until)
		note.Title, note.Body = "你的账号已被锁定", "连续登录失败，账号锁定至 "+beijing(t)+"。如非本人操作，请立即联系系统管理员。"
	case AccountPasswordChanged:
		note.Title, note.Body = "你的密码已修改", beijing(ev.At)+" 修改。如非本人操作，请立即联系系统管理员。"
	case AccountUnlocked:
		note.Title, note.Body = "你的账号已解锁", n.actor(ev)+"于 "+beijing(ev.At)+" 解锁。"
	case AccountOTPReset:
		note.Title, note.Body = "你的两步验证已被重置", n.actor(ev)+"于 "+beijing(ev.At)+" 重置，请重新绑定。"
	default:
		note.Title, note.Body = "你的账号信息已变更", n.actor(ev)+"于 "+beijing(ev.At)+" 修改。"
	}
	return note
}

func systemNote(ev *OutboxEvent) Notification {
	d := ev.Details()
	url, _ := d["url"].(string)
	reason, _ := d["reason"].(string)
	return Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/", Title: "Webhook 已停用：" + url,
		Body: "自动停用于 " + beijing(ev.At) + "：" + reason + "。排除故障后请重新启用（PATCH /api/v1/webhooks/{id}）。"}
}

// emailBody is the plain-text body of a notification's e-mail.
func emailBody(note *Notification) string {
	return note.Title + "\n\n" + note.Body + "\n\n请登录信息发布管理处理：" + note.Link + "\n"
}

// robotMarkdown is a notification as a 企业微信 group robot posts it: the
// title and where, without comments (the group is the whole department).
func (n *notifyRun) robotMarkdown(note *Notification, group string) string {
	return "**" + note.Title + "**\n> " + n.depts[group] + " · " + beijing(note.CreatedAt) + "\n> 请登录信息发布管理查看：" + note.Link
}

// archiveFailedNote says which month's package failed, at which attempt,
// what went wrong and whether the server tries again.
func archiveFailedNote(ev *OutboxEvent) Notification {
	d := ev.Details()
	attempt, most := detailInt(d, "attempt"), detailInt(d, "max_attempts")
	body := "第 " + strconv.FormatInt(attempt, 10) + " 次写入（共 " + strconv.FormatInt(most, 10) + " 次）于 " + beijing(ev.At) + " 失败"
	if list, ok := d["problem_list"].([]any); ok && len(list) > 0 {
		var ps []string
		for _, p := range list {
			if s, ok := p.(string); ok {
				ps = append(ps, s)
			}
		}
		body += "：" + strings.Join(ps, "；")
	}
	if attempt < most {
		body += "。系统将在下一小时自动重试。"
	} else {
		body += "。已不再自动重试，请排除故障后在归档页面按期间导出。"
	}
	return Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/archive",
		Title: "月度归档失败：" + ev.DetailString("period"), Body: body}
}

// featureChannelWords name the channels a feature request concerns.
var featureChannelWords = map[string]string{
	FeatureChannelApp: "手机App", FeatureChannelWeChat: "微信公众号", FeatureChannelBoth: "微信公众号和手机App",
}

// featureNote names a feature request, its department and channel, who
// acted when, and the comment.
func (n *notifyRun) featureNote(ev *OutboxEvent, title string) Notification {
	dept := ev.DetailString("department")
	if name := n.depts[dept]; name != "" {
		dept = name
	}
	body := dept + "提出，涉及" + featureChannelWords[ev.DetailString("channel")] + "；" + n.actor(ev) + "于 " + beijing(ev.At)
	if ev.Type == FeatureSubmittedEvent {
		body += " 提交。\n" + ev.DetailString("description")
	} else {
		body += " 处理。"
	}
	if c := ev.DetailString("comment"); c != "" {
		body += "\n意见：" + c
	}
	id := detailInt(ev.Details(), "request_id")
	return Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/feature-requests/" + strconv.FormatInt(id, 10),
		Title: title + "《" + ev.DetailString("title") + "》", Body: body}
}

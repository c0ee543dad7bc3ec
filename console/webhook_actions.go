package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// handleWebhookAction switches an endpoint off or on, rotates its secret
// (shown once) or removes it.
func (c *Console) handleWebhookAction(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	switch op := r.PathValue("op"); op {
	case "enable", "disable":
		on := op == "enable"
		if _, err := c.svc.Webhooks.Update(ctx, u.p, id, cms.WebhookInput{Enabled: &on}); err != nil {
			return err
		}
		return c.redirect(w, r, webhookURL(id), "webhook_"+op+"d")
	case "rotate":
		rotated, err := c.svc.Webhooks.RotateSecret(ctx, u.p, id, 0)
		if err != nil {
			return err
		}
		d := secretData{Hook: rotated.Webhook, Secret: rotated.Secret, Rotated: true, Created: rotated}
		return c.page(w, r, u, http.StatusOK, "webhook_secret", view{Title: "签名密钥已更换", Active: "admin", Data: d})
	case "delete":
		if r.PostFormValue("confirm") != "yes" {
			return c.showWebhook(w, r, u, id, http.StatusUnprocessableEntity, "未删除：请先勾选“确认删除”。")
		}
		if err := c.svc.Webhooks.Delete(ctx, u.p, id); err != nil {
			return err
		}
		return c.redirect(w, r, "/console/webhooks", "webhook_deleted")
	}
	return cms.Errorf(cms.ENOTFOUND, "no such action")
}

// handleRedeliver sends a delivery again, with the same body and message id.
func (c *Console) handleRedeliver(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	did, err := pathID(r, "did")
	if err != nil {
		return err
	}
	again, err := c.svc.Webhooks.Redeliver(r.Context(), u.p, id, did)
	if err != nil {
		return err
	}
	return c.redirect(w, r, webhookURL(id)+"#delivery-"+strconv.FormatInt(again.ID, 10), "webhook_redelivered")
}

// eventGroup is a set of event types the form offers together.
type eventGroup struct {
	Label   string
	Hint    string
	Options []eventOption
}

type eventOption struct {
	Value   cms.EventType
	Label   string
	Checked bool
}

// eventTypeWords name the event types an endpoint may subscribe to.
var eventTypeWords = map[cms.EventType]string{
	"*": "全部事件", "item.*": "全部内容变更", "revision.*": "全部审批流转",
	cms.ItemPublished: "稿件发布上线", cms.ItemUpdated: "已发布内容更新", cms.ItemUnpublished: "稿件撤下",
	cms.ItemSuspended: "暂停发布", cms.ItemRestored: "恢复发布", cms.ItemArchived: "归档下线",
	cms.MenuChanged: "菜单变更", cms.MaintenanceChanged: "停服公告变更", cms.WebhookDisabled: "接收地址被自动停用",
}

// eventTypeLabel names an event type: a workflow event by its word in the
// regulation (审批：签发).
func eventTypeLabel(t cms.EventType) string {
	if l, ok := eventTypeWords[t]; ok {
		return l
	}
	if ev, ok := t.WorkflowEvent(); ok {
		return "审批：" + eventLabel(ev)
	}
	return string(t)
}

// eventGroups are the form's choices, checked as in chosen.
func eventGroups(chosen map[cms.EventType]bool) []eventGroup {
	groups := []eventGroup{
		{Label: "内容发布", Hint: "客户端须据此刷新缓存、推送消息", Options: eventOptions(chosen, "item.*", cms.ItemPublished, cms.ItemUpdated,
			cms.ItemUnpublished, cms.ItemSuspended, cms.ItemRestored, cms.ItemArchived)},
		{Label: "菜单与停服公告", Options: eventOptions(chosen, cms.MenuChanged, cms.MaintenanceChanged)},
	}
	review := []cms.EventType{"revision.*"}
	for _, ev := range cms.Events {
		review = append(review, cms.RevisionEventType(ev))
	}
	groups = append(groups, eventGroup{Label: "审批流转", Hint: "如 OA 系统同步审批进度", Options: eventOptions(chosen, review...)},
		eventGroup{Label: "全部", Options: eventOptions(chosen, "*")})
	return groups
}

func eventOptions(chosen map[cms.EventType]bool, types ...cms.EventType) []eventOption {
	out := make([]eventOption, len(types))
	for i, t := range types {
		out[i] = eventOption{Value: t, Label: eventTypeLabel(t), Checked: chosen[t]}
	}
	return out
}

// deliveryStates name where a delivery stands.
var deliveryStates = map[cms.DeliveryState]string{
	cms.DeliveryPending: "等待重试", cms.DeliveryDelivered: "已送达", cms.DeliveryFailed: "已放弃",
}

// attemptOutcome says in words what an attempt came to.
func attemptOutcome(a cms.DeliveryAttempt) string {
	switch {
	case a.OK():
		return "对方已接收（HTTP " + strconv.Itoa(a.Status) + "）"
	case a.Status != 0 && (a.Error == "" || strings.HasPrefix(a.Error, "the endpoint answered")):
		return "对方应答 HTTP " + strconv.Itoa(a.Status) + "，未接收"
	case a.Status != 0:
		return "HTTP " + strconv.Itoa(a.Status) + "：" + a.Error
	}
	return "未收到应答：" + a.Error
}

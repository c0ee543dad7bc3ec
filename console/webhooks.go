package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// Webhooks: administrators register the addresses of the centre's other
// systems (the WeChat backend, the App's push service, the OA) that are
// told of events by signed requests, choose the events, switch them off
// and on, rotate their secrets and follow what was delivered. The webhook
// service decides everything; a secret is shown once, when it is drawn.

// webhooksData is the list of endpoints.
type webhooksData struct {
	Tabs  adminTabs
	Hooks []cms.Webhook
}

// webhookData is one endpoint: its settings form and its deliveries; Hook
// is nil on the form of a new one.
type webhookData struct {
	Tabs       adminTabs
	Hook       *cms.Webhook
	Form       webhookForm
	Groups     []eventGroup
	Deliveries []cms.Delivery
	Next       string // the cursor of older deliveries
	Before     string // the cursor this page of deliveries started at
	Overlap    bool   // the previous secret still signs beside the new one
}

// webhookForm is what the settings form sends.
type webhookForm struct {
	URL, Description string
	Events           map[cms.EventType]bool
	Problems         problems
	Alert            string
}

// secretData is a secret, shown this once.
type secretData struct {
	Hook    *cms.Webhook
	Secret  string
	Rotated bool
	Created *cms.CreatedWebhook
}

func webhookURL(id int64) string { return "/console/webhooks/" + strconv.FormatInt(id, 10) }

// handleWebhooks lists the endpoints.
func (c *Console) handleWebhooks(w http.ResponseWriter, r *http.Request, u *user) error {
	hooks, err := c.svc.Webhooks.List(r.Context(), u.p)
	if err != nil {
		return err
	}
	t, err := c.adminTabs(r, u)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "webhooks", view{Title: "Webhooks", Active: "admin", Data: webhooksData{Tabs: t, Hooks: hooks}})
}

// handleWebhookNew shows the form of a new endpoint, with the public
// changes chosen: what clients must purge.
func (c *Console) handleWebhookNew(w http.ResponseWriter, r *http.Request, u *user) error {
	if _, err := c.svc.Webhooks.List(r.Context(), u.p); err != nil {
		return err // the same question Create asks: may the user manage webhooks
	}
	f := webhookForm{Events: map[cms.EventType]bool{"item.*": true}}
	return c.webhookPage(w, r, u, http.StatusOK, &webhookData{Form: f})
}

// handleWebhookCreate registers an endpoint and shows its secret once.
func (c *Console) handleWebhookCreate(w http.ResponseWriter, r *http.Request, u *user) error {
	f := parseWebhookForm(r)
	events := f.chosen()
	created, err := c.svc.Webhooks.Create(r.Context(), u.p, cms.WebhookInput{URL: &f.URL, Events: &events, Description: &f.Description})
	if cms.ErrorCode(err) == cms.EINVALID {
		f.Problems, f.Alert = webhookProblems(err), errorMessage(err)
		return c.webhookPage(w, r, u, http.StatusUnprocessableEntity, &webhookData{Form: f})
	}
	if err != nil {
		return err
	}
	d := secretData{Hook: created.Webhook, Secret: created.Secret, Created: created}
	return c.page(w, r, u, http.StatusOK, "webhook_secret", view{Title: "Webhook 已登记", Active: "admin", Data: d})
}

// handleWebhook shows an endpoint's settings and a page of its deliveries,
// newest first (?before= pages back).
func (c *Console) handleWebhook(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return c.showWebhook(w, r, u, id, http.StatusOK, "")
}

// showWebhook renders an endpoint's page with its stored settings and,
// after a refused action, why.
func (c *Console) showWebhook(w http.ResponseWriter, r *http.Request, u *user, id int64, status int, alert string) error {
	hook, err := c.svc.Webhooks.Get(r.Context(), u.p, id)
	if err != nil {
		return err
	}
	f := webhookForm{URL: hook.URL, Description: hook.Description, Events: map[cms.EventType]bool{}, Alert: alert}
	for _, e := range hook.Events {
		f.Events[e] = true
	}
	return c.webhookPage(w, r, u, status, &webhookData{Hook: hook, Form: f})
}

// handleWebhookUpdate saves an endpoint's address, description and events.
func (c *Console) handleWebhookUpdate(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := parseWebhookForm(r)
	events := f.chosen()
	hook, err := c.svc.Webhooks.Update(r.Context(), u.p, id, cms.WebhookInput{URL: &f.URL, Events: &events, Description: &f.Description})
	if cms.ErrorCode(err) == cms.EINVALID {
		f.Problems, f.Alert = webhookProblems(err), "设置未保存。"+errorMessage(err)
		if hook, err = c.svc.Webhooks.Get(r.Context(), u.p, id); err != nil {
			return err
		}
		return c.webhookPage(w, r, u, http.StatusUnprocessableEntity, &webhookData{Hook: hook, Form: f})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, webhookURL(hook.ID), "webhook_saved")
}

// webhookPage renders the form (and, for a registered endpoint, its
// deliveries) with status.
func (c *Console) webhookPage(w http.ResponseWriter, r *http.Request, u *user, status int, d *webhookData) error {
	var err error
	if d.Tabs, err = c.adminTabs(r, u); err != nil {
		return err
	}
	d.Groups = eventGroups(d.Form.Events)
	title := "登记 Webhook"
	if d.Hook != nil {
		title = "Webhook：" + d.Hook.URL
		d.Before = r.URL.Query().Get("before")
		d.Deliveries, d.Next, err = c.svc.Webhooks.Deliveries(r.Context(), u.p, d.Hook.ID, d.Before, 20)
		if err != nil {
			return err
		}
		d.Overlap = d.Hook.PrevSecret != "" && c.opts.Clock.Now().Before(d.Hook.PrevUntil)
	}
	return c.page(w, r, u, status, "webhook", view{Title: title, Active: "admin", Data: d})
}

func parseWebhookForm(r *http.Request) webhookForm {
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: r.PostFormValue("description"),
		Events: map[cms.EventType]bool{}}
	for _, e := range r.PostForm["events"] {
		f.Events[cms.EventType(e)] = true
	}
	return f
}

// chosen lists the form's events in the order the form offers them.
func (f webhookForm) chosen() []cms.EventType {
	out := []cms.EventType{}
	for _, g := range eventGroups(nil) {
		for _, o := range g.Options {
			if f.Events[o.Value] {
				out = append(out, o.Value)
			}
		}
	}
	return out
}

// webhookProblems are the form's problems by control: the URL, the
// description, and the events (any of them).
func webhookProblems(err error) problems {
	out := problems{}
	for field, msg := range problemsOf(err) {
		if strings.HasPrefix(field, "events") {
			field = "events"
		}
		if _, dup := out[field]; !dup {
			out[field] = msg
		}
	}
	return out
}

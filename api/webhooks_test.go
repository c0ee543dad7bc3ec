package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tlhpf/cms/app"
)

// TestWebhookManagement: administrators register, read, change, rotate
// and remove endpoints; the secret is shown once; bad URLs and refused
// networks are 422; others may not manage them.
func TestWebhookManagement(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // private targets refused, as in production
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	body := map[string]any{"url": "https://93.184.215.14/hook", "events": []string{"item.*", "menu.changed", "item.published", "menu.changed"}}
	e.must(t, http.StatusForbidden, "POST", "/api/v1/webhooks", pub, body)
	e.must(t, http.StatusForbidden, "GET", "/api/v1/webhooks", pub, nil)

	var created struct {
		ID     int64    `json:"id"`
		Secret string   `json:"secret"`
		Events []string `json:"events"`
		URL    string   `json:"url"`
	}
	r := e.must(t, http.StatusCreated, "POST", "/api/v1/webhooks", e.admin, body)
	r.decode(t, &created)
	if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Events) != 3 || r.Header.Get("Location") != webhookPath(created.ID) {
		t.Fatalf("created %+v (Location %q)", created, r.Header.Get("Location"))
	}
	got := e.must(t, http.StatusOK, "GET", webhookPath(created.ID), e.admin, nil)
	if strings.Contains(string(got.Body), "secret\"") || strings.Contains(string(got.Body), created.Secret) {
		t.Errorf("the secret is shown again: %s", got.Body)
	}
	if strings.Contains(e.dbDump(t, "webhooks"), strings.TrimPrefix(created.Secret, "whsec_")) {
		t.Error("the secret is stored in clear")
	}

	for name, c := range map[string]struct {
		url   string
		field string
	}{
		"ftp":             {"ftp://example.com/hook", "url"},
		"credentials":     {"https://user:pass@example.com/hook", "url"},
		"no host":         {"https:///hook", "url"},
		"relative":        {"/hook", "url"},
		"loopback":        {"http://127.0.0.1:8080/hook", "url"},
		"loopback v6":     {"http://[::1]/hook", "url"},
		"private":         {"http://10.1.2.3/hook", "url"},
		"link-local":      {"http://169.254.169.254/latest/meta-data", "url"},
		"mapped loopback": {"http://[::ffff:127.0.0.1]/hook", "url"},
		"localhost":       {"http://localhost:9/hook", "url"},
	} {
		r := e.call(t, "POST", "/api/v1/webhooks", e.admin, map[string]any{"url": c.url, "events": []string{"*"}})
		if r.Status != http.StatusUnprocessableEntity || !r.problem(t).hasField(c.field) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	r = e.send(t, request{method: "POST", path: "/api/v1/webhooks", token: e.admin, raw: true,
		body: map[string]any{"url": "https://93.184.215.14/", "events": []string{"item.eaten"}}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown event type: %d %s", r.Status, r.Body)
	}

	var patched struct {
		Enabled     bool   `json:"enabled"`
		Description string `json:"description"`
	}
	e.must(t, http.StatusOK, "PATCH", webhookPath(created.ID), e.admin, map[string]any{"enabled": false, "description": "App 推送"}).decode(t, &patched)
	if patched.Enabled || patched.Description != "App 推送" {
		t.Errorf("patched %+v", patched)
	}
	e.must(t, http.StatusUnprocessableEntity, "PATCH", webhookPath(created.ID), e.admin, map[string]any{"url": "http://192.168.1.1/"})

	var rotated struct {
		Secret string  `json:"secret"`
		Until  *string `json:"previous_secret_valid_until"`
	}
	e.must(t, http.StatusOK, "POST", webhookPath(created.ID)+"/rotate-secret", e.admin, map[string]any{"overlap_seconds": 3600}).decode(t, &rotated)
	if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Until == nil {
		t.Errorf("rotated %+v", rotated)
	}
	var list struct {
		Webhooks []map[string]any `json:"webhooks"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/webhooks", e.admin, nil).decode(t, &list)
	if len(list.Webhooks) != 1 {
		t.Errorf("list %+v", list)
	}
	e.must(t, http.StatusNoContent, "DELETE", webhookPath(created.ID), e.admin, nil)
	e.must(t, http.StatusNotFound, "GET", webhookPath(created.ID), e.admin, nil)
	e.must(t, http.StatusNotFound, "GET", webhookPath(created.ID)+"/deliveries", e.admin, nil)
}

// dbDump returns every row of table as text, for tests that look for
// what must not be stored.
func (e *env) dbDump(t *testing.T, table string) string {
	t.Helper()
	var rows []map[string]any
	if err := e.db.Bun().NewRaw("SELECT * FROM "+table).Scan(t.Context(), &rows); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		for _, v := range r {
			switch v := v.(type) {
			case []byte:
				b.Write(v)
			case string:
				b.WriteString(v)
			}
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestSignedDelivery: a publication reaches a subscribed endpoint as
// signed requests that the Standard Webhooks reference library accepts,
// with the payloads openapi.yaml describes: the workflow's revision.*
// events, then item.published with the purge list and the ETag the
// content API serves; during a rotation both secrets sign.
func TestSignedDelivery(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	rc := newReceiver(t, nil)
	id, secret := e.hook(t, rc.srv.URL+"/hook", "*")
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "published")

	types := []string{"revision.submit", "revision.approve", "revision.sign", "revision.clear", "revision.publish", "item.published"}
	got := rc.waitFor(t, 10*time.Second, "the publication's events", func(g []received) bool {
		for _, typ := range types {
			if len(ofType(t, g, typ)) == 0 {
				return false
			}
		}
		// Deliveries may arrive in any order: wait for the second
		// signature too, not only for one event of each type.
		return len(ofType(t, g, "revision.sign")) == 2 && len(g) >= 7
	})
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if err := wh.Verify(r.Body, r.Header); err != nil {
			t.Errorf("%s: the reference library refuses the signature: %v", r.Header.Get("webhook-id"), err)
		}
		checkPayload(t, r.Body)
		if r.Header.Get("Content-Type") != "application/json" || seen[r.Header.Get("webhook-id")] {
			t.Errorf("headers %v", r.Header)
		}
		seen[r.Header.Get("webhook-id")] = true
	}
	if n := len(ofType(t, got, "revision.sign")); n != 2 || len(got) != 7 {
		t.Errorf("%d requests, %d signatures: want 7 and 2 (leader and director)", len(got), n)
	}
	pub := payloadOf(t, ofType(t, got, "item.published")[0].Body)
	res := e.send(t, request{method: "GET", path: "/content/v1/items/" + strconv.FormatInt(itemID, 10)})
	if pub.Data["etag"] != res.Header.Get("ETag") || pub.Data["item_id"] != float64(itemID) || pub.Data["column"] != "guides-deposit" {
		t.Errorf("item.published data %v; the content API's ETag %s", pub.Data, res.Header.Get("ETag"))
	}
	if purge := pub.Data["purge"].([]any); len(purge) < 3 || purge[0].(map[string]any)["url"] != "/content/v1/items/"+strconv.FormatInt(itemID, 10) {
		t.Errorf("purge %v", purge)
	}
	if chans, _ := pub.Data["channels"].([]any); len(chans) == 0 {
		t.Errorf("channels %v", pub.Data["channels"])
	}
	for _, r := range ofType(t, got, "revision.submit") {
		if strings.Contains(string(r.Body), "住房公积金") {
			t.Errorf("a revision event carries unpublished content: %s", r.Body)
		}
	}

	// Rotation: both secrets sign until the overlap ends.
	var rotated struct {
		Secret string `json:"secret"`
	}
	e.must(t, http.StatusOK, "POST", webhookPath(id)+"/rotate-secret", e.admin, nil).decode(t, &rotated)
	n := len(rc.requests())
	e.fire(t, http.StatusOK, c.publisher, revID, "suspend", "内容有误")
	got = rc.waitFor(t, 10*time.Second, "item.suspended", func(g []received) bool { return len(ofType(t, g[n:], "item.suspended")) == 1 })
	sus := ofType(t, got[n:], "item.suspended")[0]
	newWH, _ := standardwebhooks.NewWebhook(rotated.Secret)
	if newWH.Verify(sus.Body, sus.Header) != nil || wh.Verify(sus.Body, sus.Header) != nil ||
		len(strings.Fields(sus.Header.Get("webhook-signature"))) != 2 {
		t.Errorf("during the overlap both secrets must sign: %s", sus.Header.Get("webhook-signature"))
	}
	if p := payloadOf(t, sus.Body); p.Data["etag"] != nil || p.Data["title"] != nil {
		t.Errorf("a suspension names no content: %v", p.Data)
	}
}

// TestRetryAfterTwoFailures: an endpoint that answers 500 twice gets the
// delivery on the third attempt; the log shows each attempt.
func TestRetryAfterTwoFailures(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			http.Error(w, "库满了", http.StatusInternalServerError)
		}
	})
	id, _ := e.hook(t, rc.srv.URL, "maintenance.changed")
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/app/maintenance", pub, map[string]any{"notice": ""})
	got := rc.waitFor(t, 10*time.Second, "three attempts", func(g []received) bool { return len(g) >= 3 })
	if len(got) != 3 || got[0].Header.Get("webhook-id") != got[2].Header.Get("webhook-id") {
		t.Fatalf("%d requests", len(got))
	}
	var log deliveryLog
	deadline := time.Now().Add(5 * time.Second)
	for {
		log = e.deliveries(t, id)
		if len(log.Deliveries) == 1 && log.Deliveries[0].State == "delivered" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := log.Deliveries[0]
	if d.State != "delivered" || d.Attempts != 3 || len(d.Log) != 3 || *d.Log[0].Status != 500 || *d.Log[2].Status != 200 ||
		d.Log[0].Error == nil || !strings.Contains(d.Log[0].Response, "库满了") || d.Log[2].Error != nil || d.Log[1].Attempt != 2 {
		t.Fatalf("delivery log %+v", d)
	}
	// Redelivery: the same body and id again.
	e.must(t, http.StatusAccepted, "POST", webhookPath(id)+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"/redeliver", e.admin, nil)
	again := rc.waitFor(t, 10*time.Second, "the redelivery", func(g []received) bool { return len(g) == 4 })
	if again[3].Header.Get("webhook-id") != got[0].Header.Get("webhook-id") || string(again[3].Body) != string(got[0].Body) {
		t.Errorf("redelivery differs: %s %s", again[3].Header.Get("webhook-id"), again[3].Body)
	}
	e.must(t, http.StatusNotFound, "POST", webhookPath(id+1)+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"/redeliver", e.admin, nil)
}

// TestDisabledAfterFailingTooLong: an endpoint whose deliveries fail for
// CMS_WEBHOOK_DISABLE_AFTER is switched off, its administrators are told,
// and nothing more is sent to it until it is switched on again.
func TestDisabledAfterFailingTooLong(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, func(cfg *app.Config) { cfg.Events.DisableAfter = 300 * time.Millisecond })
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	id, _ := e.hook(t, rc.srv.URL, "maintenance.changed")
	_, pub := e.user(t, "pub", "information", role{"publisher", "information"})
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/app/maintenance", pub, map[string]any{"notice": ""} /* a withdrawal is a maintenance.changed event too */)
	var w struct {
		Enabled        bool    `json:"enabled"`
		DisabledReason *string `json:"disabled_reason"`
		FailingSince   *string `json:"failing_since"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.must(t, http.StatusOK, "GET", webhookPath(id), e.admin, nil).decode(t, &w)
		if !w.Enabled || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if w.Enabled || w.DisabledReason == nil || w.FailingSince == nil {
		t.Fatalf("after failing for longer than the limit: %+v", w)
	}
	n := len(rc.requests())
	time.Sleep(300 * time.Millisecond)
	if len(rc.requests()) != n {
		t.Errorf("%d requests to a disabled endpoint", len(rc.requests())-n)
	}
	e.waitInbox(t, e.admin, "the administrators are told", func(notes []inboxNote) bool {
		return len(notes) > 0 && notes[0].Kind == "system" && strings.Contains(notes[0].Title, rc.srv.URL)
	})
}

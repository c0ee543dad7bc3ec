package outbound_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/outbound"
)

func TestRefusedNetworks(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.0.1": true,
		"169.254.169.254": true, "fe80::1": true, "fc00::1": true, "0.0.0.0": true, "::": true, "100.64.0.1": true,
		"224.0.0.1": true, "255.255.255.255": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"64:ff9b::7f00:1": true, "2002:7f00:1::": true, "198.18.0.1": true, "240.0.0.1": true,
		"93.184.215.14": false, "2606:4700::6810:84e5": false, "8.8.8.8": false, "::ffff:8.8.8.8": false, "64:ff9b::808:808": false,
	} {
		if got := outbound.Refused(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Refused(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestTheDialerChecksTheAddress: the check is made on the address the
// connection goes to, after the name was resolved: a name that resolves
// to loopback (as a rebinding DNS answer would) reaches nothing, whatever
// the early check said of the URL.
func TestTheDialerChecksTheAddress(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	s := outbound.NewSender(outbound.WebhookOptions{Timeout: 2 * time.Second})
	ctx := context.Background()
	for _, u := range []string{srv.URL, "http://localhost" + port + "/hook"} {
		res := s.Send(ctx, &cms.WebhookRequest{URL: u, MessageID: "msg_1", Timestamp: time.Now(), Body: []byte(`{}`)})
		if res.Status != 0 || !strings.Contains(res.Error, "refused") {
			t.Errorf("%s: %+v", u, res)
		}
		if err := s.CheckTarget(ctx, u); err == nil {
			t.Errorf("%s passed the early check", u)
		}
	}
	if hits != 0 {
		t.Errorf("the loopback server was reached %d times", hits)
	}
	open := outbound.NewSender(outbound.WebhookOptions{Timeout: 2 * time.Second, AllowPrivate: true})
	if res := open.Send(ctx, &cms.WebhookRequest{URL: srv.URL, MessageID: "msg_1", Timestamp: time.Now(), Body: []byte(`{}`)}); res.Status != 200 || hits != 1 {
		t.Errorf("with private networks allowed: %+v (%d hits)", res, hits)
	}
}

// TestSignaturesVerify: what Sign makes, the reference library accepts.
func TestSignaturesVerify(t *testing.T) {
	t.Parallel()
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw9c7jL9bPm7I="
	now := time.Now()
	body := []byte(`{"type":"item.published","timestamp":"2026-03-02T09:00:00Z","data":{"item_id":7}}`)
	sig, err := outbound.Sign(secret, "msg_7", now.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	wh, _ := standardwebhooks.NewWebhook(secret)
	h := http.Header{}
	h.Set("webhook-id", "msg_7")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("the reference library refuses %s: %v", sig, err)
	}
	if err := wh.Verify(append(body, ' '), h); err == nil {
		t.Error("a changed body verified")
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	got := outbound.Excerpt([]byte("ok\x00\x01\xff 好\n" + strings.Repeat("长", 600)))
	if strings.ContainsAny(got, "\x00\x01") || !strings.HasPrefix(got, "ok\uFFFD 好\n") || len(got) > outbound.ExcerptLimit {
		t.Errorf("excerpt %q (%d bytes)", got[:20], len(got))
	}
}

func TestMailAndRobotSettings(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"http://mail.example.com", "smtp://mail.example.com", "smtp://:25?from=a@b.c", "smtp://h:99999?from=a@b.c",
		"smtp://h?from=a@b.c&tls=maybe"} {
		if _, err := outbound.NewMailer(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	m, err := outbound.NewMailer("smtp://cms:pw@mail.example.gov.cn:587?from=cms@example.gov.cn")
	if err != nil || strings.Contains(m.String(), "pw") {
		t.Errorf("mailer %v %v", m, err)
	}
	if _, err := outbound.ParseRobots("office"); err == nil {
		t.Error("a robot without URL accepted")
	}
	r, err := outbound.ParseRobots("office=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1, collection=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k2")
	if err != nil || !r.Has("office") || !r.Has("collection") || r.Has("finance") {
		t.Errorf("robots %v %v", r, err)
	}
	err = r.Post(context.Background(), "finance", "x")
	if err == nil {
		t.Error("posted to a department without a robot")
	}
}

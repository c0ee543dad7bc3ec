package cms

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhook is an endpoint of another system (the WeChat backend, the App's
// push service, the centre's OA) that is told of events by signed HTTP
// requests (Standard Webhooks).
type Webhook struct {
	ID          int64
	URL         string
	Events      []EventType // the types it wants: exact types, "item.*", "revision.*" or "*"
	Description string
	Enabled     bool
	// DisabledReason says why the system switched it off ("" when an
	// administrator did, or it is on).
	DisabledReason string
	// Secret is the sealed signing secret (Keys.SealSecret); PrevSecret,
	// until PrevUntil, the one it replaced, which still signs meanwhile.
	Secret     string
	PrevSecret string
	PrevUntil  time.Time
	// FailingSince is when its deliveries began to fail (zero: the last
	// one succeeded).
	FailingSince time.Time
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Wants reports whether the endpoint subscribed to events of type t.
func (w *Webhook) Wants(t EventType) bool {
	for _, p := range w.Events {
		switch {
		case p == t, p == "*":
			return true
		case strings.HasSuffix(string(p), ".*") && strings.HasPrefix(string(t), strings.TrimSuffix(string(p), "*")):
			return true
		}
	}
	return false
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryState = "delivered" // the endpoint answered 2xx
	DeliveryFailed    DeliveryState = "failed"    // every attempt failed; given up
)

// Delivery is one event to be delivered to one endpoint, with its frozen
// body: every attempt, and a redelivery, sends the same bytes under the
// same message id.
type Delivery struct {
	ID        int64
	WebhookID int64
	EventID   int64
	Type      EventType
	MessageID string // webhook-id
	Payload   []byte
	State     DeliveryState
	Attempts  int       // attempts started
	NextAt    time.Time // when the next attempt is due (pending)
	// RedeliveryOf is the delivery an administrator asked to send again.
	RedeliveryOf int64
	CreatedAt    time.Time
	DeliveredAt  time.Time
	// Log holds the attempts, oldest first (filled by delivery listings).
	Log []DeliveryAttempt
	// Endpoint is the webhook it goes to (filled when claimed).
	Endpoint *Webhook
}

// DeliveryAttempt is one try at delivering: what the endpoint answered.
type DeliveryAttempt struct {
	DeliveryID int64
	Attempt    int
	At         time.Time
	Status     int // HTTP status; 0 when no answer came
	Latency    time.Duration
	Error      string // why it failed when no 2xx came (timeout, refused, redirect …)
	Response   string // the start of the answer's body
}

// OK reports whether the endpoint accepted the delivery.
func (a *DeliveryAttempt) OK() bool { return a.Status >= 200 && a.Status < 300 && a.Error == "" }

// WebhookRequest is one signed request to an endpoint.
type WebhookRequest struct {
	URL       string
	MessageID string
	Timestamp time.Time
	Body      []byte
	// Secrets sign the request, the current one first ("whsec_…"); during
	// a rotation's overlap the previous one signs too.
	Secrets []string
}

// WebhookResponse is what came back.
type WebhookResponse struct {
	Status   int
	Latency  time.Duration
	Response string // the start of the body
	Error    string // "" when an answer came; else why none did
}

// WebhookSender sends signed requests (package outbound): with a timeout,
// following no redirects, reading a bounded part of the answer, and never
// to a network webhooks may not reach.
type WebhookSender interface {
	Send(ctx context.Context, r *WebhookRequest) WebhookResponse
	// CheckTarget refuses a URL whose host is, or resolves to, an address
	// on a refused network (loopback, private, link-local …).
	CheckTarget(ctx context.Context, rawURL string) error
}

// WebhookConfig tunes delivery.
type WebhookConfig struct {
	// RetryBase scales the retry schedule (CMS_WEBHOOK_RETRY_BASE, 5 s:
	// the last retry comes about a day after the first attempt).
	RetryBase time.Duration
	// Lease is how long a claimed delivery is held by the process that
	// claimed it; another process takes it over only after that (it must
	// be longer than an attempt's timeout).
	Lease time.Duration
	// DisableAfter switches off an endpoint whose deliveries have failed
	// without a success for this long.
	DisableAfter time.Duration
	// SecretOverlap is how long a rotated secret keeps signing beside the
	// new one, unless the rotation says otherwise.
	SecretOverlap time.Duration
}

// MaxDeliveryAttempts is how many times a delivery is tried before it is
// given up: the first attempt and nine retries.
const MaxDeliveryAttempts = 10

// RetryDelay is how long after failed attempt n (1-based) the next one
// comes: base × 4^(n−1), at most base × 5760, each ±20 % at random so that
// endpoints coming back are not hit by every retry at once. With a base of
// 5 s: 5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, then 8 h twice;
// the tenth attempt comes about 23.6 h after the first.
func RetryDelay(base time.Duration, n int, jitter float64) time.Duration {
	f := math.Min(math.Pow(4, float64(max(n, 1)-1)), 5760)
	return time.Duration(float64(base) * f * (0.8 + 0.4*jitter))
}

// GiveUpAfter is how long after its first attempt a delivery that never
// succeeds is given up, without jitter.
func GiveUpAfter(base time.Duration) time.Duration {
	var d time.Duration
	for n := 1; n < MaxDeliveryAttempts; n++ {
		d += RetryDelay(base, n, 0.5)
	}
	return d
}

// newWebhookSecret draws a signing secret in the Standard Webhooks form:
// "whsec_" and 32 random bytes in base64.
func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// webhookSecretPurpose binds sealed webhook secrets to their use.
const webhookSecretPurpose = "webhook signing secret"

// checkWebhookURL refuses what is not an http(s) URL of a host, or carries
// credentials.
func checkWebhookURL(fe *FieldErrors, raw string) {
	u, err := url.Parse(raw)
	switch {
	case raw == "" || len(raw) > 2000:
		fe.Add("url", "must be an http or https URL of at most 2000 bytes")
	case err != nil || !u.IsAbs() || u.Opaque != "":
		fe.Add("url", "must be an absolute http or https URL")
	case u.Scheme != "http" && u.Scheme != "https":
		fe.Add("url", "must use http or https")
	case u.User != nil:
		fe.Add("url", "must not carry credentials: the signature authenticates the sender")
	case u.Hostname() == "":
		fe.Add("url", "must name a host")
	case u.Fragment != "" || strings.ContainsAny(raw, " \t\r\n"):
		fe.Add("url", "must have no fragment and no spaces")
	}
}

// checkWebhookEvents validates a subscription and returns it without
// repetitions, in the order given.
func checkWebhookEvents(fe *FieldErrors, in []EventType) []EventType {
	if len(in) == 0 || len(in) > 50 {
		fe.Add("events", "must list 1 to 50 event types")
		return nil
	}
	known := WebhookEventTypes()
	var out []EventType
	for i, t := range in {
		if !slices.Contains(known, t) && t != "*" && t != "item.*" && t != "revision.*" {
			fe.Add("events["+itoa(i)+"]", "must be an event type such as item.published, revision.submit, item.*, revision.* or *")
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func checkWebhookDescription(fe *FieldErrors, d string) {
	if utf8.RuneCountInString(d) > 500 {
		fe.Add("description", "must be at most 500 characters")
	}
}

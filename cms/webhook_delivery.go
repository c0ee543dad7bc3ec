package cms

import (
	"context"
	"math/rand/v2"
	"time"
)

// Delivering: each process claims due deliveries (a lease, so that one
// process at a time attempts each), sends them, and records what came
// back. A delivery that fails is tried again on the retry schedule
// (RetryDelay) until MaxDeliveryAttempts; an endpoint that has failed for
// Config.DisableAfter without a success is switched off and the
// administrators are told (the webhook.disabled event).

// ClaimDeliveries leases up to limit due deliveries to owner.
func (s *WebhookService) ClaimDeliveries(ctx context.Context, owner string, limit int) ([]Delivery, error) {
	return s.Store.ClaimDeliveries(ctx, owner, s.Clock.Now(), s.Config.Lease, limit)
}

// NextDeliveryAt returns when the earliest pending delivery is due.
func (s *WebhookService) NextDeliveryAt(ctx context.Context) (time.Time, bool, error) {
	return s.Store.NextDeliveryAt(ctx)
}

// Attempt sends a delivery owner claimed and records the outcome. When
// ctx ends before an answer came (the process is stopping), the delivery
// is given back without counting the attempt.
func (s *WebhookService) Attempt(ctx context.Context, owner string, d *Delivery) error {
	w := d.Endpoint
	secrets, err := s.signingSecrets(w)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	res := s.Sender.Send(ctx, &WebhookRequest{URL: w.URL, MessageID: d.MessageID, Timestamp: now, Body: d.Payload, Secrets: secrets})
	if ctx.Err() != nil {
		return s.Store.ReleaseDelivery(context.WithoutCancel(ctx), owner, d.ID)
	}
	a := DeliveryAttempt{DeliveryID: d.ID, Attempt: d.Attempts, At: now, Status: res.Status, Latency: res.Latency,
		Error: res.Error, Response: res.Response}
	metricsOf(s.Metrics).Delivery(DeliveryWebhook, a.OK(), a.Latency)
	if !a.OK() && a.Error == "" {
		a.Error = "the endpoint answered " + itoa(a.Status)
	}
	switch {
	case a.OK():
		d.State, d.DeliveredAt = DeliveryDelivered, s.Clock.Now()
	case d.Attempts >= MaxDeliveryAttempts:
		d.State = DeliveryFailed
	default:
		d.State, d.NextAt = DeliveryPending, now.Add(RetryDelay(s.Config.RetryBase, d.Attempts, s.random()))
	}
	failingSince, held, err := s.Store.FinishAttempt(context.WithoutCancel(ctx), owner, d, a)
	if err != nil || !held || a.OK() || failingSince.IsZero() || now.Sub(failingSince) < s.Config.DisableAfter {
		return err
	}
	return s.disable(context.WithoutCancel(ctx), w, failingSince, now)
}

// disable switches off an endpoint that has failed since failingSince; the
// audit entry's event tells the administrators.
func (s *WebhookService) disable(ctx context.Context, w *Webhook, failingSince, now time.Time) error {
	reason := "every delivery since " + failingSince.UTC().Format(time.RFC3339) + " failed"
	audit := NewAuditEntry(now, 0, AuditWebhookDisabled, webhookSubject(w.ID),
		map[string]any{"url": w.URL, "failing_since": failingSince.UTC().Format(time.RFC3339), "reason": reason})
	_, err := s.Store.DisableWebhook(ctx, w.ID, reason, audit)
	return err
}

// signingSecrets opens the endpoint's secrets: the current one, and the
// previous one while its overlap lasts.
func (s *WebhookService) signingSecrets(w *Webhook) ([]string, error) {
	cur, err := s.Keys.OpenSecret(w.Secret, webhookSecretPurpose)
	if err != nil {
		return nil, err
	}
	out := []string{cur}
	if w.PrevSecret != "" && s.Clock.Now().Before(w.PrevUntil) {
		if prev, err := s.Keys.OpenSecret(w.PrevSecret, webhookSecretPurpose); err == nil {
			out = append(out, prev)
		}
	}
	return out, nil
}

func (s *WebhookService) random() float64 {
	if s.Random != nil {
		return s.Random()
	}
	return rand.Float64()
}

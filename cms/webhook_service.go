package cms

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Audit actions of webhook management.
const (
	AuditWebhookCreated     = "webhook_created"
	AuditWebhookUpdated     = "webhook_updated"
	AuditWebhookDeleted     = "webhook_deleted"
	AuditWebhookRotated     = "webhook_secret_rotated"
	AuditWebhookRedelivered = "webhook_redelivered"
)

// WebhookService lets administrators register the endpoints of the
// centre's other systems and follow what was delivered to them, and
// delivers events to them (webhook_delivery.go).
type WebhookService struct {
	Store      WebhookStore
	Sender     WebhookSender
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Keys       *Keys
	Config     WebhookConfig
	// Random returns numbers in [0, 1) for the retry schedule's jitter;
	// nil means the system's.
	Random func() float64
	// Metrics counts the attempts and their latency (nil: nothing).
	Metrics Metrics
}

func (s *WebhookService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// WebhookInput is what an administrator sets on an endpoint; nil fields
// of an update stay as they are.
type WebhookInput struct {
	URL         *string
	Events      *[]EventType
	Description *string
	Enabled     *bool
}

// CreatedWebhook is a new endpoint with its secret in clear, shown once.
type CreatedWebhook struct {
	Webhook *Webhook
	Secret  string
	// PreviousValidUntil, after a rotation, is when the old secret stops signing.
	PreviousValidUntil time.Time
}

func webhookSubject(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }

// Create registers an endpoint; its secret is returned this once.
func (s *WebhookService) Create(ctx context.Context, p *Principal, in WebhookInput) (*CreatedWebhook, error) {
	if err := s.guard().write(ctx, p, ActWebhookManage, Resource{}, "webhooks"); err != nil {
		return nil, err
	}
	w := &Webhook{Enabled: true}
	if in.URL == nil || in.Events == nil {
		var fe FieldErrors
		if in.URL == nil {
			fe.Add("url", "is required")
		}
		if in.Events == nil {
			fe.Add("events", "is required")
		}
		return nil, fe.Err("invalid webhook")
	}
	if err := s.apply(ctx, w, in); err != nil {
		return nil, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	if w.Secret, err = s.Keys.SealSecret(secret, webhookSecretPurpose); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	w.CreatedBy, w.CreatedAt, w.UpdatedAt = p.User.ID, now, now
	audit := NewAuditEntry(now, p.User.ID, AuditWebhookCreated, "webhooks", webhookDetail(w))
	if err := s.Store.CreateWebhook(ctx, w, audit); err != nil {
		return nil, err
	}
	return &CreatedWebhook{Webhook: w, Secret: secret}, nil
}

// apply validates in and sets it on w; the URL's host must not be on a
// refused network.
func (s *WebhookService) apply(ctx context.Context, w *Webhook, in WebhookInput) error {
	var fe FieldErrors
	if in.URL != nil {
		checkWebhookURL(&fe, *in.URL)
	}
	var events []EventType
	if in.Events != nil {
		events = checkWebhookEvents(&fe, *in.Events)
	}
	if in.Description != nil {
		checkWebhookDescription(&fe, *in.Description)
	}
	if err := fe.Err("invalid webhook"); err != nil {
		return err
	}
	if in.URL != nil && *in.URL != w.URL {
		if err := s.Sender.CheckTarget(ctx, *in.URL); err != nil {
			return Invalid("refused webhook target", FieldError{Field: "url", Message: err.Error()})
		}
		w.URL = *in.URL
	}
	if in.Events != nil {
		w.Events = events
	}
	if in.Description != nil {
		w.Description = strings.TrimSpace(*in.Description)
	}
	if in.Enabled != nil {
		if *in.Enabled && !w.Enabled {
			w.DisabledReason, w.FailingSince = "", time.Time{}
		}
		w.Enabled = *in.Enabled
	}
	return nil
}

func webhookDetail(w *Webhook) map[string]any {
	events := make([]string, len(w.Events))
	for i, e := range w.Events {
		events[i] = string(e)
	}
	return map[string]any{"url": w.URL, "events": events, "enabled": w.Enabled, "description": w.Description}
}

// List returns every endpoint.
func (s *WebhookService) List(ctx context.Context, p *Principal) ([]Webhook, error) {
	if err := authorize(ctx, s.Authorizer, p, ActWebhookManage, Resource{}); err != nil {
		return nil, err
	}
	return s.Store.Webhooks(ctx)
}

// Get returns one endpoint.
func (s *WebhookService) Get(ctx context.Context, p *Principal, id int64) (*Webhook, error) {
	if err := authorize(ctx, s.Authorizer, p, ActWebhookManage, Resource{}); err != nil {
		return nil, err
	}
	return s.Store.Webhook(ctx, id)
}

// Update changes an endpoint: its URL, events, description, or whether it
// is on (turning it on again resumes its pending deliveries).
func (s *WebhookService) Update(ctx context.Context, p *Principal, id int64, in WebhookInput) (*Webhook, error) {
	if err := s.guard().write(ctx, p, ActWebhookManage, Resource{}, webhookSubject(id)); err != nil {
		return nil, err
	}
	w, err := s.Store.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, w, in); err != nil {
		return nil, err
	}
	w.UpdatedAt = s.Clock.Now()
	if err := s.Store.UpdateWebhook(ctx, w, NewAuditEntry(w.UpdatedAt, p.User.ID, AuditWebhookUpdated, webhookSubject(id), webhookDetail(w))); err != nil {
		return nil, err
	}
	return w, nil
}

// Delete removes an endpoint; its pending deliveries stop.
func (s *WebhookService) Delete(ctx context.Context, p *Principal, id int64) error {
	if err := s.guard().write(ctx, p, ActWebhookManage, Resource{}, webhookSubject(id)); err != nil {
		return err
	}
	w, err := s.Store.Webhook(ctx, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteWebhook(ctx, id, NewAuditEntry(s.Clock.Now(), p.User.ID, AuditWebhookDeleted, webhookSubject(id), webhookDetail(w)))
}

// RotateSecret gives an endpoint a new secret, returned this once. The old
// one keeps signing beside it for overlap (0: the configured default), so
// that the receiver can switch without losing a delivery.
func (s *WebhookService) RotateSecret(ctx context.Context, p *Principal, id int64, overlap time.Duration) (*CreatedWebhook, error) {
	if err := s.guard().write(ctx, p, ActWebhookManage, Resource{}, webhookSubject(id)); err != nil {
		return nil, err
	}
	if overlap < 0 || overlap > 30*24*time.Hour {
		return nil, Invalid("invalid overlap", FieldError{Field: "overlap_seconds", Message: "must be from 0 to 2592000 (30 days)"})
	}
	if overlap == 0 {
		overlap = s.Config.SecretOverlap
	}
	w, err := s.Store.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := s.Keys.SealSecret(secret, webhookSecretPurpose)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	w.PrevSecret, w.PrevUntil, w.Secret, w.UpdatedAt = w.Secret, now.Add(overlap), sealed, now
	audit := NewAuditEntry(now, p.User.ID, AuditWebhookRotated, webhookSubject(id),
		map[string]any{"previous_valid_until": w.PrevUntil.UTC().Format(time.RFC3339)})
	if err := s.Store.UpdateWebhook(ctx, w, audit); err != nil {
		return nil, err
	}
	return &CreatedWebhook{Webhook: w, Secret: secret, PreviousValidUntil: w.PrevUntil}, nil
}

// Deliveries lists an endpoint's deliveries, newest first, with every
// attempt: status, latency, the start of the answer.
func (s *WebhookService) Deliveries(ctx context.Context, p *Principal, id int64, cursor string, limit int) ([]Delivery, string, error) {
	if err := authorize(ctx, s.Authorizer, p, ActWebhookManage, Resource{}); err != nil {
		return nil, "", err
	}
	limit, err := checkLimit(limit)
	if err != nil {
		return nil, "", err
	}
	var before int64
	if cursor != "" {
		if before, err = strconv.ParseInt(cursor, 10, 64); err != nil || before <= 0 {
			return nil, "", Invalid("invalid cursor", FieldError{Field: "cursor", Message: "is not a cursor this API issued"})
		}
	}
	if _, err := s.Store.Webhook(ctx, id); err != nil {
		return nil, "", err
	}
	ds, err := s.Store.Deliveries(ctx, id, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ds) > limit {
		ds, next = ds[:limit], strconv.FormatInt(ds[limit-1].ID, 10)
	}
	return ds, next, nil
}

// Redeliver sends a delivery again, as a new delivery with the same body
// and message id, attempted at once.
func (s *WebhookService) Redeliver(ctx context.Context, p *Principal, webhookID, deliveryID int64) (*Delivery, error) {
	if err := s.guard().write(ctx, p, ActWebhookManage, Resource{}, webhookSubject(webhookID)); err != nil {
		return nil, err
	}
	d, err := s.Store.Delivery(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	if d.WebhookID != webhookID {
		return nil, Errorf(ENOTFOUND, "delivery not found")
	}
	now := s.Clock.Now()
	again := &Delivery{WebhookID: webhookID, EventID: d.EventID, Type: d.Type, MessageID: d.MessageID, Payload: d.Payload,
		State: DeliveryPending, NextAt: now, RedeliveryOf: d.ID, CreatedAt: now}
	audit := NewAuditEntry(now, p.User.ID, AuditWebhookRedelivered, webhookSubject(webhookID),
		map[string]any{"delivery_id": d.ID, "message_id": d.MessageID})
	if err := s.Store.AddDelivery(ctx, again, audit); err != nil {
		return nil, err
	}
	return again, nil
}

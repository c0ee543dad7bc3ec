package cms

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sending messages works as delivering webhooks: each process claims due
// messages under a lease, sends them, and records the outcome; a failure
// is retried on RetryDelay's schedule until MaxDeliveryAttempts.

// ClaimMessages leases up to limit due messages to owner.
func (s *NotificationService) ClaimMessages(ctx context.Context, owner string, limit int) ([]Message, error) {
	return s.Store.ClaimMessages(ctx, owner, s.Clock.Now(), s.Config.Lease, limit)
}

// NextMessageAt returns when the earliest pending message is due.
func (s *NotificationService) NextMessageAt(ctx context.Context) (time.Time, bool, error) {
	return s.Store.NextMessageAt(ctx)
}

// SendMessage sends a message owner claimed and records the outcome; when
// ctx ends first, the message is given back.
func (s *NotificationService) SendMessage(ctx context.Context, owner string, m *Message) error {
	var err error
	start := time.Now()
	switch {
	case m.Channel == ChannelEmail && s.Mailer != nil:
		err = s.Mailer.Send(ctx, m.To, m.Subject, m.Body)
	case m.Channel == ChannelWeCom && s.Robots != nil:
		err = s.Robots.Post(ctx, m.To, m.Body)
	default:
		err = Errorf(EUNAVAILABLE, "no %s channel is configured", m.Channel)
	}
	if ctx.Err() != nil {
		return s.Store.ReleaseMessage(context.WithoutCancel(ctx), owner, m.ID)
	}
	metricsOf(s.Metrics).Delivery(string(m.Channel), err == nil, time.Since(start))
	now := s.Clock.Now()
	switch {
	case err == nil:
		m.State, m.SentAt, m.LastError = DeliveryDelivered, now, ""
	case m.Attempts >= MaxDeliveryAttempts:
		m.State, m.LastError = DeliveryFailed, clip(err.Error(), 500)
	default:
		r := rand.Float64()
		if s.Random != nil {
			r = s.Random()
		}
		m.State, m.LastError, m.NextAt = DeliveryPending, clip(err.Error(), 500), now.Add(RetryDelay(s.Config.RetryBase, m.Attempts, r))
	}
	_, ferr := s.Store.FinishMessage(context.WithoutCancel(ctx), owner, m)
	return ferr
}

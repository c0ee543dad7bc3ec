package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

type webhookJSON struct {
	ID                       int64           `json:"id"`
	URL                      string          `json:"url"`
	Events                   []cms.EventType `json:"events"`
	Description              string          `json:"description"`
	Enabled                  bool            `json:"enabled"`
	DisabledReason           *string         `json:"disabled_reason"`
	FailingSince             *time.Time      `json:"failing_since"`
	PreviousSecretValidUntil *time.Time      `json:"previous_secret_valid_until"`
	CreatedAt                time.Time       `json:"created_at"`
	UpdatedAt                time.Time       `json:"updated_at"`
}

func toWebhookJSON(w *cms.Webhook, now time.Time) webhookJSON {
	out := webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, Description: w.Description, Enabled: w.Enabled,
		FailingSince: timePtr(w.FailingSince), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if out.Events == nil {
		out.Events = []cms.EventType{}
	}
	if w.DisabledReason != "" && !w.Enabled {
		out.DisabledReason = &w.DisabledReason
	}
	if w.PrevSecret != "" && now.Before(w.PrevUntil) {
		out.PreviousSecretValidUntil = timePtr(w.PrevUntil)
	}
	return out
}

// createdWebhookJSON is an endpoint with its secret, shown once.
type createdWebhookJSON struct {
	webhookJSON
	Secret string `json:"secret"`
}

type webhookCreateRequest struct {
	URL         string          `json:"url"`
	Events      []cms.EventType `json:"events"`
	Description string          `json:"description"`
}

// webhookUpdateRequest: absent or null fields stay as they are; events
// may be absent but not null.
type webhookUpdateRequest struct {
	URL         *string         `json:"url"`
	Events      []cms.EventType `json:"events"`
	Description *string         `json:"description"`
	Enabled     *bool           `json:"enabled"`
}

func (s *Server) now() time.Time { return s.svc.Webhooks.Clock.Now() }

func (s *Server) handleWebhookCreate(c echo.Context) error {
	var req webhookCreateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.Events == nil {
		return cms.Invalid("invalid webhook", cms.FieldError{Field: "events", Message: "is required"})
	}
	in := cms.WebhookInput{URL: &req.URL, Events: &req.Events, Description: &req.Description}
	w, err := s.svc.Webhooks.Create(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/webhooks/"+strconv.FormatInt(w.Webhook.ID, 10))
	return respond(c, http.StatusCreated, createdWebhookJSON{toWebhookJSON(w.Webhook, s.now()), w.Secret})
}

func (s *Server) handleWebhookList(c echo.Context) error {
	ws, err := s.svc.Webhooks.List(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	out := make([]webhookJSON, len(ws))
	for i := range ws {
		out[i] = toWebhookJSON(&ws[i], s.now())
	}
	return respond(c, http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) handleWebhookGet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.svc.Webhooks.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toWebhookJSON(w, s.now()))
}

func (s *Server) handleWebhookUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req webhookUpdateRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	in := cms.WebhookInput{URL: req.URL, Description: req.Description, Enabled: req.Enabled}
	if req.Events != nil {
		in.Events = &req.Events
	}
	w, err := s.svc.Webhooks.Update(c.Request().Context(), principal(c), id, in)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, toWebhookJSON(w, s.now()))
}

func (s *Server) handleWebhookDelete(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Webhooks.Delete(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type rotateRequest struct {
	OverlapSeconds *int64 `json:"overlap_seconds"`
}

func (s *Server) handleWebhookRotate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req rotateRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	var overlap time.Duration
	if req.OverlapSeconds != nil {
		if *req.OverlapSeconds < 1 || *req.OverlapSeconds > 30*86400 {
			return cms.Invalid("invalid overlap", cms.FieldError{Field: "overlap_seconds", Message: "must be from 1 to 2592000 (30 days)"})
		}
		overlap = time.Duration(*req.OverlapSeconds) * time.Second
	}
	w, err := s.svc.Webhooks.RotateSecret(c.Request().Context(), principal(c), id, overlap)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, createdWebhookJSON{toWebhookJSON(w.Webhook, s.now()), w.Secret})
}

type attemptJSON struct {
	Attempt   int       `json:"attempt"`
	At        time.Time `json:"at"`
	Status    *int      `json:"status"`
	LatencyMS float64   `json:"latency_ms"`
	Error     *string   `json:"error"`
	Response  string    `json:"response"`
}

type deliveryJSON struct {
	ID            int64           `json:"id"`
	EventID       int64           `json:"event_id"`
	Type          cms.EventType   `json:"type"`
	MessageID     string          `json:"message_id"`
	State         string          `json:"state"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt *time.Time      `json:"next_attempt_at"`
	RedeliveryOf  *int64          `json:"redelivery_of"`
	CreatedAt     time.Time       `json:"created_at"`
	DeliveredAt   *time.Time      `json:"delivered_at"`
	Payload       json.RawMessage `json:"payload"`
	Log           []attemptJSON   `json:"log"`
}

func toDeliveryJSON(d *cms.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, EventID: d.EventID, Type: d.Type, MessageID: d.MessageID, State: string(d.State),
		Attempts: d.Attempts, CreatedAt: d.CreatedAt, DeliveredAt: timePtr(d.DeliveredAt), Payload: d.Payload, Log: []attemptJSON{}}
	if d.State == cms.DeliveryPending {
		out.NextAttemptAt = timePtr(d.NextAt)
	}
	if d.RedeliveryOf != 0 {
		out.RedeliveryOf = &d.RedeliveryOf
	}
	if !json.Valid(out.Payload) {
		out.Payload = json.RawMessage(`{}`)
	}
	for _, a := range d.Log {
		j := attemptJSON{Attempt: a.Attempt, At: a.At, LatencyMS: float64(a.Latency.Microseconds()) / 1000, Response: a.Response}
		if a.Status != 0 {
			j.Status = &a.Status
		}
		if a.Error != "" {
			j.Error = &a.Error
		}
		out.Log = append(out.Log, j)
	}
	return out
}

func (s *Server) handleDeliveryList(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	ds, next, err := s.svc.Webhooks.Deliveries(c.Request().Context(), principal(c), id, c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(ds))
	for i := range ds {
		out[i] = toDeliveryJSON(&ds[i])
	}
	return respond(c, http.StatusOK, map[string]any{"deliveries": out, "next_cursor": cursorJSON(next)})
}

func (s *Server) handleRedeliver(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	did, err := pathID(c, "did")
	if err != nil {
		return err
	}
	d, err := s.svc.Webhooks.Redeliver(c.Request().Context(), principal(c), id, did)
	if err != nil {
		return err
	}
	return respond(c, http.StatusAccepted, toDeliveryJSON(d))
}

package outbound

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tlhpf/cms/cms"
)

// Limits of what is read of an endpoint's answer.
const (
	// ResponseLimit is how much of an answer is read; the connection of a
	// longer one is closed, not drained.
	ResponseLimit = 64 << 10
	// ExcerptLimit is how much of it the delivery log keeps.
	ExcerptLimit = 1 << 10
)

// WebhookOptions configure a Sender.
type WebhookOptions struct {
	// Timeout bounds an attempt, from connecting to the end of the answer (10 s).
	Timeout time.Duration
	// AllowPrivate lets webhooks reach loopback and private networks
	// (CMS_WEBHOOK_ALLOW_PRIVATE), for tests and closed installations.
	AllowPrivate bool
	// UserAgent names the sender.
	UserAgent string
}

// Sender delivers webhook requests. It follows no redirects, reads at most
// ResponseLimit of an answer, gives up after Timeout, and never connects
// to a refused address.
type Sender struct {
	client *http.Client
	guard  guard
	opts   WebhookOptions
}

var _ cms.WebhookSender = (*Sender)(nil)

// NewSender builds a Sender with its own connection pool.
func NewSender(opts WebhookOptions) *Sender {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "tlhpf-cms-webhooks/1"
	}
	g := guard{allowPrivate: opts.AllowPrivate}
	dialer := &net.Dialer{Timeout: min(opts.Timeout, 5*time.Second), KeepAlive: 30 * time.Second, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would be checked instead of the endpoint
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   min(opts.Timeout, 5*time.Second),
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	client := &http.Client{Transport: tr, Timeout: opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Sender{client: client, guard: g, opts: opts}
}

// CheckTarget refuses a URL whose host is, or resolves to, a refused address.
func (s *Sender) CheckTarget(ctx context.Context, rawURL string) error {
	return s.guard.check(ctx, rawURL)
}

// Close releases idle connections.
func (s *Sender) Close() { s.client.CloseIdleConnections() }

// Send makes one signed attempt.
func (s *Sender) Send(ctx context.Context, r *cms.WebhookRequest) cms.WebhookResponse {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return cms.WebhookResponse{Error: "the URL cannot be requested: " + err.Error()}
	}
	ts := r.Timestamp.Unix()
	sigs := make([]string, 0, len(r.Secrets))
	for _, secret := range r.Secrets {
		sig, err := Sign(secret, r.MessageID, ts, r.Body)
		if err != nil {
			return cms.WebhookResponse{Error: "the secret cannot sign: " + err.Error()}
		}
		sigs = append(sigs, sig)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", s.opts.UserAgent)
	h.Set("webhook-id", r.MessageID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", strings.Join(sigs, " "))
	res, err := s.client.Do(req)
	if err != nil {
		return cms.WebhookResponse{Latency: time.Since(start), Error: describe(err, s.opts.Timeout)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, ResponseLimit))
	out := cms.WebhookResponse{Status: res.StatusCode, Latency: time.Since(start), Response: Excerpt(body)}
	switch {
	case err != nil:
		out.Error = "the answer broke off: " + describe(err, s.opts.Timeout)
	case res.StatusCode >= 300 && res.StatusCode < 400:
		out.Error = "redirect to " + clip(Excerpt([]byte(res.Header.Get("Location"))), 200) + " not followed"
	}
	return out
}

// Sign returns the Standard Webhooks signature of a message: "v1," and the
// base64 HMAC-SHA256, under the secret's key ("whsec_" and base64), of
// id.timestamp.body.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// describe puts a failed request into words for the delivery log.
func describe(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrRefusedNetwork):
		return "refused: the address is loopback, private or otherwise internal"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed without an answer"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "the host does not resolve"
	}
	return clip(err.Error(), 300)
}

// Excerpt is the start of an answer as the delivery log keeps it: valid
// UTF-8 without control characters (tab and line breaks kept), at most
// ExcerptLimit bytes.
func Excerpt(b []byte) string {
	if len(b) > ExcerptLimit {
		b = b[:ExcerptLimit]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	for len(s) > ExcerptLimit || !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

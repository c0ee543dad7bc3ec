package outbound

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tlhpf/cms/cms"
)

// Mailer sends e-mail over SMTP.
type Mailer struct {
	host     string
	opts     []gomail.Option
	from     string
	username string
}

var _ cms.Mailer = (*Mailer)(nil)

// NewMailer reads an SMTP URL: smtp://user:pass@host:587?from=cms@example.gov.cn
// (STARTTLS when the server offers it; tls=required insists on it,
// tls=none never uses it, and then sends the password in clear), or
// smtps://… for TLS from the start (port 465).
// Credentials are optional; from is required.
func NewMailer(raw string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("want smtp://user:pass@host:port?from=address or smtps://…")
	}
	q := u.Query()
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, fmt.Errorf("from: want the sender's address, got %q", q.Get("from"))
	}
	m := &Mailer{host: u.Hostname(), from: from.String(), opts: []gomail.Option{gomail.WithTimeout(30 * time.Second)}}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		m.opts = append(m.opts, gomail.WithSSL())
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("port: want 1 to 65535, got %q", p)
		}
	}
	m.opts = append(m.opts, gomail.WithPort(port))
	auth := gomail.SMTPAuthPlain // refused by go-mail on a connection without TLS
	switch q.Get("tls") {
	case "", "opportunistic":
		m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "required":
		m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "none":
		// The operator chose a server without TLS (one on the same host or
		// a closed network): the password then travels in clear.
		m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.NoTLS))
		auth = gomail.SMTPAuthPlainNoEnc
	default:
		return nil, fmt.Errorf("tls: want opportunistic, required or none, got %q", q.Get("tls"))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		m.username = u.User.Username()
		m.opts = append(m.opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(m.username), gomail.WithPassword(pass))
	}
	return m, nil
}

// Send sends one plain-text message.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return err
	}
	if err := msg.To(to); err != nil {
		return err
	}
	msg.Subject(subject)
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, body)
	c, err := gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// String names the server without the password, for logs.
func (m *Mailer) String() string {
	if m.username != "" {
		return m.username + "@" + m.host
	}
	return m.host
}

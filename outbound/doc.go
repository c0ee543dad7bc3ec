// Package outbound sends what leaves the centre's network on the CMS's
// behalf: signed webhook requests (Standard Webhooks) to the endpoints of
// other systems, e-mail over SMTP (github.com/wneessen/go-mail) and
// markdown messages to 企业微信 group robots. It implements the ports
// cms.WebhookSender, cms.Mailer and cms.Robots.
//
// Webhook targets are chosen by administrators, so every connection is
// checked where it is made: the dialer refuses loopback, private,
// link-local and other internal addresses after the name was resolved,
// so that a name that resolves to one (DNS rebinding included) reaches
// nothing inside (unless AllowPrivate, for tests and closed networks).
package outbound

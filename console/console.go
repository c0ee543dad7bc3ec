package console

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tlhpf/cms/cms"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Options configure the console.
type Options struct {
	// CookieSecure marks the session cookie Secure even on plain HTTP (set
	// it behind a proxy that terminates TLS); requests over TLS always get
	// a Secure cookie.
	CookieSecure bool
	// Clock tells the time for "3小时前"; nil means the system clock.
	Clock cms.Clock
	// Classify names the faults of the infrastructure (database, disk,
	// object store) among errors without a code of the vocabulary.
	Classify func(error) error
	// Observer counts every request answered, for the operators' metrics
	// (nil: none).
	Observer Observer
}

// Observer counts answered requests: route is the page's pattern ("":
// none matched), status its status code.
type Observer interface {
	Request(route, method string, status int, took time.Duration)
}

// Console is the staff console's HTTP handler.
type Console struct {
	svc    *cms.Services
	opts   Options
	ids    cms.RequestIDs
	faults cms.FaultGate // thins out the log lines of faults
	log    *slog.Logger
	pages  *pages
	assets *assets
	mux    *http.ServeMux
}

// New builds the console over the services.
func New(svc *cms.Services, opts Options, log *slog.Logger) (*Console, error) {
	if opts.Clock == nil {
		opts.Clock = cms.SystemClock{}
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	ps, err := loadPages(as)
	if err != nil {
		return nil, err
	}
	c := &Console{svc: svc, opts: opts, log: log, ids: cms.NewRequestIDs(), pages: ps, assets: as, mux: http.NewServeMux()}
	c.routes()
	return c, nil
}

// Handler returns the console as an http.Handler for requests under Prefix.
func (c *Console) Handler() http.Handler { return c.secure(c.logged(c.mux)) }

// routes registers every page in one place: the public ones first, then
// those that need a signed-in user. Posts check the CSRF token unless
// marked otherwise (the upload checks it in its multipart body).
func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /console/static/{name}", c.assets.serve)
	m.HandleFunc("GET /console/login", c.handleLoginShow)
	m.HandleFunc("POST /console/login", c.handleLoginCheck)

	m.Handle("GET /console/{$}", c.user(c.handleHome))
	m.Handle("POST /console/logout", c.user(c.handleLogout))
	m.Handle("GET /console/password", c.user(c.handlePasswordShow))
	m.Handle("POST /console/password", c.user(c.handlePasswordChange))
	m.Handle("GET /console/otp", c.user(c.handleOTP))
	m.Handle("POST /console/otp", c.user(c.handleOTPStart))
	m.Handle("POST /console/otp/confirm", c.user(c.handleOTPConfirm))
	m.Handle("GET /console/queue", c.user(c.handleQueue))
	m.Handle("GET /console/inbox", c.user(c.handleInbox))
	m.Handle("POST /console/inbox/read", c.user(c.handleInboxRead))
	m.Handle("GET /console/inbox/settings", c.user(c.handleNotifySettings))
	m.Handle("POST /console/inbox/settings", c.user(c.handleNotifySave))
	m.Handle("POST /console/queue/sign", c.user(c.handleBatchSign))
	m.Handle("GET /console/items", c.user(c.handleItemList))
	m.Handle("GET /console/items/new", c.user(c.handleItemNew))
	m.Handle("POST /console/items/new", c.user(c.handleItemCreate))
	m.Handle("POST /console/preview", c.user(c.handlePreview))
	m.Handle("GET /console/revisions/{id}", c.user(c.handleRevision))
	m.Handle("GET /console/revisions/{id}/edit", c.user(c.handleRevisionEdit))
	m.Handle("POST /console/revisions/{id}/edit", c.user(c.handleRevisionSave))
	m.Handle("POST /console/revisions/{id}/transitions", c.user(c.handleTransition))
	m.Handle("POST /console/revisions/{id}/findings/{fid}/acknowledge", c.user(c.handleFindingAck))
	m.Handle("POST /console/revisions/{id}/attachments", c.userOwnCSRF(c.handleAttachmentUpload))
	m.Handle("POST /console/revisions/{id}/attachments/{aid}/delete", c.user(c.handleAttachmentDelete))
	m.Handle("GET /console/revisions/{id}/attachments/{aid}", c.user(c.handleAttachmentDownload))
	m.Handle("GET /console/revisions/{id}/approval", c.user(c.handleApprovalForm))
	m.Handle("POST /console/items/{id}/revisions", c.user(c.handleRevise))

	// The release desk, the patrol, the audit and the administration.
	m.Handle("GET /console/release", c.user(c.handleRelease))
	m.Handle("GET /console/menus", c.user(c.handleMenus))
	m.Handle("POST /console/menus/entries/{id}", c.user(c.handleMenuEntry))
	m.Handle("POST /console/channels/{channel}/maintenance", c.user(c.handleMaintenance))
	m.Handle("GET /console/patrol", c.user(c.handlePatrol))
	m.Handle("POST /console/patrol", c.user(c.handlePatrolRun))
	m.Handle("GET /console/audit", c.user(c.handleAudit))
	m.Handle("GET /console/audit/verify", c.user(c.handleAuditVerify))
	m.Handle("GET /console/archive", c.user(c.handleArchive))
	m.Handle("GET /console/reports", c.user(c.handleReports))
	m.Handle("GET /console/reports/usage.csv", c.user(c.handleReportCSV))
	m.Handle("GET /console/reports/workflow.csv", c.user(c.handleReportCSV))
	m.Handle("POST /console/archive", c.user(c.handleArchiveExport))
	m.Handle("GET /console/archive/packages/{id}", c.user(c.handleArchivePackage))
	m.Handle("GET /console/maintenance", c.user(c.handleMaintenanceWindows))
	m.Handle("POST /console/maintenance/{id}", c.user(c.handleMaintenanceDecision))
	m.Handle("GET /console/feature-requests", c.user(c.handleFeatureRequests))
	m.Handle("POST /console/feature-requests", c.user(c.handleFeatureSubmit))
	m.Handle("GET /console/feature-requests/{id}", c.user(c.handleFeatureRequest))
	m.Handle("POST /console/feature-requests/{id}/{op}", c.user(c.handleFeatureAction))
	m.Handle("GET /console/admin", c.user(c.handleAdmin))
	m.Handle("GET /console/users", c.user(c.handleUsers))
	m.Handle("GET /console/users/new", c.user(c.handleUserNew))
	m.Handle("POST /console/users/new", c.user(c.handleUserCreate))
	m.Handle("GET /console/users/{id}", c.user(c.handleUser))
	m.Handle("POST /console/users/{id}", c.user(c.handleUserUpdate))
	m.Handle("POST /console/users/{id}/{op}", c.user(c.handleUserAction))
	m.Handle("POST /console/grants/{id}/{op}", c.user(c.handleGrantDecision))
	m.Handle("GET /console/contacts", c.user(c.handleContacts))
	m.Handle("POST /console/contacts/{dept}", c.user(c.handleContactsSave))
	m.Handle("GET /console/signoff", c.user(c.handleSignoff))
	m.Handle("POST /console/signoff/{column}", c.user(c.handleSignoffSave))
	m.Handle("GET /console/words", c.user(c.handleWords))
	m.Handle("POST /console/words", c.user(c.handleWordsSave))
	m.Handle("GET /console/webhooks", c.user(c.handleWebhooks))
	m.Handle("GET /console/webhooks/new", c.user(c.handleWebhookNew))
	m.Handle("POST /console/webhooks/new", c.user(c.handleWebhookCreate))
	m.Handle("GET /console/webhooks/{id}", c.user(c.handleWebhook))
	m.Handle("POST /console/webhooks/{id}", c.user(c.handleWebhookUpdate))
	m.Handle("POST /console/webhooks/{id}/{op}", c.user(c.handleWebhookAction))
	m.Handle("POST /console/webhooks/{id}/deliveries/{did}/redeliver", c.user(c.handleRedeliver))

	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, nil, cms.Errorf(cms.ENOTFOUND, "no such page"))
	})
}

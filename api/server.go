// Package api serves the management API (/api/v1) and the health and spec
// endpoints over HTTP with echo. Handlers bind the request, call one cms
// service method and write the response; every error becomes problem
// details in one handler, and authorization is left to the services.
package api

import (
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/tlhpf/cms/cms"
)

// Options configure the HTTP layer.
type Options struct {
	BodyLimit string  // largest JSON body, e.g. "1M"
	Ready     []Probe // the readiness probe's checks (the database, the blob store)
	Spec      []byte  // openapi.yaml, served at /openapi.yaml
	Version   string
	// Observer counts every request answered, the content API's cache
	// hits included (nil: none).
	Observer Observer
	// Metrics serves the metrics at GET /metrics to callers that present
	// MetricsToken as a bearer token; without both the route answers 404.
	Metrics      http.Handler
	MetricsToken string
	// RateLimit is the content API's sustained requests per second per
	// client IP (0: no limit) and RateBurst the burst it allows.
	RateLimit float64
	RateBurst int
	// CacheBytes bounds the memory of the public response cache: bodies,
	// their gzip forms, keys and bookkeeping (0: the default, 64 MiB;
	// negative: no cache, every request is rendered).
	CacheBytes int64
	// CacheEntries bounds the number of its entries as well (0: the
	// default, 4096; negative: no cache).
	CacheEntries int
	// TransferIdle is how long an upload or a file download may go without
	// a byte moving before it is cut off (0: 30s). While bytes move, it
	// takes as long as it needs, past the server's read and write timeouts.
	TransferIdle time.Duration
	// MaintenanceLead is how long before an approved maintenance window the
	// content API's menu carries its notice (0: DefaultMaintenanceLead).
	MaintenanceLead time.Duration
	// MediaRedirect, when set and the blob store presigns, sends public
	// media requests to a presigned URL valid this long instead of streaming.
	MediaRedirect time.Duration
	// TrustProxy takes the client address from X-Forwarded-For, set by a
	// reverse proxy on a private network in front of the server.
	TrustProxy bool
	// Classify names the faults of the infrastructure among errors that
	// reach the error handler without a code of the vocabulary (the
	// storage's classifier; nil: none).
	Classify func(error) error
	// Database names the database /readyz reports on (sqlite, postgres).
	Database string
}

// Defaults of the public response cache's bounds and of the idle timeout
// of file transfers.
const (
	DefaultCacheBytes   = 64 << 20
	DefaultCacheEntries = 4096
	DefaultTransferIdle = 30 * time.Second
)

// Server is the HTTP face of the CMS.
type Server struct {
	echo   *echo.Echo
	svc    *cms.Services
	opts   Options
	log    *slog.Logger
	cache  *contentCache
	limits *rateLimits
	ids    requestIDs
	// routeSet holds the route templates, the values of the metrics'
	// route label.
	routeSet map[string]bool
	// metricsToken is the SHA-256 of Options.MetricsToken (nil: none).
	metricsToken []byte
	// hitObservers count the answers of each cached route served before
	// echo: hits, and misses of stored documents (nil: none).
	hitObservers [len(cachedRoutes)]func(status int, took time.Duration)
	faults       faultLog
}

// NewServer builds the server and its routes. Its public response cache
// follows every notice on the services' bus.
func NewServer(svc *cms.Services, opts Options, log *slog.Logger) *Server {
	if opts.BodyLimit == "" {
		opts.BodyLimit = "1M"
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The client's address is the connection's unless a trusted proxy in
	// front says otherwise; X-Forwarded-For from anyone else is ignored, so
	// the rate limit cannot be dodged by forging it.
	e.IPExtractor = echo.ExtractIPDirect()
	if opts.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	if opts.TransferIdle == 0 {
		opts.TransferIdle = DefaultTransferIdle
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	if opts.CacheEntries == 0 {
		opts.CacheEntries = DefaultCacheEntries
	}
	s := &Server{echo: e, svc: svc, opts: opts, log: log, cache: newContentCache(opts.CacheBytes, opts.CacheEntries),
		limits: newRateLimits(opts.RateLimit, opts.RateBurst), ids: newRequestIDs()}
	svc.Bus.Subscribe(func(n cms.Notice) {
		switch {
		case n.PublicUnchanged:
		case n.Narrow():
			s.cache.InvalidateItems(n.Items)
		default:
			s.cache.Invalidate()
		}
	})
	if opts.MetricsToken != "" {
		sum := sha256.Sum256([]byte(opts.MetricsToken))
		s.metricsToken = sum[:]
	}
	e.HTTPErrorHandler = s.errorHandler
	s.bindHits()
	s.routes()
	s.routeSet = map[string]bool{}
	for _, r := range e.Routes() {
		s.routeSet[r.Path] = true
	}
	return s
}

// Handler returns the server as an http.Handler: answers the public
// cache holds are served at once (fast.go), everything else through echo.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Echo returns the underlying echo instance, for route introspection in tests.
func (s *Server) Echo() *echo.Echo { return s.echo }

// routes registers every route in one place, grouped by who may call them.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.requestID)
	e.Use(s.requestLogger)
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(refuseControls)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.opts.BodyLimit,
		// Uploads have their own, larger limit.
		Skipper: func(c echo.Context) bool {
			return c.Request().Method == http.MethodPost && strings.HasSuffix(c.Request().URL.Path, "/attachments")
		}}))

	// Public: probes and the spec.
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	e.GET("/openapi.yaml", s.handleSpec)
	e.GET("/metrics", s.handleMetrics)

	// Public content API: published content only, cached, rate limited.
	// Its middleware is attached with a skipper rather than to a group, so
	// that unknown paths stay 404 and CORS preflights reach it.
	onlyContent := func(c echo.Context) bool { return !strings.HasPrefix(c.Request().URL.Path, "/content/") }
	// Public, read-only content without credentials: any origin may read it,
	// so that H5 pages inside WeChat can call it from the browser.
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper:       onlyContent,
		AllowOrigins:  []string{"*"},
		AllowMethods:  []string{http.MethodGet, http.MethodPost},
		AllowHeaders:  []string{echo.HeaderContentType, "If-None-Match", "Range", headerClient},
		ExposeHeaders: []string{"ETag", "Content-Disposition", "Content-Range", "Content-Length"},
		MaxAge:        86400,
	}))
	e.Use(s.limitContent)
	pub := e.Group("/content/v1")
	pub.GET("/channels/:channel/menu", s.handlePublicMenu)
	pub.GET("/columns/:slug/items", s.handlePublicList)
	pub.GET("/items/:id", s.handlePublicItem)
	pub.GET("/search", s.handleSearch)
	pub.GET("/sync", s.handleSync)
	pub.POST("/loan-calculator", s.handleLoanCalculator)
	pub.GET("/app-update", s.handleAppUpdate)
	pub.GET("/preview/:token", s.handlePreview)
	pub.GET("/items/:id/attachments/:aid", s.handlePublicAttachment)
	pub.GET("/preview/:token/attachments/:aid", s.handlePreviewAttachment)

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.handleLogin)

	// Authenticated: every route below needs a bearer token. The middleware
	// is attached per route, not to a group, so that unknown paths stay 404
	// and wrong methods 405 instead of turning into 401.
	a := authed{v1, s.authenticate}
	a.POST("/auth/logout", s.handleLogout)
	a.GET("/me", s.handleMe)
	a.PUT("/me/password", s.handleChangePassword)
	a.POST("/me/otp", s.handleOTPStart)
	a.POST("/me/otp/confirm", s.handleOTPConfirm)

	a.GET("/users", s.handleUserList)
	a.POST("/users", s.handleUserCreate)
	a.GET("/users/:id", s.handleUserGet)
	a.PATCH("/users/:id", s.handleUserUpdate)
	a.POST("/users/:id/unlock", s.handleUserUnlock)
	a.DELETE("/users/:id/otp", s.handleUserOTPReset)
	a.GET("/grants", s.handleGrantList)
	a.POST("/grants/:id/confirm", s.handleGrantConfirm)
	a.POST("/grants/:id/refuse", s.handleGrantRefuse)

	a.GET("/departments", s.handleDepartments)
	a.GET("/departments/:code/contacts", s.handleContactsGet)
	a.PUT("/departments/:code/contacts", s.handleContactsPut)
	a.GET("/channels", s.handleChannels)
	a.GET("/channels/:channel/menu", s.handleMenu)
	a.GET("/columns", s.handleColumns)
	a.GET("/columns/:slug", s.handleColumn)
	a.GET("/content-types", s.handleContentTypes)
	a.POST("/render", s.handleRender)

	a.GET("/items", s.handleItemList)
	a.POST("/items", s.handleItemCreate)
	a.GET("/items/:id", s.handleItemGet)
	a.POST("/items/:id/revisions", s.handleRevisionCreate)
	a.GET("/revisions/:id", s.handleRevisionGet)
	a.PATCH("/revisions/:id", s.handleRevisionUpdate)
	a.POST("/revisions/:id/transitions", s.handleTransition)
	a.GET("/revisions/:id/transitions", s.handleAllowed)
	a.GET("/revisions/:id/diff", s.handleDiff)
	a.GET("/items/:id/history", s.handleHistory)
	a.GET("/revisions/:id/approval-form", s.handleApprovalForm)
	a.GET("/queue", s.handleQueue)
	a.GET("/decisions", s.handleDecisions)
	a.GET("/columns/:slug/signoff-chain", s.handleSignoffChainGet)
	a.PUT("/columns/:slug/signoff-chain", s.handleSignoffChainPut)
	a.POST("/revisions/:id/preview", s.handlePreviewCreate)
	a.DELETE("/revisions/:id/preview", s.handlePreviewRevoke)
	a.POST("/revisions/:id/attachments", s.handleAttachmentUpload)
	a.GET("/revisions/:id/attachments/:aid", s.handleAttachmentDownload)
	a.DELETE("/revisions/:id/attachments/:aid", s.handleAttachmentDelete)
	a.GET("/revisions/:id/findings", s.handleFindings)
	a.GET("/findings", s.handleReleasedFindings)
	a.POST("/revisions/:id/findings/:fid/acknowledge", s.handleFindingAck)
	a.GET("/sensitive-words", s.handleSensitiveWords)
	a.PUT("/sensitive-words", s.handleSensitiveWordsPut)
	a.GET("/archive", s.handleArchive)
	a.GET("/archives", s.handleArchivePackages)
	a.GET("/archives/:id", s.handleArchivePackageDownload)
	a.GET("/audit", s.handleAuditList)
	a.GET("/audit/verify", s.handleAuditVerify)
	a.POST("/patrols", s.handlePatrolRun)
	a.GET("/patrols", s.handlePatrolList)
	a.PATCH("/menu-entries/:id", s.handleMenuEntryUpdate)
	a.GET("/client-keys", s.handleClientKeyList)
	a.POST("/client-keys", s.handleClientKeyIssue)
	a.DELETE("/client-keys/:id", s.handleClientKeyRevoke)
	a.PUT("/channels/:channel/maintenance", s.handleMaintenance)
	a.GET("/maintenance-windows", s.handleMaintenanceWindows)
	a.POST("/maintenance-windows", s.handleMaintenanceRequest)
	a.POST("/maintenance-windows/:id/decision", s.handleMaintenanceDecision)
	a.GET("/feature-requests", s.handleFeatureRequestList)
	a.POST("/feature-requests", s.handleFeatureRequestCreate)
	a.GET("/feature-requests/:id", s.handleFeatureRequestGet)
	a.POST("/feature-requests/:id/comments", s.handleFeatureRequestComment)
	a.POST("/feature-requests/:id/decision", s.handleFeatureRequestDecision)
	a.POST("/feature-requests/:id/done", s.handleFeatureRequestDone)
	a.GET("/reports/usage", s.handleUsageReport)
	a.GET("/reports/workflow", s.handleWorkflowReport)

	a.GET("/webhooks", s.handleWebhookList)
	a.POST("/webhooks", s.handleWebhookCreate)
	a.GET("/webhooks/:id", s.handleWebhookGet)
	a.PATCH("/webhooks/:id", s.handleWebhookUpdate)
	a.DELETE("/webhooks/:id", s.handleWebhookDelete)
	a.POST("/webhooks/:id/rotate-secret", s.handleWebhookRotate)
	a.GET("/webhooks/:id/deliveries", s.handleDeliveryList)
	a.POST("/webhooks/:id/deliveries/:did/redeliver", s.handleRedeliver)
	a.GET("/notifications", s.handleNotifications)
	a.GET("/notifications/unread-count", s.handleUnreadCount)
	a.POST("/notifications/read", s.handleMarkRead)
	a.GET("/me/notification-settings", s.handleSettingsGet)
	a.PUT("/me/notification-settings", s.handleSettingsPut)
}

func (s *Server) handleHealth(c echo.Context) error {
	return respond(c, http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}

func (s *Server) handleSpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/yaml", s.opts.Spec)
}

// authed registers routes that need authentication.
type authed struct {
	g  *echo.Group
	mw echo.MiddlewareFunc
}

func (a authed) GET(path string, h echo.HandlerFunc)    { a.g.GET(path, h, a.mw) }
func (a authed) POST(path string, h echo.HandlerFunc)   { a.g.POST(path, h, a.mw) }
func (a authed) PUT(path string, h echo.HandlerFunc)    { a.g.PUT(path, h, a.mw) }
func (a authed) PATCH(path string, h echo.HandlerFunc)  { a.g.PATCH(path, h, a.mw) }
func (a authed) DELETE(path string, h echo.HandlerFunc) { a.g.DELETE(path, h, a.mw) }

// Package api serves the management API (/api/v1) and the health and spec
// endpoints over HTTP with echo. Handlers bind the request, call one cms
// service method and write the response; every error becomes problem
// details in one handler, and authorization is left to the services.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/tlhpf/cms/cms"
)

// Services are the cms use cases the API exposes.
type Services struct {
	Auth      *cms.AuthService
	Users     *cms.UserService
	Structure *cms.StructureService
	Items     *cms.ItemService
	Workflow  *cms.WorkflowService
}

// Options configure the HTTP layer.
type Options struct {
	BodyLimit string                          // largest JSON body, e.g. "1M"
	Ready     func(ctx context.Context) error // readiness probe (database ping)
	Spec      []byte                          // openapi.yaml, served at /openapi.yaml
	Version   string
}

// Server is the HTTP face of the CMS.
type Server struct {
	echo *echo.Echo
	svc  Services
	opts Options
	log  *slog.Logger
}

// NewServer builds the server and its routes.
func NewServer(svc Services, opts Options, log *slog.Logger) *Server {
	if opts.BodyLimit == "" {
		opts.BodyLimit = "1M"
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, svc: svc, opts: opts, log: log}
	e.HTTPErrorHandler = s.errorHandler
	s.routes()
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the underlying echo instance, for route introspection in tests.
func (s *Server) Echo() *echo.Echo { return s.echo }

// routes registers every route in one place, grouped by who may call them.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RequestID())
	e.Use(s.requestLogger)
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit(s.opts.BodyLimit))

	// Public: probes and the spec.
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	e.GET("/openapi.yaml", s.handleSpec)

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.handleLogin)

	// Authenticated: every route below needs a bearer token. The middleware
	// is attached per route, not to a group, so that unknown paths stay 404
	// and wrong methods 405 instead of turning into 401.
	a := authed{v1, s.authenticate}
	a.POST("/auth/logout", s.handleLogout)
	a.GET("/me", s.handleMe)
	a.PUT("/me/password", s.handleChangePassword)

	a.GET("/users", s.handleUserList)
	a.POST("/users", s.handleUserCreate)
	a.GET("/users/:id", s.handleUserGet)
	a.PATCH("/users/:id", s.handleUserUpdate)

	a.GET("/departments", s.handleDepartments)
	a.GET("/channels", s.handleChannels)
	a.GET("/channels/:channel/menu", s.handleMenu)
	a.GET("/columns", s.handleColumns)
	a.GET("/columns/:slug", s.handleColumn)
	a.GET("/content-types", s.handleContentTypes)

	a.GET("/items", s.handleItemList)
	a.POST("/items", s.handleItemCreate)
	a.GET("/items/:id", s.handleItemGet)
	a.POST("/items/:id/revisions", s.handleRevisionCreate)
	a.GET("/revisions/:id", s.handleRevisionGet)
	a.PATCH("/revisions/:id", s.handleRevisionUpdate)
	a.POST("/revisions/:id/transitions", s.handleTransition)
	a.GET("/revisions/:id/diff", s.handleDiff)
	a.GET("/items/:id/history", s.handleHistory)
	a.GET("/queue", s.handleQueue)
	a.GET("/decisions", s.handleDecisions)
	a.GET("/columns/:slug/signoff-chain", s.handleSignoffChainGet)
	a.PUT("/columns/:slug/signoff-chain", s.handleSignoffChainPut)
}

func (s *Server) handleHealth(c echo.Context) error {
	return respond(c, http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}

func (s *Server) handleReady(c echo.Context) error {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(c.Request().Context()); err != nil {
			s.log.WarnContext(c.Request().Context(), "not ready", slog.Any("error", err))
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the database does not answer")
		}
	}
	return respond(c, http.StatusOK, map[string]string{"status": "ready"})
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

func (a authed) GET(path string, h echo.HandlerFunc)   { a.g.GET(path, h, a.mw) }
func (a authed) POST(path string, h echo.HandlerFunc)  { a.g.POST(path, h, a.mw) }
func (a authed) PUT(path string, h echo.HandlerFunc)   { a.g.PUT(path, h, a.mw) }
func (a authed) PATCH(path string, h echo.HandlerFunc) { a.g.PATCH(path, h, a.mw) }

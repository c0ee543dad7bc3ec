package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

//go:embed templates
var templateFS embed.FS

// pageNames are the views; each is templates/NAME.html with the layout.
var pageNames = []string{"login", "password", "home", "queue", "items", "new", "revision", "edit", "approval", "error",
	"release", "menus", "patrol", "audit", "verify", "archive", "users", "user", "created", "signoff", "words",
	"batch", "otp", "inbox", "webhooks", "webhook", "webhook_secret", "notify", "reports", "maintenance",
	"feature_requests", "feature_request", "contacts"}

// pages holds one parsed template per view.
type pages struct {
	byName map[string]*template.Template
}

func loadPages(as *assets) (*pages, error) {
	ps := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(templateFuncs(as)).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		ps.byName[name] = t
	}
	return ps, nil
}

// view is what every page template gets: the layout's needs and the
// page's own Data.
type view struct {
	Title     string
	Active    string // the navigation entry to mark
	User      *cms.User
	CSRF      string
	Flash     string
	Nav       navigation
	Names     *names
	Now       time.Time
	BodyClass string
	// Unread counts the user's unread notifications, for the header.
	Unread int
	Data   any
}

// navigation says which entries the menu shows, as the services allow.
type navigation struct {
	Queue       bool // the user decides at some review stage
	New         bool // the user may create items somewhere
	Release     bool // 发布管理: releases, suspends or restores somewhere, or keeps the menus
	Patrol      bool // 巡查: runs the patrol, or reads the findings of released content
	Audit       bool // 审计: reads the audit log (and exports the archive)
	Maintenance bool // 停服审批, for those who decide maintenance windows
	Features    bool // 功能建议, for those who submit, collect, decide or read feature requests
	Archive     bool // 归档, for those who export the archive but read no audit log (信息科)
	Reports     bool // 运营分析: reads the usage and workflow reports
	Admin       bool // 系统管理: accounts, sign-off chains, sensitive words or webhooks
}

// navFor builds the menu from what the services say the user may do.
func navFor(stages []cms.State, cols []cms.AuthoredColumn, ab *cms.Abilities) navigation {
	return navigation{Queue: len(stages) > 0, New: len(cols) > 0,
		Release:     len(ab.Release) > 0 || ab.Can(cms.ActMenuManage),
		Patrol:      ab.Can(cms.ActPatrol) || ab.Can(cms.ActFindingRead),
		Audit:       ab.Can(cms.ActAuditRead),
		Archive:     !ab.Can(cms.ActAuditRead) && ab.Can(cms.ActArchiveExport),
		Maintenance: ab.Can(cms.ActMaintenanceDecide),
		Reports:     ab.Can(cms.ActReportRead) || ab.Can(cms.ActReportReadDept),
		Admin: ab.Can(cms.ActUserManage) || ab.Can(cms.ActWorkflowAdmin) || ab.Can(cms.ActSensitiveWords) ||
			ab.Can(cms.ActWebhookManage)}
}

// abilitiesKey keeps the user's abilities in the request's scope.
type abilitiesKey struct{}

// abilities asks the services what the user may do beyond writing and
// reviewing, once per request.
func (c *Console) abilities(r *http.Request, u *user) (*cms.Abilities, error) {
	return cms.Scoped(r.Context(), abilitiesKey{}, func() (*cms.Abilities, error) { return c.svc.Abilities(r.Context(), u.p) })
}

// page renders a view for a signed-in user with the navigation their
// roles allow and the pending flash message.
func (c *Console) page(w http.ResponseWriter, r *http.Request, u *user, status int, name string, v view) error {
	v.Now = c.opts.Clock.Now()
	v.Flash = c.takeFlash(w, r)
	if u != nil {
		v.User, v.CSRF = u.p.User, u.csrf
		if !u.p.PasswordExpired && !u.p.OTPEnrolmentRequired {
			stages, err := c.svc.Workflow.ReviewStages(r.Context(), u.p)
			if err != nil {
				return err
			}
			cols, err := c.svc.Items.AuthoredColumns(r.Context(), u.p)
			if err != nil {
				return err
			}
			ab, err := c.abilities(r, u)
			if err != nil {
				return err
			}
			v.Nav = navFor(stages, cols, ab)
			v.Nav.Features = ab.Can(cms.ActFeatureRead) // whoever acts on some department's requests reads them
			if n, err := c.svc.Notifications.Unread(r.Context(), u.p); err == nil {
				v.Unread = n // the header's count; a page does not fail for want of it
			}
			if v.Names == nil {
				if v.Names, err = c.names(r, u); err != nil {
					return err
				}
			}
		}
	}
	return c.pages.render(w, status, name, v)
}

// render executes a view into a buffer first, so that a template error
// never leaves half a page.
func (ps *pages) render(w http.ResponseWriter, status int, name string, v view) error {
	t, ok := ps.byName[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// errorData is what the error page shows.
type errorData struct {
	Status  int
	Heading string
	Message string
}

// renderError shows an error page in Chinese with the status of the
// error's code; anything outside the services' vocabulary is a 500 whose
// cause goes to the log only.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, u *user, err error) {
	if isCanceled(err) {
		return
	}
	if c.opts.Classify != nil {
		err = c.opts.Classify(err)
	}
	code := cms.ErrorCode(err)
	if code == cms.EUNAUTHORIZED {
		c.toLogin(w, r)
		return
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
		c.log.ErrorContext(r.Context(), "console error", slog.String("route", r.Pattern), slog.Any("error", err))
	}
	var de *cms.Error
	if cms.Fault(code) && asError(err, &de) {
		if held, ok := c.faults.Allow(code, time.Now()); ok {
			c.log.WarnContext(r.Context(), "console request failed: "+code, slog.String("route", r.Pattern),
				slog.Int("suppressed", held), slog.Any("error", de.Err))
		}
		if de.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(de.RetryAfter.Seconds())+1))
		}
	}
	msg := errorMessage(err)
	if err == errCSRF {
		msg = "表单已过期或不是从本系统提交的，请返回刷新页面后重试。"
	}
	d := errorData{Status: status, Heading: errorTitles[status], Message: msg}
	if d.Heading == "" {
		d.Heading = "出错了"
	}
	if perr := c.page(w, r, u, status, "error", view{Title: d.Heading, Data: d}); perr != nil {
		c.log.ErrorContext(r.Context(), "console error page", slog.Any("error", perr))
		http.Error(w, msg, status)
	}
}

// setFlash keeps a message (by its key in flashText) for the next page.
func (c *Console) setFlash(w http.ResponseWriter, r *http.Request, key string) {
	c.setCookie(w, r, flashCookie, key)
}

// takeFlash returns the pending message and forgets it. Only keys of the
// catalogue are shown, so a forged cookie can show nothing else.
func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	c.clearCookie(w, r, flashCookie)
	return flashText[ck.Value]
}

// redirect answers a post with 303 to a page, with a flash message.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		c.setFlash(w, r, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

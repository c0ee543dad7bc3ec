package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// Cache lifetimes of public responses: short, with a little room to serve
// a stale copy while revalidating. A cache that does not follow the
// webhooks' purge list serves a suspended item for at most the sum, 30 s
// (a menu 60 s); one that follows it purges at once.
const (
	cacheShort = "public, max-age=15, stale-while-revalidate=15"
	cacheMenu  = "public, max-age=30, stale-while-revalidate=30"
)

type maintenanceJSON struct {
	Notice   string     `json:"notice"`
	StartsAt time.Time  `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at"`
	Active   bool       `json:"active"`
}

func toMaintenanceJSON(m cms.Maintenance, now time.Time) *maintenanceJSON {
	if !m.Planned() {
		return nil
	}
	return &maintenanceJSON{Notice: m.Notice, StartsAt: m.StartsAt, EndsAt: timePtr(m.EndsAt), Active: m.Active(now)}
}

type publicMenuEntryJSON struct {
	Slug        string                `json:"slug"`
	Title       string                `json:"title"`
	Path        string                `json:"path"`
	Kind        string                `json:"kind"`
	Column      *string               `json:"column"`
	ContentType *string               `json:"content_type"`
	Enabled     bool                  `json:"enabled"`
	Children    []publicMenuEntryJSON `json:"children"`
}

func (s *Server) handlePublicMenu(c echo.Context) error {
	return s.serveCachedUntil(c, &publicQuery{}, cacheMenu, func() (any, time.Time, error) {
		ctx := c.Request().Context()
		ch, roots, byslug, err := s.svc.Content.Menu(ctx, c.Param("channel"))
		if err != nil {
			return nil, time.Time{}, err
		}
		now := s.svc.Content.Clock.Now()
		m, lead := ch.Maintenance, s.maintenanceLead()
		var notice *maintenanceJSON
		if m.Planned() && !now.Before(m.StartsAt.Add(-lead)) {
			notice = toMaintenanceJSON(m, now) // announced from the lead time before the window (第十五条)
		}
		return map[string]any{
			"channel":     channelJSON{Slug: ch.Slug, Name: ch.Name},
			"maintenance": notice,
			"entries":     publicMenuJSON(roots, byslug),
		}, nextBoundary(m, now, lead), nil
	})
}

// maintenanceLead is how long before a window the public menu carries its
// notice (CMS_MAINTENANCE_LEAD, 24 hours by default).
func (s *Server) maintenanceLead() time.Duration {
	if s.opts.MaintenanceLead > 0 {
		return s.opts.MaintenanceLead
	}
	return DefaultMaintenanceLead
}

// DefaultMaintenanceLead is how long before a maintenance window the
// content API's menu announces it, unless configured otherwise.
const DefaultMaintenanceLead = 24 * time.Hour

// nextBoundary is when a maintenance window's notice next appears, starts
// or ends, so that a cached menu changes on time.
func nextBoundary(m cms.Maintenance, now time.Time, lead time.Duration) time.Time {
	for _, t := range []time.Time{m.StartsAt.Add(-lead), m.StartsAt, m.EndsAt} {
		if m.Planned() && t.After(now) {
			return t
		}
	}
	return time.Time{}
}

func publicMenuJSON(entries []*cms.MenuEntry, cols map[string]*cms.Column) []publicMenuEntryJSON {
	out := make([]publicMenuEntryJSON, len(entries))
	for i, e := range entries {
		j := publicMenuEntryJSON{Slug: e.Slug, Title: e.Title, Path: e.Path, Kind: "group", Enabled: e.Enabled,
			Children: publicMenuJSON(e.Children, cols)}
		if col := cols[e.Column]; col != nil {
			j.Column, j.Kind = &col.Slug, col.Kind
			if col.ContentType != "" {
				j.ContentType = &col.ContentType
			}
		}
		out[i] = j
	}
	return out
}

type publicSummaryJSON struct {
	ID          int64          `json:"id"`
	Column      string         `json:"column"`
	ContentType string         `json:"content_type"`
	Title       string         `json:"title"`
	Summary     map[string]any `json:"summary"`
	PublishedAt time.Time      `json:"published_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

func toPublicSummary(p *cms.PublicItem) publicSummaryJSON {
	sum := p.Summary
	if sum == nil {
		sum = map[string]any{}
	}
	return publicSummaryJSON{ID: p.ItemID, Column: p.Column, ContentType: p.ContentType, Title: p.Title, Summary: sum,
		PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt}
}

func (s *Server) handlePublicList(c echo.Context) error {
	q, err := readPublicQuery(c, "cursor", "limit")
	if err != nil {
		return err
	}
	return s.serveDocument(c, q, cacheShort, func() (*cms.Document, error) {
		return s.listing(c.Request().Context(), c.Param("slug"), q)
	})
}

// listing is a column's listing: its items' stored entries in one document.
func (s *Server) listing(ctx context.Context, slug string, q *publicQuery) (*cms.Document, error) {
	return s.svc.Content.ListingDocument(ctx, slug, q.Cursor, q.Limit)
}

type attachmentJSON struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Width       *int   `json:"width"`
	Height      *int   `json:"height"`
	URL         string `json:"url"`
}

type publicItemJSON struct {
	ID          int64            `json:"id"`
	Column      string           `json:"column"`
	ContentType string           `json:"content_type"`
	Title       string           `json:"title"`
	BodyHTML    string           `json:"body_html"`
	Fields      map[string]any   `json:"fields"`
	Attachments []attachmentJSON `json:"attachments"`
	Revision    int              `json:"revision"`
	PublishedAt time.Time        `json:"published_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// toPublicItem serves an item as its projection holds it: the HTML was
// rendered when the revision went live (or, for a preview, by the
// service); the revision gives its number and files.
func toPublicItem(p *cms.PublicItem, rev *cms.Revision) publicItemJSON {
	fields := p.Fields
	if fields == nil {
		fields = map[string]any{}
	}
	atts := make([]attachmentJSON, len(rev.Attachments))
	for i, a := range rev.Attachments {
		atts[i] = attachmentJSON{Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			URL: "/content/v1/items/" + strconv.FormatInt(rev.ItemID, 10) + "/attachments/" + strconv.FormatInt(a.ID, 10)}
		if a.Width > 0 {
			w, h := a.Width, a.Height
			atts[i].Width, atts[i].Height = &w, &h
		}
	}
	return publicItemJSON{ID: p.ItemID, Column: p.Column, ContentType: p.ContentType, Title: p.Title,
		BodyHTML: p.BodyHTML, Fields: fields, Attachments: atts,
		Revision: rev.Number, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt}
}

func (s *Server) handlePublicItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.serveDocument(c, &publicQuery{}, cacheShort, func() (*cms.Document, error) {
		return s.svc.Content.ItemDocument(c.Request().Context(), id)
	})
}

type searchHitJSON struct {
	ID          int64     `json:"id"`
	Column      string    `json:"column"`
	ContentType string    `json:"content_type"`
	Title       string    `json:"title"`
	TitleHTML   string    `json:"title_html"`
	Snippet     string    `json:"snippet"`
	PublishedAt time.Time `json:"published_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (s *Server) handleSearch(c echo.Context) error {
	pq, err := readPublicQuery(c, "q", "column", "channel", "cursor", "limit")
	if err != nil {
		return err
	}
	return s.serveEntry(c, pq, cacheShort, func(key string, gen int64) (*cachedResponse, error) {
		q := pq.Q
		res, err := s.svc.Content.Search(c.Request().Context(), q, pq.Column, pq.Channel, pq.Cursor, pq.Limit)
		if err != nil {
			return nil, err
		}
		out := make([]searchHitJSON, len(res.Hits))
		for i, h := range res.Hits {
			p := h.Item
			out[i] = searchHitJSON{ID: p.ItemID, Column: p.Column, ContentType: p.ContentType, Title: p.Title,
				TitleHTML: cms.Snippet(p.Title, q, 200), Snippet: cms.Snippet(p.PlainText, q, 120),
				PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt}
		}
		e, err := newCachedResponse(key, gen, map[string]any{"query": q, "items": out, "next_cursor": cursorJSON(res.Next)}, cacheShort)
		if err != nil {
			return nil, err
		}
		e.hits = len(res.Hits)
		return e, nil
	})
}

func (s *Server) handleSync(c echo.Context) error {
	page, err := s.svc.Content.Sync(c.Request().Context(), c.QueryParam("since"))
	if err != nil {
		return err
	}
	changes := make([]publicItemJSON, len(page.Changed))
	for i, ch := range page.Changed {
		changes[i] = toPublicItem(ch.Item, ch.Revision)
	}
	deleted := page.Deleted
	if deleted == nil {
		deleted = []int64{}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return respond(c, http.StatusOK, map[string]any{"changes": changes, "deleted": deleted, "next": page.Next, "has_more": page.More})
}

type loanRequest struct {
	Balance       string `json:"balance"`
	Amount        string `json:"amount"`
	TermMonths    int    `json:"term_months"`
	Method        string `json:"method"`
	SecondHome    bool   `json:"second_home"`
	MonthlyIncome string `json:"monthly_income"`
	Age           int    `json:"age"`
	HousePrice    string `json:"house_price"`
}

type instalmentJSON struct {
	Period    int    `json:"period"`
	Payment   string `json:"payment"`
	Principal string `json:"principal"`
	Interest  string `json:"interest"`
	Remaining string `json:"remaining"`
}

type planJSON struct {
	Method        string           `json:"method"`
	FirstPayment  string           `json:"first_payment"`
	LastPayment   string           `json:"last_payment"`
	TotalPayment  string           `json:"total_payment"`
	TotalInterest string           `json:"total_interest"`
	Schedule      []instalmentJSON `json:"schedule"`
}

func (s *Server) handleLoanCalculator(c echo.Context) error {
	var req loanRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	res, err := s.svc.Content.LoanCalculator(c.Request().Context(), cms.LoanInput{Balance: req.Balance, Amount: req.Amount,
		TermMonths: req.TermMonths, Method: req.Method, SecondHome: req.SecondHome, MonthlyIncome: req.MonthlyIncome,
		Age: req.Age, HousePrice: req.HousePrice})
	if err != nil {
		return err
	}
	plans := make([]planJSON, len(res.Plans))
	for i, p := range res.Plans {
		sched := make([]instalmentJSON, len(p.Schedule))
		for k, in := range p.Schedule {
			sched[k] = instalmentJSON{Period: in.Period, Payment: cms.Yuan(in.Payment), Principal: cms.Yuan(in.Principal),
				Interest: cms.Yuan(in.Interest), Remaining: cms.Yuan(in.Remaining)}
		}
		plans[i] = planJSON{Method: p.Method, FirstPayment: cms.Yuan(p.FirstPayment), LastPayment: cms.Yuan(p.LastPayment),
			TotalPayment: cms.Yuan(p.TotalPayment), TotalInterest: cms.Yuan(p.TotalInterest), Schedule: sched}
	}
	return respond(c, http.StatusOK, map[string]any{"quota": cms.Yuan(res.Quota), "amount": cms.Yuan(res.Amount),
		"capped_by": res.CappedBy, "term_months": res.TermMonths, "annual_rate": res.AnnualRate, "plans": plans})
}

func (s *Server) handleAppUpdate(c echo.Context) error {
	q, err := readPublicQuery(c, "platform", "version")
	if err != nil {
		return err
	}
	return s.serveCached(c, q, cacheShort, func() (any, error) {
		p, rev, available, required, err := s.svc.Content.AppUpdate(c.Request().Context(), q.Platform, q.Version)
		if err != nil {
			return nil, err
		}
		return map[string]any{"update_available": available, "update_required": required,
			"latest": toPublicItem(p, rev)}, nil
	})
}

func (s *Server) handlePreview(c echo.Context) error {
	p, rev, err := s.svc.Content.Preview(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	out := toPublicItem(p, rev)
	for i, a := range rev.Attachments {
		// The revision is not public: its files are reached through the link too.
		out.Attachments[i].URL = "/content/v1/preview/" + c.Param("token") + "/attachments/" + strconv.FormatInt(a.ID, 10)
	}
	return respond(c, http.StatusOK, map[string]any{"preview": true, "state": rev.State, "item": out})
}

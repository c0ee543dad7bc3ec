package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tlhpf/cms/cms"
)

// 栏目菜单与停服公告: the publisher switches menu entries on and off and
// renames them, and announces a channel's maintenance in advance (seed rule
// 第十五条). The menu service checks who may and seals what it writes.

// menusData is the menus page of one channel.
type menusData struct {
	Channels []cms.Channel
	Channel  *cms.Channel
	Entries  []menuRow
	Notice   noticeForm
	// Set when a post is shown again with what went wrong.
	Alert    string
	EntryID  int64 // the entry whose form is shown again
	EntryErr string
	Title    string // what was typed for it
}

// menuRow is one menu entry with its depth in the tree.
type menuRow struct {
	cms.MenuEntry
	Depth int
}

// noticeForm is the maintenance notice as the form shows it.
type noticeForm struct {
	Notice, StartsAt, EndsAt string
	Kind, Reason             string
	Problems                 problems
	Active                   bool // the channel is in maintenance now
}

// handleMenus shows one channel's menu and its maintenance notice.
func (c *Console) handleMenus(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.menusData(r, u, r.URL.Query().Get("channel"))
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "menus", view{Title: "栏目菜单与停服公告", Active: "release", Data: d})
}

// menusData loads the channels and the chosen one's menu; only those who
// may change the menus get the page.
func (c *Console) menusData(r *http.Request, u *user, channel string) (*menusData, error) {
	ab, err := c.abilities(r, u)
	if err != nil {
		return nil, err
	}
	if !ab.Can(cms.ActMenuManage) {
		return nil, cms.Errorf(cms.EFORBIDDEN, "may not manage menus")
	}
	d := &menusData{}
	if d.Channels, err = c.svc.Structure.Channels(r.Context(), u.p); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(d.Channels, func(ch cms.Channel) bool { return ch.Slug == channel })
	if i < 0 && channel != "" {
		return nil, cms.Errorf(cms.ENOTFOUND, "no channel %q", channel)
	}
	if i < 0 {
		i = 0
	}
	d.Channel = &d.Channels[i]
	m := d.Channel.Maintenance
	d.Notice = noticeForm{Notice: m.Notice, StartsAt: localInput(m.StartsAt), EndsAt: localInput(m.EndsAt),
		Active: m.Active(c.opts.Clock.Now())}
	roots, err := c.svc.Structure.Menu(r.Context(), u.p, d.Channel.Slug)
	if err != nil {
		return nil, err
	}
	var walk func(es []*cms.MenuEntry, depth int)
	walk = func(es []*cms.MenuEntry, depth int) {
		for _, e := range es {
			d.Entries = append(d.Entries, menuRow{MenuEntry: *e, Depth: depth})
			walk(e.Children, depth+1)
		}
	}
	walk(roots, 0)
	return d, nil
}

// menusURL is the menus page of a channel.
func menusURL(channel string) string { return "/console/menus?channel=" + channel }

// handleMenuEntry renames a menu entry, or switches it on or off.
func (c *Console) handleMenuEntry(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var title *string
	var enabled *bool
	flash := "menu_renamed"
	switch r.PostFormValue("op") {
	case "rename":
		t := r.PostFormValue("title")
		title = &t
	case "enable", "disable":
		on := r.PostFormValue("op") == "enable"
		enabled, flash = &on, map[bool]string{true: "menu_enabled", false: "menu_disabled"}[on]
	default:
		return cms.Errorf(cms.EBADREQUEST, "no operation")
	}
	e, err := c.svc.Menus.UpdateEntry(r.Context(), u.p, id, title, enabled)
	if cms.ErrorCode(err) == cms.EINVALID {
		d, lerr := c.menusData(r, u, r.PostFormValue("channel"))
		if lerr != nil {
			return lerr
		}
		d.EntryID, d.EntryErr, d.Title = id, "名称须为 1 至 20 个字，且只能填写一行。", *title
		return c.page(w, r, u, http.StatusUnprocessableEntity, "menus", view{Title: "栏目菜单与停服公告", Active: "release", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, menusURL(e.Channel)+"#entry-"+strconv.FormatInt(e.ID, 10), flash)
}

// handleMaintenance requests a maintenance window of the channel (第十五条:
// announced once a leader approves it), or withdraws its notice.
func (c *Console) handleMaintenance(w http.ResponseWriter, r *http.Request, u *user) error {
	channel := r.PathValue("channel")
	f := noticeForm{Notice: r.PostFormValue("notice"), StartsAt: r.PostFormValue("starts_at"), EndsAt: r.PostFormValue("ends_at"),
		Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason")}
	m := cms.Maintenance{StartsAt: localTime(f.StartsAt), EndsAt: localTime(f.EndsAt)}
	var err error
	flash := "notice_withdrawn"
	if r.PostFormValue("op") == "withdraw" {
		_, err = c.svc.Menus.SetMaintenance(r.Context(), u.p, channel, cms.Maintenance{})
	} else {
		flash = "maintenance_requested"
		_, err = c.svc.Menus.RequestMaintenance(r.Context(), u.p, cms.MaintenanceWindow{Channel: channel, Kind: f.Kind,
			Reason: f.Reason, Notice: f.Notice, StartsAt: m.StartsAt, EndsAt: m.EndsAt})
	}
	switch cms.ErrorCode(err) {
	case "":
		return c.redirect(w, r, menusURL(channel)+"#maintenance", flash)
	case cms.EINVALID:
		d, lerr := c.menusData(r, u, channel)
		if lerr != nil {
			return lerr
		}
		f.Problems, f.Active = problemsOf(err), d.Notice.Active
		if f.Problems == nil {
			f.Problems = problems{}
		}
		if f.StartsAt != "" && m.StartsAt.IsZero() {
			f.Problems["starts_at"] = "请按日期和时间填写"
		}
		d.Notice, d.Alert = f, "停服申请未提交："+errorMessage(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "menus", view{Title: "栏目菜单与停服公告", Active: "release", Data: d})
	}
	return err
}

// localTime reads a datetime-local value in Beijing time; zero when empty
// or unreadable.
func localTime(s string) time.Time {
	if t := parseLocal(s); t != nil {
		return *t
	}
	return time.Time{}
}

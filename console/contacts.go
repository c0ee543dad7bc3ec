package console

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

// 部门专人 (seed rule 第六条: 各科室、管理部应指定专人负责本部门信息报送、
// 留言收集及日常巡查工作): administrators designate each department's
// contacts from its own staff. A department without one who serves is
// flagged at the top of the page.

// contactsData is the page: one row per department.
type contactsData struct {
	Tabs    adminTabs
	Rows    []contactsRow
	Missing []string // the names of the departments without a contact who serves
	Alert   string
}

// contactsRow is one department: its designations and the staff who may be designated.
type contactsRow struct {
	Dept    cms.Department
	Staff   []contactChoice
	Lapsed  []cms.Contact // designated, but disabled or moved away since: saving the row removes them
	Serving int
}

type contactChoice struct {
	User    cms.User
	Checked bool
}

// handleContacts shows every department's contacts to administrators.
func (c *Console) handleContacts(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.contactsData(r, u)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "contacts", view{Title: "部门专人", Active: "admin", Data: d})
}

func (c *Console) contactsData(r *http.Request, u *user) (*contactsData, error) {
	ctx := r.Context()
	d := &contactsData{}
	var err error
	if d.Tabs, err = c.adminTabs(r, u); err != nil {
		return nil, err
	}
	if !d.Tabs.Users {
		return nil, cms.Errorf(cms.EFORBIDDEN, "may not designate contacts")
	}
	depts, err := c.svc.Structure.Departments(ctx, u.p)
	if err != nil {
		return nil, err
	}
	users, err := c.svc.Users.List(ctx, u.p, cms.UserFilter{})
	if err != nil {
		return nil, err
	}
	contacts, err := c.svc.Structure.AllContacts(ctx, u.p)
	if err != nil {
		return nil, err
	}
	for _, dept := range depts {
		row := contactsRow{Dept: dept}
		designated := map[int64]bool{}
		for _, ct := range contacts[dept.Slug] {
			if ct.Serves(depts) {
				designated[ct.User.ID] = true
				row.Serving++
			} else {
				row.Lapsed = append(row.Lapsed, ct)
			}
		}
		for _, acct := range users {
			if !acct.Disabled && cms.BelongsTo(acct.Department, dept.Slug, depts) {
				row.Staff = append(row.Staff, contactChoice{User: acct, Checked: designated[acct.ID]})
			}
		}
		if row.Serving == 0 {
			d.Missing = append(d.Missing, dept.Name)
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// handleContactsSave designates a department's contacts: the staff checked.
func (c *Console) handleContactsSave(w http.ResponseWriter, r *http.Request, u *user) error {
	dept := r.PathValue("dept")
	if err := r.ParseForm(); err != nil {
		return cms.Invalid("invalid form")
	}
	var ids []int64
	for _, v := range r.PostForm["user"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return cms.Invalid("invalid contacts", cms.FieldError{Field: "user", Message: "must be account ids"})
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	_, err := c.svc.Structure.SetContacts(r.Context(), u.p, dept, ids)
	if cms.ErrorCode(err) == cms.EINVALID {
		d, derr := c.contactsData(r, u)
		if derr != nil {
			return derr
		}
		d.Alert = "部门专人未保存：" + errorMessage(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "contacts", view{Title: "部门专人", Active: "admin", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, "/console/contacts#dept-"+dept, "contacts_saved")
}

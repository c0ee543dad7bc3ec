package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// 用户与角色: administrators keep the accounts and their roles. No
// administrator alone puts anyone in the approval chain: the user service
// turns those roles (and resets of their holders' passwords) into grants
// a second administrator confirms, and passwords an administrator sets are
// one-time. The console generates such a password and shows it once.

// deptRoles are held for a department; the others act for the whole centre.
var deptRoles = []cms.Role{cms.RoleEditor, cms.RoleDeptHead, cms.RoleLeader}

var centreRoles = []cms.Role{cms.RoleDirector, cms.RoleSecrecyReviewer, cms.RolePublisher, cms.RoleAuditor, cms.RoleAdmin}

// usersData is the list of accounts with the grants waiting for a second
// administrator.
type usersData struct {
	Users     []cms.User
	Grants    []cms.Grant
	Decidable map[int64]bool
	Tabs      adminTabs
	Alert     string
	GrantID   int64 // the grant whose refusal is shown again
	Reason    string
}

// handleUsers lists every account and the pending grants.
func (c *Console) handleUsers(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.usersData(r, u)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "users", view{Title: "用户与角色", Active: "admin", Data: d})
}

func (c *Console) usersData(r *http.Request, u *user) (*usersData, error) {
	d := &usersData{}
	var err error
	if d.Users, err = c.svc.Users.List(r.Context(), u.p, cms.UserFilter{}); err != nil {
		return nil, err
	}
	if d.Grants, _, err = c.svc.Users.ListGrants(r.Context(), u.p, cms.GrantFilter{Status: cms.GrantPending, Limit: cms.ListMaxLimit}, ""); err != nil {
		return nil, err
	}
	if d.Decidable, err = c.svc.Users.Decidable(r.Context(), u.p, d.Grants); err != nil {
		return nil, err
	}
	if d.Tabs, err = c.adminTabs(r, u); err != nil {
		return nil, err
	}
	return d, nil
}

// userForm is an account as the new and edit forms show it.
type userForm struct {
	ID          int64
	Username    string
	DisplayName string
	Department  string
	Depts       []cms.Department
	DeptRoles   []cms.Role
	CentreRoles []cms.Role
	Checked     map[string]bool // "role|department" held or asked for
	Pending     map[string]bool // of those, the ones waiting for a second administrator
	// CentreValue is what each centre-wide role's box sends: its binding
	// when held, else role| (the account's own department).
	CentreValue map[cms.Role]string
	Problems    problems
	Alert       string
}

// roleKey names a binding in the form: role|department, "" for a
// centre-wide role of the account's own department.
func roleKey(role cms.Role, dept string) string { return string(role) + "|" + dept }

func (c *Console) newUserForm(r *http.Request, u *user) (*userForm, error) {
	depts, err := c.svc.Structure.Departments(r.Context(), u.p)
	if err != nil {
		return nil, err
	}
	f := &userForm{Depts: depts, DeptRoles: deptRoles, CentreRoles: centreRoles, Checked: map[string]bool{},
		Pending: map[string]bool{}, CentreValue: map[cms.Role]string{}, Problems: problems{}}
	for _, r := range centreRoles {
		f.CentreValue[r] = roleKey(r, "")
	}
	return f, nil
}

// parseRoles reads the checked roles of a form.
func parseRoles(f *userForm, values []string) []cms.RoleBinding {
	out := []cms.RoleBinding{}
	for _, v := range values {
		role, dept, _ := strings.Cut(v, "|")
		f.Checked[v] = true
		if slices.Contains(centreRoles, cms.Role(role)) {
			f.CentreValue[cms.Role(role)] = v
		}
		out = append(out, cms.RoleBinding{Role: cms.Role(role), Department: dept})
	}
	return out
}

// handleUserNew shows the form of a new account.
func (c *Console) handleUserNew(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := c.adminTabs(r, u)
	if err != nil {
		return err
	}
	if !t.Users {
		return cms.Errorf(cms.EFORBIDDEN, "may not manage accounts")
	}
	f, err := c.newUserForm(r, u)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "user", view{Title: "新建账户", Active: "admin", Data: &userData{userForm: f}})
}

// createdData is what a new account, or a reset, shows once.
type createdData struct {
	User     *cms.User
	Password string
	Reset    bool // a reset of an existing account's password
	Waiting  bool // the password waits for a second administrator
}

// handleUserCreate creates an account with a one-time password the
// console draws, and shows it once.
func (c *Console) handleUserCreate(w http.ResponseWriter, r *http.Request, u *user) error {
	f, err := c.newUserForm(r, u)
	if err != nil {
		return err
	}
	f.Username, f.DisplayName, f.Department = r.PostFormValue("username"), r.PostFormValue("display_name"), r.PostFormValue("department")
	roles := parseRoles(f, r.PostForm["role"])
	pw, err := cms.GeneratePassword(16)
	if err != nil {
		return err
	}
	created, err := c.svc.Users.Create(r.Context(), u.p, cms.NewUser{Username: f.Username, DisplayName: f.DisplayName,
		Password: pw, Department: f.Department, Roles: roles})
	switch cms.ErrorCode(err) {
	case "":
		return c.page(w, r, u, http.StatusCreated, "created", view{Title: "账户已创建", Active: "admin",
			Data: createdData{User: created, Password: pw}})
	case cms.EINVALID, cms.ECONFLICT:
		f.Problems, f.Alert = userProblems(err), errorMessage(err)
		return c.page(w, r, u, statusOf[cms.ErrorCode(err)], "user", view{Title: "新建账户", Active: "admin", Data: &userData{userForm: f}})
	}
	return err
}

// userProblems places what the user service refused next to the fields;
// a taken username is a conflict.
func userProblems(err error) problems {
	if cms.ErrorCode(err) == cms.ECONFLICT {
		return problems{"username": "该用户名已被使用"}
	}
	p := problemsOf(err)
	if p == nil {
		p = problems{}
	}
	for k, v := range p {
		if strings.HasPrefix(k, "roles") {
			p["roles"] = strings.TrimSpace(p["roles"] + " " + v)
		}
	}
	return p
}

// adminTabs are the administration pages the user may open.
type adminTabs struct{ Users, Signoff, Words, Webhooks bool }

func (c *Console) adminTabs(r *http.Request, u *user) (adminTabs, error) {
	ab, err := c.abilities(r, u)
	if err != nil {
		return adminTabs{}, err
	}
	return adminTabs{Users: ab.Can(cms.ActUserManage), Signoff: ab.Can(cms.ActWorkflowAdmin),
		Words: ab.Can(cms.ActSensitiveWords), Webhooks: ab.Can(cms.ActWebhookManage)}, nil
}

// handleAdmin opens the first administration page the user may.
func (c *Console) handleAdmin(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := c.adminTabs(r, u)
	if err != nil {
		return err
	}
	for _, p := range []struct {
		ok   bool
		path string
	}{{t.Users, "/console/users"}, {t.Signoff, "/console/signoff"}, {t.Words, "/console/words"}, {t.Webhooks, "/console/webhooks"}} {
		if p.ok {
			http.Redirect(w, r, p.path, http.StatusSeeOther)
			return nil
		}
	}
	return cms.Errorf(cms.EFORBIDDEN, "no administration")
}

// heldRoles marks the bindings an account holds and those waiting for a
// second administrator. A centre-wide role keeps the department it was
// granted for, so that sending the form back changes nothing.
func heldRoles(f *userForm, acct *cms.User) {
	mark := func(b cms.RoleBinding, pending bool) {
		k := roleKey(b.Role, b.Department)
		f.Checked[k] = true
		if pending {
			f.Pending[k] = true
		}
		if slices.Contains(centreRoles, b.Role) {
			f.CentreValue[b.Role] = k
		}
	}
	for _, b := range acct.Roles {
		mark(b, false)
	}
	for _, g := range acct.PendingGrants {
		if g.Kind == cms.GrantRole {
			mark(g.Binding, true)
		}
	}
}

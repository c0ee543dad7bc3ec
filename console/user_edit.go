package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// userURL is the page of an account.
func userURL(id int64) string { return "/console/users/" + strconv.FormatInt(id, 10) }

// userData is the page of one account: its form and its state.
type userData struct {
	*userForm
	Acct *cms.User
	Self bool
}

// handleUser shows an account with its roles and what can be done to it.
func (c *Console) handleUser(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.userData(r, u)
	if err != nil {
		return err
	}
	return c.page(w, r, u, http.StatusOK, "user", view{Title: "账户：" + d.Acct.DisplayName, Active: "admin", Data: d})
}

func (c *Console) userData(r *http.Request, u *user) (*userData, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	t, err := c.adminTabs(r, u)
	if err != nil {
		return nil, err
	}
	if !t.Users { // anyone may read their own account, but this page manages accounts
		return nil, cms.Errorf(cms.EFORBIDDEN, "may not manage accounts")
	}
	acct, err := c.svc.Users.Get(r.Context(), u.p, id)
	if err != nil {
		return nil, err
	}
	f, err := c.newUserForm(r, u)
	if err != nil {
		return nil, err
	}
	f.ID, f.Username, f.DisplayName, f.Department = acct.ID, acct.Username, acct.DisplayName, acct.Department
	heldRoles(f, acct)
	return &userData{userForm: f, Acct: acct, Self: acct.ID == u.p.User.ID}, nil
}

// handleUserUpdate changes an account's name, department and roles; roles
// in the chain wait for a second administrator.
func (c *Console) handleUserUpdate(w http.ResponseWriter, r *http.Request, u *user) error {
	d, err := c.userData(r, u)
	if err != nil {
		return err
	}
	name, dept := r.PostFormValue("display_name"), r.PostFormValue("department")
	f := d.userForm
	f.DisplayName, f.Department, f.Checked, f.Pending = name, dept, map[string]bool{}, map[string]bool{}
	roles := parseRoles(f, r.PostForm["role"])
	_, err = c.svc.Users.Update(r.Context(), u.p, d.Acct.ID, cms.UserUpdate{DisplayName: &name, Department: &dept, Roles: &roles})
	if cms.ErrorCode(err) == cms.EINVALID {
		heldPending(f, d.Acct)
		f.Problems, f.Alert = userProblems(err), errorMessage(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "user", view{Title: "账户：" + d.Acct.DisplayName, Active: "admin", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, userURL(d.Acct.ID), "user_saved")
}

// heldPending keeps the marks of grants still waiting when a refused form
// is shown again.
func heldPending(f *userForm, acct *cms.User) {
	for _, g := range acct.PendingGrants {
		if g.Kind == cms.GrantRole && f.Checked[roleKey(g.Binding.Role, g.Binding.Department)] {
			f.Pending[roleKey(g.Binding.Role, g.Binding.Department)] = true
		}
	}
}

// handleUserAction disables or enables an account, resets its password,
// lifts its lock or removes its second factor, as the user service allows.
func (c *Console) handleUserAction(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	flash := ""
	switch op := r.PathValue("op"); op {
	case "disable", "enable":
		off := op == "disable"
		flash = map[bool]string{true: "user_disabled", false: "user_enabled"}[off]
		_, err = c.svc.Users.Update(ctx, u.p, id, cms.UserUpdate{Disabled: &off})
	case "unlock":
		flash = "user_unlocked"
		_, err = c.svc.Users.Unlock(ctx, u.p, id)
	case "otp-reset":
		err, flash = c.svc.Users.ResetOTP(ctx, u.p, id), "otp_reset"
	case "password":
		return c.resetPassword(w, r, u, id)
	default:
		return cms.Errorf(cms.ENOTFOUND, "no such action")
	}
	if cms.ErrorCode(err) == cms.EINVALID {
		d, derr := c.userData(r, u)
		if derr != nil {
			return derr
		}
		d.Problems = userProblems(err)
		d.Alert = strings.TrimSpace(strings.Join(append([]string{"操作未完成："}, values(d.Problems)...), " "))
		return c.page(w, r, u, http.StatusUnprocessableEntity, "user", view{Title: "账户：" + d.Acct.DisplayName, Active: "admin", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, userURL(id), flash)
}

// resetPassword gives an account a new one-time password, shown once; for
// someone in the chain the reset waits for a second administrator.
func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request, u *user, id int64) error {
	pw, err := cms.GeneratePassword(16)
	if err != nil {
		return err
	}
	acct, err := c.svc.Users.Update(r.Context(), u.p, id, cms.UserUpdate{Password: &pw})
	if err != nil {
		return err
	}
	d := createdData{User: acct, Password: pw, Reset: true}
	for _, g := range acct.PendingGrants {
		if g.Kind == cms.GrantPasswordReset {
			d.Waiting = true
		}
	}
	return c.page(w, r, u, http.StatusOK, "created", view{Title: "密码已重置", Active: "admin", Data: d})
}

// handleGrantDecision confirms or refuses a grant another administrator
// asked for; the user service refuses the requester and the grantee.
func (c *Console) handleGrantDecision(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var g *cms.Grant
	flash := "grant_confirmed"
	switch r.PathValue("op") {
	case "confirm":
		g, err = c.svc.Users.ConfirmGrant(r.Context(), u.p, id)
	case "refuse":
		flash = "grant_refused"
		g, err = c.svc.Users.RefuseGrant(r.Context(), u.p, id, r.PostFormValue("reason"))
	default:
		return cms.Errorf(cms.ENOTFOUND, "no such decision")
	}
	switch cms.ErrorCode(err) {
	case "":
		return c.redirect(w, r, "/console/users#grant-"+strconv.FormatInt(g.ID, 10), flash)
	case cms.EINVALID, cms.ECONFLICT:
		d, derr := c.usersData(r, u)
		if derr != nil {
			return derr
		}
		d.Alert, d.GrantID, d.Reason = errorMessage(err), id, r.PostFormValue("reason")
		if cms.ErrorCode(err) == cms.ECONFLICT {
			d.Alert = "该授权已由他人处理，请查看最新状态。"
		}
		return c.page(w, r, u, statusOf[cms.ErrorCode(err)], "users", view{Title: "用户与角色", Active: "admin", Data: d})
	}
	return err
}

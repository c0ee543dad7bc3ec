package console

import (
	"crypto/subtle"
	"net"
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// loginData is what the login page shows.
type loginData struct {
	Username string
	Next     string
	Error    string
}

// handleLoginShow shows the login form, or goes on for someone signed in.
func (c *Console) handleLoginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := c.session(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	c.showLogin(w, r, http.StatusOK, loginData{Next: next})
}

// showLogin renders the login form with the CSRF token kept in the login
// cookie (there is no session to derive one from yet).
func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	token := ""
	if ck, err := r.Cookie(loginCookie); err == nil && len(ck.Value) >= 32 {
		token = ck.Value
	} else {
		var err error
		if token, err = randomToken(); err != nil {
			c.renderError(w, r, nil, err)
			return
		}
		c.setCookie(w, r, loginCookie, token)
	}
	v := view{Title: "登录", CSRF: token, BodyClass: "plain", Data: d}
	if err := c.page(w, r, nil, status, "login", v); err != nil {
		c.renderError(w, r, nil, err)
	}
}

// handleLoginCheck signs someone in. The lockout, the audit entry and an
// expired password are the auth service's; the console only says what
// happened in Chinese and starts a new session (never the one the browser
// brought, so a planted session id is useless).
func (c *Console) handleLoginCheck(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	ck, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		c.renderError(w, r, nil, errCSRF)
		return
	}
	d := loginData{Username: r.PostFormValue("username"), Next: safeNext(r.PostFormValue("next"))}
	res, err := c.svc.Auth.ConsoleLogin(r.Context(), cms.LoginRequest{Username: d.Username,
		Password: r.PostFormValue("password"), OTP: r.PostFormValue("otp"), Client: clientAddress(r)})
	if err != nil {
		status, ok := statusOf[cms.ErrorCode(err)]
		if !ok {
			c.renderError(w, r, nil, err)
			return
		}
		d.Error = errorMessage(err)
		if cms.ErrorCode(err) == cms.EINVALID {
			d.Error = "请输入用户名和密码。"
		}
		c.showLogin(w, r, status, d)
		return
	}
	if old, err := c.session(r); err == nil {
		_ = c.svc.Auth.Logout(r.Context(), old.p)
	}
	c.setCookie(w, r, sessionCookie, res.Token)
	c.clearCookie(w, r, loginCookie)
	if res.PasswordExpired {
		http.Redirect(w, r, "/console/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// clientAddress is the address the login throttle counts attempts by: the
// connection's peer.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleLogout ends the session.
func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := c.svc.Auth.Logout(r.Context(), u.p); err != nil {
		return err
	}
	c.clearCookie(w, r, sessionCookie)
	return c.redirect(w, r, "/console/login", "logged_out")
}

// passwordData is what the password page shows.
type passwordData struct {
	Forced   bool
	Problems problems
	Error    string
}

func (c *Console) handlePasswordShow(w http.ResponseWriter, r *http.Request, u *user) error {
	return c.page(w, r, u, http.StatusOK, "password", view{Title: "修改密码", Data: passwordData{Forced: u.p.PasswordExpired}})
}

// handlePasswordChange changes the password; the service checks the
// current one, the strength rules, and ends the user's other sessions.
func (c *Console) handlePasswordChange(w http.ResponseWriter, r *http.Request, u *user) error {
	d := passwordData{Forced: u.p.PasswordExpired}
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		d.Problems = problems{"confirm_password": "两次输入的新密码不一致"}
		return c.page(w, r, u, http.StatusUnprocessableEntity, "password", view{Title: "修改密码", Data: d})
	}
	err := c.svc.Auth.ChangePassword(r.Context(), u.p, r.PostFormValue("current_password"), next)
	if code := cms.ErrorCode(err); code == cms.EINVALID {
		d.Problems, d.Error = problemsOf(err), errorMessage(err)
		return c.page(w, r, u, http.StatusUnprocessableEntity, "password", view{Title: "修改密码", Data: d})
	} else if err != nil {
		return err
	}
	return c.redirect(w, r, Prefix, "password_changed")
}

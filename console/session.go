package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// Cookies of the console. All are HttpOnly and SameSite=Strict, scoped to
// the console's path.
const (
	sessionCookie = "cms_console"       // the console session token
	loginCookie   = "cms_console_login" // the CSRF token of the login form, before there is a session
	flashCookie   = "cms_console_flash" // the key of the message to show on the next page
)

// formLimit bounds every form post but the upload.
const formLimit = 1 << 20

// user is the signed-in person of a request.
type user struct {
	p     *cms.Principal
	token string // the session token, never shown in a page
	csrf  string // the session's CSRF token, put in every form
}

// userHandler serves a page for a signed-in user; an error becomes the
// error page (or a redirect to the login when the session is over).
type userHandler func(w http.ResponseWriter, r *http.Request, u *user) error

// user wraps a page that needs a signed-in user and, for posts, a valid
// CSRF token in the form.
func (c *Console) user(h userHandler) http.Handler { return c.signedIn(h, true) }

// userOwnCSRF is user for a handler that checks the CSRF token itself
// (the multipart upload reads it from the body before the file).
func (c *Console) userOwnCSRF(h userHandler) http.Handler { return c.signedIn(h, false) }

func (c *Console) signedIn(h userHandler, checkCSRF bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := c.session(r)
		if cms.ErrorCode(err) == cms.EUNAUTHORIZED {
			c.toLogin(w, r)
			return
		}
		if err != nil {
			c.renderError(w, r, nil, err)
			return
		}
		noteUser(r, u.p.User.ID)
		if r.Method == http.MethodPost && checkCSRF {
			r.Body = http.MaxBytesReader(w, r.Body, formLimit)
			if !u.validCSRF(r.PostFormValue("csrf")) {
				c.renderError(w, r, u, errCSRF)
				return
			}
		}
		if u.p.PasswordExpired && r.URL.Path != "/console/password" && r.URL.Path != "/console/logout" {
			http.Redirect(w, r, "/console/password", http.StatusSeeOther)
			return
		}
		if u.p.OTPEnrolmentRequired && !u.p.PasswordExpired && !strings.HasPrefix(r.URL.Path, "/console/otp") &&
			r.URL.Path != "/console/password" && r.URL.Path != "/console/logout" {
			http.Redirect(w, r, "/console/otp", http.StatusSeeOther)
			return
		}
		if err := h(w, r, u); err != nil {
			c.renderError(w, r, u, err)
		}
	})
}

// errCSRF refuses a post whose form did not come from the console.
var errCSRF = cms.Errorf(cms.EFORBIDDEN, "csrf")

// session resolves the session cookie into the signed-in user.
func (c *Console) session(r *http.Request) (*user, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, cms.Errorf(cms.EUNAUTHORIZED, "no session")
	}
	p, err := c.svc.Auth.ConsoleSession(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	return &user{p: p, token: ck.Value, csrf: csrfToken(ck.Value)}, nil
}

// toLogin sends someone without a (live) session to the login page, back
// to where they were after signing in. A cookie that no longer works means
// the session ended: say so.
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		c.clearCookie(w, r, sessionCookie)
		c.setFlash(w, r, "session_ended")
	}
	target := "/console/login"
	if r.Method == http.MethodGet && r.URL.Path != "/console/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// csrfToken derives the CSRF token of a session from its secret token:
// unguessable without the cookie, the same for every form of the session,
// and nothing to store.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("console csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF compares a submitted token with the session's in constant time.
func (u *user) validCSRF(got string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(u.csrf))
}

// setCookie writes a console cookie: HttpOnly, SameSite=Strict, on the
// console's path, and Secure when configured or the request came over TLS.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.opts.CookieSecure || r.TLS != nil})
}

func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.opts.CookieSecure || r.TLS != nil})
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// safeNext returns where to go after signing in: a console page of this
// site, never another site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, Prefix) ||
		strings.Contains(next, "//") || strings.Contains(next, `\`) {
		return Prefix
	}
	return u.RequestURI()
}

// reqInfo carries what the request log records about the user.
type reqInfo struct{ userID int64 }

type reqInfoKey struct{}

func noteUser(r *http.Request, id int64) {
	if ri, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		ri.userID = id
	}
}

func withReqInfo(ctx context.Context) (context.Context, *reqInfo) {
	ri := &reqInfo{}
	return context.WithValue(ctx, reqInfoKey{}, ri), ri
}

// isCanceled reports whether the client went away.
func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

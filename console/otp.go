package console

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// 双因素认证: the signed-in user enrols an authenticator app (TOTP). The auth
// service draws the secret and shows it only once, in the answer to 开始绑定
// (a QR code and the key to type in); the first code confirms it, and the
// ten recovery codes are shown once too. Only another administrator can
// take a second factor away.

// otpCSP is the page with the QR code's policy: the console's own, with
// the QR code allowed as a data: image and nothing else added.
const otpCSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"

// otpData is the enrolment page in one of its steps.
type otpData struct {
	Enabled  bool
	Required bool // the user's roles need a second factor before anything else
	QR       template.URL
	Secret   string
	Confirm  bool     // the confirmation form is shown
	Codes    []string // the recovery codes, once
	Problem  string
	Alert    string
}

// handleOTP shows whether the user has a second factor and offers to enrol.
func (c *Console) handleOTP(w http.ResponseWriter, r *http.Request, u *user) error {
	d := otpData{Enabled: u.p.User.OTPEnabled, Required: u.p.OTPEnrolmentRequired}
	return c.page(w, r, u, http.StatusOK, "otp", view{Title: "双因素认证", Data: d})
}

// handleOTPStart draws a new secret and shows it, once.
func (c *Console) handleOTPStart(w http.ResponseWriter, r *http.Request, u *user) error {
	en, err := c.svc.Auth.StartOTP(r.Context(), u.p)
	if err != nil {
		return err
	}
	d := otpData{Required: u.p.OTPEnrolmentRequired, Secret: en.Secret, Confirm: true,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRCode))} // #nosec G203 -- a PNG the auth service drew
	w.Header().Set("Content-Security-Policy", otpCSP)
	return c.page(w, r, u, http.StatusOK, "otp", view{Title: "双因素认证", Data: d})
}

// handleOTPConfirm enables the second factor with a first code and shows
// the recovery codes, once.
func (c *Console) handleOTPConfirm(w http.ResponseWriter, r *http.Request, u *user) error {
	codes, err := c.svc.Auth.ConfirmOTP(r.Context(), u.p, r.PostFormValue("code"))
	d := otpData{Required: u.p.OTPEnrolmentRequired, Confirm: true}
	switch cms.ErrorCode(err) {
	case "":
		return c.page(w, r, u, http.StatusOK, "otp", view{Title: "双因素认证", Data: otpData{Enabled: true, Codes: codes}})
	case cms.EINVALID:
		d.Problem = "验证码不正确：请填写验证器上当前显示的 6 位数字。"
		return c.page(w, r, u, http.StatusUnprocessableEntity, "otp", view{Title: "双因素认证", Data: d})
	case cms.ECONFLICT:
		d = otpData{Enabled: u.p.User.OTPEnabled, Alert: "没有进行中的绑定，请重新开始。"}
		return c.page(w, r, u, http.StatusConflict, "otp", view{Title: "双因素认证", Data: d})
	}
	return err
}

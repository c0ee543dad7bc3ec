package api

import (
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
)

type otpEnrolmentJSON struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
	QRCode     string `json:"qr_code"`
}

func (s *Server) handleOTPStart(c echo.Context) error {
	en, err := s.svc.Auth.StartOTP(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, otpEnrolmentJSON{Secret: en.Secret, OTPAuthURL: en.URL,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRCode)})
}

type otpConfirmRequest struct {
	Code string `json:"code"`
}

type recoveryCodesJSON struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (s *Server) handleOTPConfirm(c echo.Context) error {
	var req otpConfirmRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	codes, err := s.svc.Auth.ConfirmOTP(c.Request().Context(), principal(c), req.Code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, recoveryCodesJSON{RecoveryCodes: codes})
}

func (s *Server) handleUserOTPReset(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Users.ResetOTP(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

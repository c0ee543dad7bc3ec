package rbac

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tlhpf/cms/cms"
)

// TOTP issues and checks RFC 6238 codes (six digits, 30-second steps,
// HMAC-SHA1: what every authenticator app takes) with
// github.com/pquerna/otp. Secrets leave it sealed with AES-256-GCM under a
// key derived from Key, so a copy of the database alone does not give them
// away when the key lives outside it (CMS_TOTP_KEY).
type TOTP struct {
	Issuer string // shown in the authenticator app
	Key    []byte // any length; SHA-256 of it is the AES key
}

var _ cms.OTP = TOTP{}

const (
	totpPeriod = 30
	sealPrefix = "v1:"
	sealAAD    = "cms totp secret"
)

var validateOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewKey draws a 160-bit secret for account.
func (t TOTP) NewKey(account string) (cms.OTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: t.Issuer, AccountName: account, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return cms.OTPKey{}, err
	}
	img, err := k.Image(256, 256)
	if err != nil {
		return cms.OTPKey{}, err
	}
	var qr bytes.Buffer
	if err := png.Encode(&qr, img); err != nil {
		return cms.OTPKey{}, err
	}
	sealed, err := t.seal(k.Secret())
	if err != nil {
		return cms.OTPKey{}, err
	}
	return cms.OTPKey{Sealed: sealed, Secret: k.Secret(), URL: k.URL(), QRCode: qr.Bytes()}, nil
}

// Match finds the step, among the one of at and its neighbours (clocks
// drift), whose code is code.
func (t TOTP) Match(sealed, code string, at time.Time) (int64, bool, error) {
	secret, err := t.open(sealed)
	if err != nil {
		return 0, false, err
	}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false, nil
	}
	now := at.Unix() / totpPeriod
	for step := now - 1; step <= now+1; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), validateOpts)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true, nil
		}
	}
	return 0, false, nil
}

func (t TOTP) aead() (cipher.AEAD, error) {
	if len(t.Key) == 0 {
		return nil, errors.New("rbac: no TOTP sealing key")
	}
	k := sha256.Sum256(t.Key)
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (t TOTP) seal(secret string) (string, error) {
	a, err := t.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealPrefix + base64.RawStdEncoding.EncodeToString(a.Seal(nonce, nonce, []byte(secret), []byte(sealAAD))), nil
}

var errSealed = errors.New("rbac: a TOTP secret cannot be opened (was CMS_TOTP_KEY changed?)")

func (t TOTP) open(sealed string) (string, error) {
	a, err := t.aead()
	if err != nil {
		return "", err
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, sealPrefix))
	if !strings.HasPrefix(sealed, sealPrefix) || err != nil || len(raw) < a.NonceSize() {
		return "", errSealed
	}
	secret, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte(sealAAD))
	if err != nil {
		return "", errSealed
	}
	return string(secret), nil
}

package rbac_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tlhpf/cms/rbac"
)

func TestTOTP(t *testing.T) {
	t.Parallel()
	o := rbac.TOTP{Issuer: "铜陵公积金", Key: []byte("a key that lives outside the database")}
	k, err := o.NewKey("zhang.wei")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.URL, "otpauth://totp/") || !strings.Contains(k.URL, "secret="+k.Secret) || len(k.Secret) != 32 {
		t.Errorf("key %q %q", k.URL, k.Secret)
	}
	if _, err := png.Decode(bytes.NewReader(k.QRCode)); err != nil {
		t.Errorf("QR code: %v", err)
	}
	if strings.Contains(k.Sealed, k.Secret) {
		t.Error("the sealed secret holds it in clear")
	}

	at := time.Date(2026, 3, 1, 8, 0, 10, 0, time.UTC)
	step := at.Unix() / 30
	for d, ok := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code, err := totp.GenerateCode(k.Secret, time.Unix((step+d)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		got, matched, err := o.Match(k.Sealed, code, at)
		if err != nil || matched != ok || (ok && got != step+d) {
			t.Errorf("code of step %+d: step %d, %v, %v", d, got-step, matched, err)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", " 12345"} {
		if _, ok, err := o.Match(k.Sealed, bad, at); ok || err != nil {
			t.Errorf("%q matched (%v)", bad, err)
		}
	}
	code, _ := totp.GenerateCode(k.Secret, at)
	if _, _, err := (rbac.TOTP{Key: []byte("another key")}).Match(k.Sealed, code, at); err == nil {
		t.Error("a secret sealed under one key opened under another")
	}
	if _, _, err := o.Match("v1:garbage", code, at); err == nil {
		t.Error("a damaged secret opened")
	}
}

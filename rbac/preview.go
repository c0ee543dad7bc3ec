package rbac

import (
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tlhpf/cms/cms"
)

// PreviewSigner signs preview links as HS256 JWTs naming one revision.
type PreviewSigner struct{ Key []byte }

var _ cms.PreviewSigner = PreviewSigner{}

const previewIssuer = "cms-preview"

// Sign returns a token for revisionID valid until expires.
func (s PreviewSigner) Sign(revisionID int64, expires time.Time) (string, error) {
	claims := jwt.RegisteredClaims{Issuer: previewIssuer, Subject: strconv.FormatInt(revisionID, 10),
		ExpiresAt: jwt.NewNumericDate(expires)}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.Key)
}

// Verify checks signature, issuer and expiry and returns the revision id.
func (s PreviewSigner) Verify(token string, now time.Time) (int64, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.Key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(previewIssuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if errors.Is(err, jwt.ErrTokenExpired) {
		return 0, &cms.Error{Code: cms.EGONE, Message: "the preview link has expired; ask for a new one"}
	}
	if err != nil {
		return 0, cms.Errorf(cms.ENOTFOUND, "no such preview")
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0, cms.Errorf(cms.ENOTFOUND, "no such preview")
	}
	return id, nil
}

package rbac

import (
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tlhpf/cms/cms"
)

// PreviewSigner signs preview links as HS256 JWTs naming one revision and
// the generation of its preview links they were minted in. Its key comes
// from the key file (cms.Keys.PreviewKey), not from the database, so that
// someone who can read the database cannot mint links.
type PreviewSigner struct{ Key []byte }

var _ cms.PreviewSigner = PreviewSigner{}

const previewIssuer = "cms-preview"

// previewClaims are a preview token's claims.
type previewClaims struct {
	jwt.RegisteredClaims
	Generation *int `json:"gen"`
}

// Sign returns a token for revisionID's links of generation, valid until expires.
func (s PreviewSigner) Sign(revisionID int64, generation int, expires time.Time) (string, error) {
	claims := previewClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: previewIssuer, Subject: strconv.FormatInt(revisionID, 10),
		ExpiresAt: jwt.NewNumericDate(expires)}, Generation: &generation}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.Key)
}

// Verify checks signature, issuer and expiry and returns the revision id
// and the generation.
func (s PreviewSigner) Verify(token string, now time.Time) (int64, int, error) {
	var claims previewClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.Key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(previewIssuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if errors.Is(err, jwt.ErrTokenExpired) {
		return 0, 0, &cms.Error{Code: cms.EGONE, Message: "the preview link has expired; ask for a new one"}
	}
	if err != nil || claims.Generation == nil {
		return 0, 0, cms.Errorf(cms.ENOTFOUND, "no such preview")
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, cms.Errorf(cms.ENOTFOUND, "no such preview")
	}
	return id, *claims.Generation, nil
}

package cms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// MaskedName is how an unknown username is recorded: its first two
// characters and the start of a keyed hash. A password typed into the
// username field must not stay in the append-only audit log (nor in the
// archive packages auditors take away), while attempts with one name still
// share a subject that can be searched for by someone who holds the key.
func MaskedName(key []byte, name string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(name))
	var b strings.Builder
	for i, r := range []rune(name) {
		if i == 2 {
			break
		}
		if !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String() + "…" + hex.EncodeToString(mac.Sum(nil))[:12]
}

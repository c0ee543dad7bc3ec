package cms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
)

// sealPrefix marks a secret sealed with the key file's sealing key.
const sealPrefix = "sealed:v1:"

// ErrUnsealable is returned for a sealed secret that the key does not open:
// it was sealed under another key, or changed in the database.
var ErrUnsealable = errors.New("the sealed secret does not open with this key file")

// SealSecret encrypts a secret the server must use again later (a
// webhook's signing secret) with AES-256-GCM under a key derived from the
// key file, so that someone who reads the database cannot use it. purpose
// binds it to its use: a secret sealed for one purpose does not open for
// another.
func (k *Keys) SealSecret(secret, purpose string) (string, error) {
	aead, err := k.secretAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(secret), []byte(purpose))
	return sealPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// OpenSecret decrypts what SealSecret sealed for purpose.
func (k *Keys) OpenSecret(sealed, purpose string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", ErrUnsealable
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil {
		return "", ErrUnsealable
	}
	aead, err := k.secretAEAD()
	if err != nil {
		return "", err
	}
	if len(b) < aead.NonceSize() {
		return "", ErrUnsealable
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}

func (k *Keys) secretAEAD() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.secrets)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

package rbac

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/tlhpf/cms/cms"
)

// Argon2Params are the argon2id costs. Hashes record their own parameters,
// so raising the costs later keeps old hashes verifiable.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 costs 64 MiB and about 0.2 s of one core per hash. One
// lane (p=1, as OWASP recommends for argon2id) keeps a hash on one core,
// so that a server checking passwords under load still has cores for
// everything else; more lanes would only shorten one login's wait.
var DefaultArgon2 = Argon2Params{MemoryKiB: 64 * 1024, Time: 1, Threads: 1}

// Hasher hashes passwords with argon2id into PHC strings.
type Hasher struct{ Params Argon2Params }

var _ cms.PasswordHasher = Hasher{}

const (
	saltLen, keyLen = 16, 32
	maxMemoryKiB    = 4 << 20 // 4 GiB
)

// Hash returns the PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func (h Hasher) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := h.Params
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) {
		p = DefaultArgon2
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("rbac: malformed password hash")

// Verify reports whether password matches the PHC string hash.
func (h Hasher) Verify(password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	// argon2 panics on zero rounds or threads; a corrupt row must not take
	// the request down, nor make it allocate gigabytes.
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB || p.Time > 100 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

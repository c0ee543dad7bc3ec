package cms

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// ClientKey identifies a client of the content API that reaches it for many
// readers from one address, such as the WeChat account's backend or the
// App's, so that it gets a request rate of its own instead of the limit
// per client address. The key itself is shown once, when it is issued;
// only its SHA-256 is stored (a key is 256 random bits: no slower hash is
// needed to keep it from being guessed from its hash).
type ClientKey struct {
	ID   int64
	Name string // who uses it: "App", "WeChat backend"
	// Hint is the key's first characters, to tell keys apart in lists.
	Hint string
	Hash string // hex SHA-256 of the key
	// Rate is the requests per second the client may make, Burst how many
	// at once above it.
	Rate, Burst int
	CreatedBy   int64
	CreatedAt   time.Time
	RevokedAt   time.Time // zero while the key is valid
}

// Actions and audit entries of client keys.
const (
	ActClientKeyManage Action = "client_key.manage"
	ActClientKeyRead   Action = "client_key.read"

	AuditClientKeyIssued  = "client_key_issued"
	AuditClientKeyRevoked = "client_key_revoked"
)

// Bounds of a client key's rate.
const (
	ClientKeyMaxRate  = 100_000
	ClientKeyMaxBurst = 1_000_000
	clientKeyPrefix   = "ck_"
)

// ClientKeyService issues, lists and revokes client keys (administrators)
// and tells the content API which client a presented key belongs to. It
// keeps the valid keys in memory, read again after every change another
// process announces or this one makes, so that checking a key costs no
// database read.
type ClientKeyService struct {
	Keys       ClientKeyStore
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
	Bus        *Bus
	// DefaultRate and DefaultBurst are a new key's limits unless given.
	DefaultRate, DefaultBurst int

	valid   atomic.Pointer[map[[sha256.Size]byte]*ClientKey] // by hash; nil: not read yet
	stale   atomic.Bool
	loading sync.Mutex
}

func (s *ClientKeyService) guard() guard { return guard{s.Authorizer, s.Audit, s.Clock} }

// Issue creates a key named name for p (an administrator) with the given
// rate and burst (0: the defaults) and returns it with the key itself,
// which is never shown again.
func (s *ClientKeyService) Issue(ctx context.Context, p *Principal, name string, rate, burst int) (*ClientKey, string, error) {
	if err := s.guard().write(ctx, p, ActClientKeyManage, Resource{}, "client_keys"); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if rate == 0 {
		rate = s.DefaultRate
	}
	if burst == 0 {
		burst = max(s.DefaultBurst, rate)
	}
	var fe FieldErrors
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsAny(name, "\r\n") {
		fe.Add("name", "must be 1-100 characters on one line")
	}
	if rate < 1 || rate > ClientKeyMaxRate {
		fe.Add("rate", "must be between 1 and 100000 requests per second")
	}
	if burst < rate || burst > ClientKeyMaxBurst {
		fe.Add("burst", "must be at least the rate and at most 1000000")
	}
	if err := fe.Err("invalid client key"); err != nil {
		return nil, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	secret := clientKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.Clock.Now()
	sum := sha256.Sum256([]byte(secret))
	k := &ClientKey{Name: name, Hint: secret[:len(clientKeyPrefix)+6], Hash: hex.EncodeToString(sum[:]), Rate: rate, Burst: burst,
		CreatedBy: p.User.ID, CreatedAt: now}
	audit := NewAuditEntry(now, p.User.ID, AuditClientKeyIssued, "client_keys", map[string]any{"name": name, "hint": k.Hint,
		"rate": rate, "burst": burst})
	if err := s.Keys.CreateClientKey(ctx, k, audit); err != nil {
		return nil, "", err
	}
	s.changed()
	return k, secret, nil
}

// List returns every key, revoked ones too, newest first.
func (s *ClientKeyService) List(ctx context.Context, p *Principal) ([]ClientKey, error) {
	if err := authorize(ctx, s.Authorizer, p, ActClientKeyRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Keys.ClientKeys(ctx)
}

// Revoke ends a key at once, in every server process (within the change
// watcher's interval on SQLite). Revoking a revoked key changes nothing.
func (s *ClientKeyService) Revoke(ctx context.Context, p *Principal, id int64) (*ClientKey, error) {
	if err := s.guard().write(ctx, p, ActClientKeyManage, Resource{}, "client_keys"); err != nil {
		return nil, err
	}
	k, err := s.Keys.ClientKey(ctx, id)
	if err != nil || !k.RevokedAt.IsZero() {
		return k, err
	}
	now := s.Clock.Now()
	audit := NewAuditEntry(now, p.User.ID, AuditClientKeyRevoked, "client_keys", map[string]any{"id": id, "name": k.Name, "hint": k.Hint})
	if err := s.Keys.RevokeClientKey(ctx, id, now, audit); err != nil {
		return nil, err
	}
	k.RevokedAt = now
	s.changed()
	return k, nil
}

// Identify returns the valid key presented, or nil for a key that is
// unknown or revoked. It reads the database only the first time and
// after a change.
func (s *ClientKeyService) Identify(ctx context.Context, presented string) (*ClientKey, error) {
	if !strings.HasPrefix(presented, clientKeyPrefix) || len(presented) > 100 {
		return nil, nil
	}
	valid := s.valid.Load()
	if valid == nil || s.stale.Load() {
		var err error
		if valid, err = s.reload(ctx); err != nil {
			return nil, err
		}
	}
	return (*valid)[sha256.Sum256([]byte(presented))], nil
}

// reload reads the valid keys again, once for all who ask at the same time.
func (s *ClientKeyService) reload(ctx context.Context) (*map[[sha256.Size]byte]*ClientKey, error) {
	s.loading.Lock()
	defer s.loading.Unlock()
	if v := s.valid.Load(); v != nil && !s.stale.Load() {
		return v, nil // another request read them meanwhile
	}
	s.stale.Store(false)
	keys, err := s.Keys.ClientKeys(ctx)
	if err != nil {
		s.stale.Store(true)
		if v := s.valid.Load(); v != nil {
			return v, nil // keep serving the keys known before
		}
		return nil, err
	}
	valid := make(map[[sha256.Size]byte]*ClientKey, len(keys))
	for i := range keys {
		var sum [sha256.Size]byte
		if n, err := hex.Decode(sum[:], []byte(keys[i].Hash)); err == nil && n == len(sum) && keys[i].RevokedAt.IsZero() {
			valid[sum] = &keys[i]
		}
	}
	s.valid.Store(&valid)
	return &valid, nil
}

// Follow reads the keys again after every notice on bus that is not a
// transition nor a publication of some items: a change this process made,
// or one another process announced.
func (s *ClientKeyService) Follow(bus *Bus) {
	bus.Subscribe(func(n Notice) {
		if n.Revision == nil && !n.Narrow() {
			s.stale.Store(true)
		}
	})
}

// changed makes this process and the others read the keys again.
func (s *ClientKeyService) changed() {
	s.stale.Store(true)
	s.Bus.Publish(Notice{})
}

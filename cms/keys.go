package cms

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strconv"
	"sync"
)

// MasterKeySize is the size of the master key in bytes.
const MasterKeySize = 32

// Keys are the secrets the CMS holds outside its database, all derived
// from one master key (the key file, CMS_AUDIT_KEY_FILE) with HKDF-SHA256
// under a label each, so that one purpose's key says nothing of another's.
// Someone who can write to the database but cannot read the key file can
// change rows, but cannot compute the MACs that make them acceptable.
type Keys struct {
	audit   []byte // MACs of audit entries, the key epoch and anchors
	rows    []byte // MACs of the rows the content API serves
	preview []byte // signs preview links
	check   string // names the master key without revealing it
	pool    sync.Pool
}

// NewKeys derives the keys from a master key of at least MasterKeySize bytes.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) < MasterKeySize {
		return nil, errors.New("the master key must be at least " + strconv.Itoa(MasterKeySize) + " bytes")
	}
	k := &Keys{}
	for _, d := range []struct {
		dst   *[]byte
		label string
	}{{&k.audit, "audit-chain"}, {&k.rows, "served-rows"}, {&k.preview, "preview-links"}} {
		var err error
		if *d.dst, err = hkdf.Key(sha256.New, master, nil, "tlhpf-cms/v1/"+d.label, 32); err != nil {
			return nil, err
		}
	}
	check, err := hkdf.Key(sha256.New, master, nil, "tlhpf-cms/v1/key-check", 16)
	if err != nil {
		return nil, err
	}
	k.check = hex.EncodeToString(check)
	k.pool.New = func() any { return hmac.New(sha256.New, k.rows) }
	return k, nil
}

// Fingerprint names the master key: the database records it, so that a
// server started with another key refuses to run instead of finding every
// row tampered with. It reveals nothing of the key.
func (k *Keys) Fingerprint() string { return k.check }

// PreviewKey is the key preview links are signed with.
func (k *Keys) PreviewKey() []byte { return k.preview }

// macWriter feeds length-prefixed parts to a MAC, so that no two different
// lists of parts give the same bytes.
type macWriter struct {
	h   hash.Hash
	buf [20]byte
}

func (w *macWriter) str(s string) {
	b := strconv.AppendInt(w.buf[:0], int64(len(s)), 10)
	b = append(b, ':')
	w.h.Write(b)
	w.h.Write([]byte(s))
}

func (w *macWriter) int(n int64) {
	w.h.Write(strconv.AppendInt(append(w.buf[:0], 'i'), n, 10))
	w.h.Write([]byte{';'})
}

func (w *macWriter) sum() string {
	var out [sha256.Size]byte
	return hex.EncodeToString(w.h.Sum(out[:0]))
}

// rowMAC computes the MAC of a served row with the rows key; fill writes
// the row's canonical content.
func (k *Keys) rowMAC(kind string, fill func(w *macWriter)) string {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	w := macWriter{h: h}
	w.str(kind)
	fill(&w)
	s := w.sum()
	k.pool.Put(h)
	return s
}

// auditMAC computes a MAC with the audit key.
func (k *Keys) auditMAC(kind string, fill func(w *macWriter)) string {
	w := macWriter{h: hmac.New(sha256.New, k.audit)}
	w.str(kind)
	fill(&w)
	return w.sum()
}

// equalMAC compares two MACs in constant time.
func equalMAC(a, b string) bool {
	return len(a) == len(b) && hmac.Equal([]byte(a), []byte(b))
}

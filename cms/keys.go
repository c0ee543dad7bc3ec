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
	secrets []byte // seals secrets kept in the database (webhook signing secrets)
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
	}{{&k.audit, "audit-chain"}, {&k.rows, "served-rows"}, {&k.preview, "preview-links"}, {&k.secrets, "sealed-secrets"}} {
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
	k.pool.New = func() any { return newMacWriter(hmac.New(sha256.New, k.rows)) }
	return k, nil
}

// Fingerprint names the master key: the database records it, so that a
// server started with another key refuses to run instead of finding every
// row tampered with. It reveals nothing of the key.
func (k *Keys) Fingerprint() string { return k.check }

// PreviewKey is the key preview links are signed with.
func (k *Keys) PreviewKey() []byte { return k.preview }

// macWriter feeds length-prefixed parts to a hash, so that no two
// different lists of parts give the same bytes. It gathers small writes in
// a buffer: a check at every cache fill must cost microseconds.
type macWriter struct {
	h   hash.Hash
	buf []byte
}

// macBuffer is the size of a macWriter's buffer.
const macBuffer = 4096

func newMacWriter(h hash.Hash) *macWriter { return &macWriter{h: h, buf: make([]byte, 0, macBuffer)} }

func (w *macWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

func (w *macWriter) room(n int) {
	if cap(w.buf)-len(w.buf) < n {
		w.flush()
	}
}

func (w *macWriter) str(s string) {
	w.room(24)
	w.buf = append(strconv.AppendInt(w.buf, int64(len(s)), 10), ':')
	for len(s) > 0 {
		if len(w.buf) == cap(w.buf) {
			w.flush()
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], s)
		w.buf, s = w.buf[:len(w.buf)+n], s[n:]
	}
}

func (w *macWriter) bytes(b []byte) {
	w.room(24)
	w.buf = append(strconv.AppendInt(w.buf, int64(len(b)), 10), ':')
	for len(b) > 0 {
		if len(w.buf) == cap(w.buf) {
			w.flush()
		}
		n := copy(w.buf[len(w.buf):cap(w.buf)], b)
		w.buf, b = w.buf[:len(w.buf)+n], b[n:]
	}
}

// digest writes a SHA-256 as its hexadecimal text.
func (w *macWriter) digest(sum *[sha256.Size]byte) {
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], sum[:])
	w.bytes(hexSum[:])
}

func (w *macWriter) int(n int64) {
	w.room(24)
	w.buf = append(strconv.AppendInt(append(w.buf, 'i'), n, 10), ';')
}

func (w *macWriter) sum() string {
	w.flush()
	var out [sha256.Size]byte
	return hex.EncodeToString(w.h.Sum(out[:0]))
}

// pooled runs fill over a writer from pool, reset, and returns the sum.
func pooled(pool *sync.Pool, kind string, fill func(w *macWriter)) string {
	w := pool.Get().(*macWriter)
	w.h.Reset()
	w.buf = w.buf[:0]
	w.str(kind)
	fill(w)
	s := w.sum()
	pool.Put(w)
	return s
}

// rowMAC computes the MAC of a served row with the rows key; fill writes
// the row's canonical content.
func (k *Keys) rowMAC(kind string, fill func(w *macWriter)) string {
	return pooled(&k.pool, kind, fill)
}

// shaPool holds writers over plain SHA-256, for digests.
var shaPool = sync.Pool{New: func() any { return newMacWriter(sha256.New()) }}

// auditMAC computes a MAC with the audit key.
func (k *Keys) auditMAC(kind string, fill func(w *macWriter)) string {
	w := newMacWriter(hmac.New(sha256.New, k.audit))
	w.str(kind)
	fill(w)
	return w.sum()
}

// equalMAC compares two MACs in constant time.
func equalMAC(a, b string) bool {
	return len(a) == len(b) && hmac.Equal([]byte(a), []byte(b))
}

package cms

import (
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
)

// RequestIDs make request ids unique across processes at the cost of a
// counter: a random prefix drawn at start, then a sequence number. The
// API and the staff console name every request with one, in the
// X-Request-Id header and in the access log.
type RequestIDs struct {
	prefix [16]byte // hex
	seq    *atomic.Uint64
}

// NewRequestIDs draws a new prefix.
func NewRequestIDs() RequestIDs {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	ids := RequestIDs{seq: new(atomic.Uint64)}
	hex.Encode(ids.prefix[:], raw[:])
	return ids
}

// Next returns a new id: the prefix, a dash and 16 hex digits.
func (ids RequestIDs) Next() string {
	var b [33]byte
	copy(b[:], ids.prefix[:])
	b[16] = '-'
	n := ids.seq.Add(1)
	for i := 32; i > 16; i-- { // the sequence number in 16 hex digits
		b[i] = "0123456789abcdef"[n&15]
		n >>= 4
	}
	return string(b[:])
}

package cms

import "time"

// BoundedHasher lets a fixed number of password hashes run at once. A
// memory-hard hash takes tens of MiB for a tenth of a second; unbounded,
// a burst of logins (wrong passwords and unknown usernames cost the same)
// takes as many times that memory and every core. A hash that cannot start
// within the wait is refused with EBUSY (503) and a Retry-After, so that
// the server sheds the load instead of queueing it without end.
type BoundedHasher struct {
	hasher PasswordHasher
	slots  chan struct{}
	wait   time.Duration
}

var _ PasswordHasher = (*BoundedHasher)(nil)

// NewBoundedHasher bounds h to slots hashes at once (at least one), each
// waiting at most wait for its turn.
func NewBoundedHasher(h PasswordHasher, slots int, wait time.Duration) *BoundedHasher {
	return &BoundedHasher{hasher: h, slots: make(chan struct{}, max(slots, 1)), wait: wait}
}

// Hash hashes password when a slot is free.
func (b *BoundedHasher) Hash(password string) (string, error) {
	if err := b.enter(); err != nil {
		return "", err
	}
	defer b.leave()
	return b.hasher.Hash(password)
}

// Verify checks password against hash when a slot is free.
func (b *BoundedHasher) Verify(password, hash string) (bool, error) {
	if err := b.enter(); err != nil {
		return false, err
	}
	defer b.leave()
	return b.hasher.Verify(password, hash)
}

func (b *BoundedHasher) enter() error {
	select {
	case b.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case b.slots <- struct{}{}: // waiters are served in turn
		return nil
	case <-t.C:
		return &Error{Code: EBUSY, Message: "the server is busy checking passwords; try again in a moment",
			RetryAfter: max(b.wait, time.Second)}
	}
}

func (b *BoundedHasher) leave() { <-b.slots }

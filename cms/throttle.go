package cms

import (
	"strings"
)

// throttle checks the login throttles before anything costly happens: per
// client address first, so that one address cannot use up a username's
// allowance, then per username, known or not.
func (s *AuthService) throttle(client, username string) error {
	keys := []struct {
		t   Throttle
		key string
	}{{s.AddressThrottle, client}, {s.UserThrottle, strings.ToLower(truncate(strings.TrimSpace(username), 64))}}
	for _, k := range keys {
		if k.t == nil {
			continue
		}
		if ok, wait := k.t.Allow(k.key); !ok {
			return &Error{Code: ETHROTTLED, Message: "too many login attempts; slow down", RetryAfter: wait}
		}
	}
	return nil
}

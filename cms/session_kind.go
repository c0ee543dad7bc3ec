package cms

import (
	"context"
	"time"
)

// SessionKind tells the two ways of being signed in apart: a bearer token
// of the management API, or a cookie of the staff console. A token of one
// kind is refused where the other is expected, so a console cookie cannot
// be replayed as a bearer token, nor a leaked API token as a cookie.
type SessionKind string

// Kinds of sessions.
const (
	SessionAPI     SessionKind = "api"
	SessionConsole SessionKind = "console"
)

// consoleTokenPrefix marks console session tokens; unlike "cms_" bearer
// tokens they never leave the browser's cookie jar.
const consoleTokenPrefix = "cmsc_"

// orAPI is k, or SessionAPI when k is unset.
func (k SessionKind) orAPI() SessionKind {
	if k == "" {
		return SessionAPI
	}
	return k
}

func (k SessionKind) prefix() string {
	if k == SessionConsole {
		return consoleTokenPrefix
	}
	return tokenPrefix
}

// newSession makes a session of kind for a user signing in at now, and
// its token. An API session lives SessionTTL; a console session ends after
// ConsoleIdle without activity, and after SessionTTL in any case.
func (s *AuthService) newSession(kind SessionKind, userID int64, now time.Time) (string, *Session, error) {
	token, err := newToken(kind.prefix())
	if err != nil {
		return "", nil, err
	}
	sess := &Session{UserID: userID, Kind: kind, TokenHash: HashToken(token), CreatedAt: now, ExpiresAt: now.Add(s.Config.SessionTTL)}
	if kind == SessionConsole {
		sess.ExpiresAt = s.consoleExpiry(sess, now)
	}
	return token, sess, nil
}

func (s *AuthService) consoleIdle() time.Duration {
	if s.Config.ConsoleIdle > 0 {
		return s.Config.ConsoleIdle
	}
	return DefaultAuthConfig().ConsoleIdle
}

// consoleExpiry is when a console session used at now ends if nothing
// else happens: after the idle time, but never past its absolute lifetime.
func (s *AuthService) consoleExpiry(sess *Session, now time.Time) time.Time {
	end := now.Add(s.consoleIdle())
	if limit := sess.CreatedAt.Add(s.Config.SessionTTL); s.Config.SessionTTL > 0 && limit.Before(end) {
		end = limit
	}
	return end
}

// ConsoleLogin checks a username and password exactly as Login does
// (lockout, audit, expired passwords) and opens a staff console session.
// Every login makes a new session and token, so a session id planted
// before the login is never the one signed in.
func (s *AuthService) ConsoleLogin(ctx context.Context, in LoginRequest) (*LoginResult, error) {
	in.Kind = SessionConsole
	return s.Login(ctx, in)
}

// ConsoleSession resolves a console session token to its principal and
// keeps the session alive: each use moves its end to ConsoleIdle from now
// (at most once a minute, to spare the database), so a session left idle
// that long is over. API tokens are refused here.
func (s *AuthService) ConsoleSession(ctx context.Context, token string) (*Principal, error) {
	p, err := s.authenticate(ctx, SessionConsole, token)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	sess, err := s.Users.SessionByTokenHash(ctx, HashToken(token), now)
	if err != nil {
		return nil, err
	}
	if end := s.consoleExpiry(sess, now); end.Sub(sess.ExpiresAt) >= time.Minute {
		if err := s.Users.TouchSession(ctx, sess.ID, end); err != nil {
			return nil, err
		}
	}
	return p, nil
}

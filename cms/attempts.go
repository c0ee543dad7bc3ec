package cms

import (
	"context"
	"time"
)

// The lockout counts a password check before it is made: reserve takes an
// attempt from the account's allowance in one atomic step with the lock
// decision, the check runs, and fail or release settles it. However many
// requests arrive at once, on however many server processes, no more than
// LockoutThreshold passwords are checked before the account locks.

// reserve counts a check against userID's lockout before it is made. It
// refuses (429) when the account is locked, or when the threshold's worth
// of checks are already under way and will decide whether it locks.
func (s *AuthService) reserve(ctx context.Context, userID int64, now time.Time) (Attempt, error) {
	a, err := s.Users.ReserveAttempt(ctx, userID, s.Config.LockoutThreshold, now)
	if err != nil || a.N > 0 {
		return a, err
	}
	if a.LockedUntil.After(now) {
		return a, s.refuseLocked(ctx, userID, a.LockedUntil, now)
	}
	if err := s.Audit.Append(ctx, NewAuditEntry(now, userID, AuditLoginFailed, userSubject(userID),
		map[string]any{"reason": "attempts in progress"})); err != nil {
		return a, err
	}
	metricsOf(s.Metrics).LoginFailed(LoginBusy)
	return a, &Error{Code: ETHROTTLED, Message: "too many attempts for this account are being checked; try again in a moment",
		RetryAfter: time.Second}
}

// refuseLocked records a refused attempt on a locked account and returns
// the 429 that says how long the lock lasts.
func (s *AuthService) refuseLocked(ctx context.Context, userID int64, until, now time.Time) error {
	if err := s.Audit.Append(ctx, NewAuditEntry(now, userID, AuditLoginFailed, userSubject(userID),
		map[string]any{"reason": "locked"})); err != nil {
		return err
	}
	metricsOf(s.Metrics).LoginFailed(LoginLocked)
	return &Error{Code: ELOCKED, Message: "too many failed logins; the account is locked for a while", RetryAfter: until.Sub(now)}
}

// fail settles a reserved check that failed, locking the account (and
// ending its sessions) when the count reached the threshold. It runs even
// when the client has gone, so that no reservation is left behind.
func (s *AuthService) fail(ctx context.Context, a Attempt, reason string, failure LoginFailure, now time.Time) (bool, error) {
	audit := NewAuditEntry(now, a.UserID, AuditLoginFailed, userSubject(a.UserID), map[string]any{"reason": reason})
	locked, err := s.Users.FailAttempt(context.WithoutCancel(ctx), a, s.Config.LockoutThreshold, now.Add(s.Config.LockoutDuration), audit)
	if err == nil {
		m := metricsOf(s.Metrics)
		m.LoginFailed(failure)
		if locked {
			m.Lockout()
		}
	}
	return locked, err
}

// release gives a reservation back when no password was judged wrong: the
// check could not run, or it succeeded without a login to settle it. A
// failure to release only leaves the count one higher until it restarts,
// so it is not reported over the error that caused the release.
func (s *AuthService) release(ctx context.Context, a Attempt) {
	_ = s.Users.ReleaseAttempt(context.WithoutCancel(ctx), a, nil)
}

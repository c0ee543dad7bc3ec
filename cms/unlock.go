package cms

import (
	"context"
	"time"
)

// Unlock lifts the lockout of an account before it expires and restarts its
// count of failed logins, for an administrator who has made sure the
// person asking is its owner. The policy decides who may (user.unlock).
func (s *UserService) Unlock(ctx context.Context, p *Principal, id int64) (*User, error) {
	if err := s.guard().write(ctx, p, ActUserUnlock, Resource{}, userSubject(id)); err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.unlock(ctx, p.User.ID, u); err != nil {
		return nil, err
	}
	return s.Users.UserByID(ctx, id)
}

// UnlockFromCLI lifts the lockout of the account named username for an
// operator at the console, who acts with the authority of the machine.
func (s *UserService) UnlockFromCLI(ctx context.Context, username string) (*User, error) {
	u, _, err := s.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	if err := s.unlock(ctx, 0, u); err != nil {
		return nil, err
	}
	return s.Users.UserByID(ctx, u.ID)
}

func (s *UserService) unlock(ctx context.Context, actorID int64, u *User) error {
	detail := map[string]any{"was_locked_until": nil, "failed_logins": u.FailedLogins}
	if !u.LockedUntil.IsZero() {
		detail["was_locked_until"] = u.LockedUntil.UTC().Format(time.RFC3339)
	}
	return s.Users.UnlockUser(ctx, u.ID, NewAuditEntry(s.Clock.Now(), actorID, AuditAccountUnlocked, userSubject(u.ID), detail))
}

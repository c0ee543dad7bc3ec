package cms

import (
	"context"
)

// A publisher's release (第十条) is their decision, which the scheduler
// carries out at the time they set. It is carried out only if, at that
// time, they could still make it: an account disabled since, or one that
// no longer holds the publisher role, lets the release lapse. The
// revision is not published; it stays cleared in 待发布 without a release,
// back in the queue of 信息科's publishers, who are told (the lapse is a
// system transition in the history, with the reason). Under
// CMS_AUTO_PUBLISH it falls back to what that mode does with a revision
// nobody released: the system publishes it at its own publish_at.

// releaseLapse returns why the release the scheduler is about to carry out
// lapsed ("" when it stands): the machine is asked whether the releasing
// publisher could release the revision now, with the checks of Fire.
func (s *WorkflowService) releaseLapse(ctx context.Context, req *FireRequest) (string, error) {
	rev := req.Revision
	u, err := s.Users.UserByID(ctx, rev.ReleasedBy)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return "发布人账号已不存在", nil
	case err != nil:
		return "", err
	case u.Disabled:
		return "发布人" + u.DisplayName + "的账号已停用", nil
	}
	probe, copied := *req, *rev
	probe.Event, probe.Actor, probe.Revision, probe.ReleaseAt = EventRelease, u, &copied, rev.ReleaseAt
	probe.Allowed = func(act Action) (bool, error) {
		return s.Authorizer.Allowed(ctx, u, act, Resource{Department: req.Item.Department, Column: req.Item.Column})
	}
	if _, err := s.Machine.Fire(ctx, &probe); ErrorCode(err) == EFORBIDDEN {
		return "发布人" + u.DisplayName + "已不再担任信息发布员", nil
	}
	return "", nil // other refusals are the publication's own to report
}

// lapse records a lapsed release as the system's: the revision keeps its
// state and loses the release. It returns a precondition error, so that
// the scheduler counts nothing published.
func (s *WorkflowService) lapse(ctx context.Context, it *Item, rev *Revision, reason string) error {
	releasedBy, releaseAt := rev.ReleasedBy, rev.ReleaseAt
	comment := "定时发布已取消：" + reason + "，等待信息科重新发布"
	c, err := s.change(ctx, nil, it, rev, EventRelease, comment,
		&Outcome{To: rev.State, ActedAs: RoleSystem, SignoffStep: rev.SignoffStep})
	if err != nil {
		return err
	}
	d := c.Audit.details()
	d["lapsed_release_by"], d["release_at"] = releasedBy, formatTime(releaseAt) // the release that lapsed
	c.Audit = NewAuditEntry(c.Audit.At, 0, AuditTransition, c.Audit.Subject, d)
	if err := s.Flow.ApplyTransition(ctx, c); err != nil {
		return err
	}
	metricsOf(s.Metrics).Transition(EventRelease)
	s.Bus.Publish(Notice{Revision: rev, PublicUnchanged: true})
	return Errorf(EPRECONDITION, "the release of revision %d lapsed: %s", rev.ID, reason)
}

// lapsedRelease reports whether an outbox event is a lapsed release.
func lapsedRelease(ev *OutboxEvent) bool {
	_, ok := ev.Details()["lapsed_release_by"]
	return ok
}

package cms

import (
	"context"
	"sort"
	"strings"
	"time"
)

// The daily digest: once a day, at Config.DigestAt Beijing time, every
// revision past its stage's time limit (CMS_STAGE_LIMITS) is listed to the
// people who can act on it, to the head of its department and to its
// department's contacts (专人, 第六条), one notification each. Several processes may try; the day is claimed in the
// transaction that stores the digest, so it goes out once.

// overdueLine is one overdue revision in someone's digest.
type overdueLine struct {
	pending Pending
	entry   QueueEntry
	visible bool // the recipient may read the item (a contact may not)
}

// SendDigest sends the day's digest if its time has come and no process
// has sent it yet; it reports whether this call sent it.
func (s *NotificationService) SendDigest(ctx context.Context) (bool, error) {
	now := s.Clock.Now()
	local := now.In(China)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, China)
	if now.Before(midnight.Add(s.Config.DigestAt)) {
		return false, nil
	}
	pending, err := s.Workflow.Flow.Pending(ctx, PendingFilter{States: []State{StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled}})
	if err != nil {
		return false, err
	}
	run, err := s.newRun(ctx, &dispatchRun{})
	if err != nil {
		return false, err
	}
	byUser := map[int64][]overdueLine{}
	byDept := map[string][]overdueLine{}
	for i := range pending {
		if err := run.overdue(ctx, &pending[i], byUser, byDept); err != nil {
			return false, err
		}
	}
	notes, msgs := run.digest(byUser, byDept)
	if len(notes)+len(msgs) == 0 {
		return false, nil
	}
	return s.Store.SaveDigest(ctx, midnight.Format("2006-01-02"), notes, msgs)
}

// overdue files one revision, if it is overdue, under everyone who can act
// on it, its department's heads and its department's contacts.
func (n *notifyRun) overdue(ctx context.Context, pd *Pending, byUser map[int64][]overdueLine, byDept map[string][]overdueLine) error {
	limit := n.svc.Workflow.Limits[pd.Revision.State]
	if limit <= 0 || !n.now.After(pd.Revision.StateSince.Add(limit)) {
		return nil
	}
	pr, err := n.svc.Workflow.probe(ctx, pd)
	if err != nil {
		return err
	}
	line := overdueLine{pending: *pd, entry: QueueEntry{DueAt: pd.Revision.StateSince.Add(limit)}, visible: true}
	byDept[pd.Item.Department] = append(byDept[pd.Item.Department], line)
	for i := range n.users {
		u := &n.users[i]
		_, ok, err := n.svc.Workflow.entryWith(ctx, u, pd, pr, n.now)
		if err != nil {
			return err
		}
		if ok || u.HasRole(RoleDeptHead, pd.Item.Department) {
			byUser[u.ID] = append(byUser[u.ID], line)
			continue
		}
		if n.isContact(u.ID, pd.Item.Department) {
			l := line
			if l.visible, err = n.mayRead(ctx, u, &pd.Item); err != nil {
				return err
			}
			byUser[u.ID] = append(byUser[u.ID], l)
		}
	}
	return nil
}

// digest turns the lines into one notification per user and, for the
// users who chose the robot, one post per department listing its own
// overdue revisions.
func (n *notifyRun) digest(byUser map[int64][]overdueLine, byDept map[string][]overdueLine) ([]Notification, []Message) {
	var notes []Notification
	var msgs []Message
	groups := map[string]bool{}
	ids := make([]int64, 0, len(byUser))
	for id := range byUser {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		lines := byUser[id]
		note := Notification{UserID: id, Kind: NotifyOverdue, Subject: "digest:" + n.now.In(China).Format("2006-01-02"),
			Title: "超期待办：" + itoa(len(lines)) + " 件", Body: n.overdueText(lines), Link: "/console/queue", CreatedAt: n.now}
		ch, st := n.settings[id].For(NotifyOverdue), n.settings[id]
		if ch.Inbox {
			notes = append(notes, note)
		}
		if ch.Email && st != nil && st.Email != "" && n.svc.Mailer != nil {
			msgs = append(msgs, Message{Channel: ChannelEmail, To: st.Email, UserID: id, Kind: NotifyOverdue, Subject: note.Title,
				Body: emailBody(&note), State: DeliveryPending, NextAt: n.now, CreatedAt: n.now})
		}
		if ch.WeCom && n.svc.Robots != nil {
			for _, l := range lines {
				groups[l.pending.Item.Department] = true
			}
		}
	}
	depts := make([]string, 0, len(groups))
	for d := range groups {
		depts = append(depts, d)
	}
	sort.Strings(depts)
	for _, d := range depts {
		if !n.svc.Robots.Has(d) {
			continue
		}
		md := "**超期待办：" + itoa(len(byDept[d])) + " 件**\n" + n.overdueText(byDept[d])
		msgs = append(msgs, Message{Channel: ChannelWeCom, To: d, Kind: NotifyOverdue, Subject: "超期待办", Body: md,
			State: DeliveryPending, NextAt: n.now, CreatedAt: n.now})
	}
	return notes, msgs
}

func (n *notifyRun) overdueText(lines []overdueLine) string {
	var b strings.Builder
	for _, l := range lines {
		it, rev := &l.pending.Item, &l.pending.Revision
		b.WriteString("- " + quoted(it, rev, l.visible) + "（" + n.where(it) + "）" + stageWords[rev.State] + "，已超期 " +
			hoursWords(n.now.Sub(l.entry.DueAt)) + "\n")
	}
	return b.String()
}

// hoursWords says how long in days and hours: "1 天 3 小时", "5 小时".
func hoursWords(d time.Duration) string {
	h := int(d.Round(time.Hour) / time.Hour)
	switch {
	case h >= 24 && h%24 == 0:
		return itoa(h/24) + " 天"
	case h >= 24:
		return itoa(h/24) + " 天 " + itoa(h%24) + " 小时"
	}
	return itoa(max(h, 1)) + " 小时"
}

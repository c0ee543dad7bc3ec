package cms

import (
	"context"
	"slices"
	"time"
)

// Who hears of what:
//
//   - a revision entering a stage (review): whoever can act on it there now,
//     decided as the queue decides it (the department head, the leader in
//     charge or the director whose signature is next, secrecy reviewers,
//     publishers), not the one who moved it;
//   - a decision on a revision (approve, sign, clear, reject, publish,
//     archive, suspend, restore): its author and submitter, with the comment;
//   - an incident (tampered content found, or content suspended by a
//     person): publishers, leaders and the director, at once (第十九条);
//     tampering the patrol found in a column, also the contacts (专人,
//     第六条) of the departments that answer for the column (第七条);
//   - an account event: the account's holder; a grant waiting for
//     confirmation: the other administrators; a designation as a
//     department's contact: the contacts added and removed;
//   - an endpoint switched off: the administrators;
//   - a maintenance window requested: the director and the leaders in
//     charge of 信息科 (第十五条); its approval or refusal: the requester;
//   - a monthly archive package that failed (第十一条): 信息科's publishers
//     and the auditors, at each failed attempt;
//   - a feature request submitted (第十六条): 信息科's publishers, the
//     leaders in charge of its department and the director; its approval:
//     the submitter and the publishers (who hand it to the developer); its
//     refusal and its completion: the submitter.
//
// Titles and comments go only to recipients who may read the item.

// notifyRun builds the notifications of one dispatch run.
type notifyRun struct {
	svc      *NotificationService
	run      *dispatchRun
	users    []User
	byID     map[int64]*User
	settings map[int64]*NotificationSettings
	columns  map[string]string   // column slug → title
	depts    map[string]string   // department slug → name
	owners   map[string][]string // column slug → the departments that answer for it
	contacts map[string][]*User  // department slug → its contacts who serve (enabled, of the department)
	now      time.Time
}

func (s *NotificationService) newRun(ctx context.Context, run *dispatchRun) (*notifyRun, error) {
	users, err := s.Users.Users(ctx, UserFilter{})
	if err != nil {
		return nil, err
	}
	settings, err := s.Store.AllNotificationSettings(ctx)
	if err != nil {
		return nil, err
	}
	n := &notifyRun{svc: s, run: run, byID: map[int64]*User{}, settings: settings, now: s.Clock.Now(),
		columns: map[string]string{}, depts: map[string]string{}, owners: map[string][]string{}, contacts: map[string][]*User{}}
	for i := range users {
		if !users[i].Disabled {
			n.users = append(n.users, users[i])
		}
	}
	for i := range n.users {
		n.byID[n.users[i].ID] = &n.users[i]
	}
	cols, err := s.Structure.Columns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		n.columns[c.Slug], n.owners[c.Slug] = c.Title, c.Owners
	}
	depts, err := s.Structure.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		n.depts[d.Slug] = d.Name
	}
	return n, n.loadContacts(ctx, depts)
}

// decisions are the workflow events whose author is told.
var decisions = []Event{EventApprove, EventSign, EventClear, EventReject, EventRelease, EventPublish, EventArchive, EventSuspend, EventRestore}

func (n *notifyRun) event(ctx context.Context, d *Dispatch, ev *OutboxEvent) error {
	if wf, ok := ev.Type.WorkflowEvent(); ok {
		it, rev, err := n.run.itemOf(ctx, ev)
		if err != nil {
			return err
		}
		if err := n.review(ctx, d, ev, it, rev); err != nil {
			return err
		}
		if slices.Contains(decisions, wf) && !lapsedRelease(ev) {
			if err := n.decision(ctx, d, ev, wf, it, rev); err != nil {
				return err
			}
		}
		if wf == EventSuspend && ev.ActorID != 0 {
			return n.incident(ctx, d, ev, it, rev)
		}
		return nil
	}
	switch ev.Type {
	case TamperDetected:
		return n.tamper(ctx, d, ev)
	case WebhookDisabled:
		for _, u := range n.holders(RoleAdmin) {
			n.send(ctx, d, u, NotifySystem, systemNote(ev), u.Department)
		}
		return nil
	case MaintenanceRequested:
		n.maintenanceRequested(ctx, d, ev)
		return nil
	case MaintenanceChanged, MaintenanceRefused:
		n.maintenanceDecided(ctx, d, ev)
		return nil
	case ContactsChanged:
		n.contactsChanged(ctx, d, ev)
		return nil
	case FeatureSubmittedEvent, FeatureApprovedEvent, FeatureRefusedEvent, FeatureDoneEvent:
		n.featureRequest(ctx, d, ev)
		return nil
	case ArchiveFailed:
		for _, u := range n.holders(RolePublisher, RoleAuditor) {
			n.send(ctx, d, u, NotifySystem, archiveFailedNote(ev), u.Department)
		}
		return nil
	}
	return n.account(ctx, d, ev)
}

// review tells whoever can act on a revision that entered a stage, if it
// is still there (a later event tells the next stage).
func (n *notifyRun) review(ctx context.Context, d *Dispatch, ev *OutboxEvent, it *Item, rev *Revision) error {
	to := State(ev.DetailString("to"))
	again := to == StateLeadershipSignoff || lapsedRelease(ev) // still there, and waiting for someone else now
	if _, stage := queueEvents[to]; !stage || rev.State != to || ev.DetailString("from") == string(to) && !again {
		return nil
	}
	if to == StateScheduled && n.svc.Workflow.AutoPublish && !rev.PublishAt.After(n.now) {
		return nil // the scheduler publishes it now: nobody need act
	}
	pd := &Pending{Item: *it, Revision: *rev}
	pr, err := n.svc.Workflow.probe(ctx, pd)
	if err != nil {
		return err
	}
	for i := range n.users {
		u := &n.users[i]
		if u.ID == ev.ActorID {
			continue
		}
		e, ok, err := n.svc.Workflow.entryWith(ctx, u, pd, pr, n.now)
		if err != nil {
			return err
		}
		if ok {
			n.send(ctx, d, u, NotifyReview, n.reviewNote(ev, it, rev, e), it.Department)
		}
	}
	return nil
}

// decision tells the revision's author and submitter of a decision.
func (n *notifyRun) decision(ctx context.Context, d *Dispatch, ev *OutboxEvent, wf Event, it *Item, rev *Revision) error {
	ids := []int64{rev.AuthorID}
	if rev.SubmittedBy != 0 && rev.SubmittedBy != rev.AuthorID {
		ids = append(ids, rev.SubmittedBy)
	}
	for _, id := range ids {
		u := n.byID[id]
		if u == nil || id == ev.ActorID {
			continue
		}
		visible, err := n.mayRead(ctx, u, it)
		if err != nil {
			return err
		}
		n.send(ctx, d, u, NotifyDecision, n.decisionNote(ev, wf, it, rev, visible), it.Department)
	}
	return nil
}

// incident tells publishers, leaders and the director of content taken offline.
func (n *notifyRun) incident(ctx context.Context, d *Dispatch, ev *OutboxEvent, it *Item, rev *Revision) error {
	for _, u := range n.holders(RolePublisher, RoleLeader, RoleDirector) {
		if u.ID == ev.ActorID {
			continue // who suspended it knows
		}
		visible, err := n.mayRead(ctx, u, it)
		if err != nil {
			return err
		}
		n.send(ctx, d, u, NotifyIncident, n.suspensionNote(ev, it, rev, visible), it.Department)
	}
	return nil
}

// tamper tells publishers, leaders and the director of tampering found.
func (n *notifyRun) tamper(ctx context.Context, d *Dispatch, ev *OutboxEvent) error {
	var it *Item
	if ev.ItemID != 0 {
		var err error
		if it, err = n.svc.Items.Item(ctx, ev.ItemID); err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	told := map[int64]bool{}
	for _, u := range n.holders(RolePublisher, RoleLeader, RoleDirector) {
		told[u.ID] = true
		if err := n.tellOfTamper(ctx, d, ev, it, u, u.Department); err != nil {
			return err
		}
	}
	return n.tamperContacts(ctx, d, ev, it, told)
}

// tellOfTamper sends u the incident of tampered content: the item's title
// only to one who may read it, grouped under the item's department, or
// under group when the tampered record is not an item's.
func (n *notifyRun) tellOfTamper(ctx context.Context, d *Dispatch, ev *OutboxEvent, it *Item, u *User, group string) error {
	visible := false
	if it != nil {
		var err error
		if visible, err = n.mayRead(ctx, u, it); err != nil {
			return err
		}
		group = it.Department
	}
	n.send(ctx, d, u, NotifyIncident, n.tamperNote(ev, it, visible), group)
	return nil
}

// account tells the holder of an account what happened to it, and the
// other administrators of a grant that waits for one of them.
func (n *notifyRun) account(ctx context.Context, d *Dispatch, ev *OutboxEvent) error {
	switch ev.Type {
	case GrantRequestedEvent:
		for _, u := range n.holders(RoleAdmin) {
			if u.ID != ev.ActorID && u.ID != ev.UserID {
				n.send(ctx, d, u, NotifyAccount, n.accountNote(ev), u.Department)
			}
		}
		return nil
	case AccountCreated:
		return nil
	}
	if ev.ActorID == ev.UserID && ev.Type != AccountLocked {
		return nil // the holder did it: nothing to tell them
	}
	if u := n.byID[ev.UserID]; u != nil {
		n.send(ctx, d, u, NotifyAccount, n.accountNote(ev), u.Department)
	}
	return nil
}

// holders returns the enabled users holding any of roles.
func (n *notifyRun) holders(roles ...Role) []*User {
	var out []*User
	for i := range n.users {
		for _, r := range roles {
			if n.users[i].HasRole(r, "") {
				out = append(out, &n.users[i])
				break
			}
		}
	}
	return out
}

func (n *notifyRun) mayRead(ctx context.Context, u *User, it *Item) (bool, error) {
	return n.svc.Authorizer.Allowed(ctx, u, ActItemRead, Resource{Department: it.Department})
}

// send adds a notification to u by the channels u chose for kind: the
// inbox, e-mail, and the robot of group (the department concerned, once
// per event and group).
func (n *notifyRun) send(_ context.Context, d *Dispatch, u *User, kind NotificationKind, note Notification, group string) {
	ch := n.settings[u.ID].For(kind)
	note.UserID, note.Kind, note.CreatedAt = u.ID, kind, n.now
	if ch.Inbox {
		d.Notifications = append(d.Notifications, note)
	}
	if st := n.settings[u.ID]; ch.Email && st != nil && st.Email != "" && n.svc.Mailer != nil {
		d.Messages = append(d.Messages, Message{Channel: ChannelEmail, To: st.Email, UserID: u.ID, Kind: kind, EventID: note.EventID,
			Subject: note.Title, Body: emailBody(&note), State: DeliveryPending, NextAt: n.now, CreatedAt: n.now})
	}
	// Account notices are personal: they never go to a group.
	if ch.WeCom && kind != NotifyAccount && n.svc.Robots != nil && n.svc.Robots.Has(group) {
		for _, m := range d.Messages {
			if m.Channel == ChannelWeCom && m.To == group && m.EventID == note.EventID && m.Kind == kind && note.EventID != 0 {
				return
			}
		}
		d.Messages = append(d.Messages, Message{Channel: ChannelWeCom, To: group, Kind: kind, EventID: note.EventID,
			Subject: note.Title, Body: n.robotMarkdown(&note, group), State: DeliveryPending, NextAt: n.now, CreatedAt: n.now})
	}
}

// maintenanceRequested tells those who decide on maintenance windows.
func (n *notifyRun) maintenanceRequested(ctx context.Context, d *Dispatch, ev *OutboxEvent) {
	note := maintenanceNote(ev, "停服维护申请待批：")
	for i := range n.users {
		u := &n.users[i]
		if u.ID != ev.ActorID && (u.HasRole(RoleDirector, "") || u.HasRole(RoleLeader, MaintenanceDepartment)) {
			n.send(ctx, d, u, NotifyReview, note, u.Department)
		}
	}
}

// maintenanceDecided tells the requester of a window how it was decided.
func (n *notifyRun) maintenanceDecided(ctx context.Context, d *Dispatch, ev *OutboxEvent) {
	id := detailInt(ev.Details(), "requested_by")
	u := n.byID[id]
	if u == nil || id == ev.ActorID {
		return
	}
	title := "停服维护已批准并公告："
	if ev.Type == MaintenanceRefused {
		title = "停服维护申请未获批准："
	}
	n.send(ctx, d, u, NotifyDecision, maintenanceNote(ev, title), u.Department)
}

// maintenanceNote says when a window runs in China time, as people read
// every other time in the product; the audit detail keeps UTC.
func maintenanceNote(ev *OutboxEvent, title string) Notification {
	when := chinaTime(ev.DetailString("starts_at")) + " 起"
	if end := chinaTime(ev.DetailString("ends_at")); end != "" {
		when += "，至 " + end
	}
	body := "渠道 " + ev.Channel + "，" + when + "。理由：" + ev.DetailString("reason")
	if c := ev.DetailString("comment"); c != "" {
		body += "\n意见：" + c
	}
	return Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/maintenance", Title: title + ev.DetailString("notice"), Body: body}
}

// chinaTime formats an RFC 3339 time of an audit detail in China time ("" for
// none; as given when it does not parse).
func chinaTime(s string) string {
	t, err := parseOptTime(s)
	if err != nil || t.IsZero() {
		return s
	}
	return beijing(t)
}

// featureRequest tells of a feature request's submission or decision.
func (n *notifyRun) featureRequest(ctx context.Context, d *Dispatch, ev *OutboxEvent) {
	det := ev.Details()
	dept, _ := det["department"].(string)
	submitter := detailInt(det, "submitted_by")
	sent := map[int64]bool{ev.ActorID: true}
	tell := func(u *User, kind NotificationKind, note Notification) {
		if u != nil && !sent[u.ID] {
			sent[u.ID] = true
			n.send(ctx, d, u, kind, note, dept)
		}
	}
	switch ev.Type {
	case FeatureSubmittedEvent:
		note := n.featureNote(ev, "功能建议待批：")
		for i := range n.users {
			u := &n.users[i]
			if u.HasRole(RoleDirector, "") || u.HasRole(RoleLeader, dept) {
				tell(u, NotifyReview, note)
			}
		}
		for _, u := range n.holders(RolePublisher) {
			tell(u, NotifyReview, n.featureNote(ev, "新的功能建议（信息科收集整理）："))
		}
	case FeatureApprovedEvent:
		tell(n.byID[submitter], NotifyDecision, n.featureNote(ev, "功能建议已批准："))
		for _, u := range n.holders(RolePublisher) {
			tell(u, NotifyReview, n.featureNote(ev, "功能建议已批准，请交软件开发单位修改完善："))
		}
	case FeatureRefusedEvent:
		tell(n.byID[submitter], NotifyDecision, n.featureNote(ev, "功能建议未获批准："))
	case FeatureDoneEvent:
		tell(n.byID[submitter], NotifyDecision, n.featureNote(ev, "功能建议已修改完善："))
	}
}

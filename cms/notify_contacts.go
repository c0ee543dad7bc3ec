package cms

import (
	"context"
	"slices"
	"strings"
	"time"
)

// loadContacts reads the departments' contacts who serve now (enabled,
// still of the department) into the run.
func (n *notifyRun) loadContacts(ctx context.Context, depts []Department) error {
	if n.svc.Contacts == nil {
		return nil
	}
	cs, err := n.svc.Contacts.Contacts(ctx, time.Time{})
	if err != nil {
		return err
	}
	for i := range cs {
		if u := n.byID[cs[i].User.ID]; u != nil && cs[i].Serves(depts) {
			n.contacts[cs[i].Department] = append(n.contacts[cs[i].Department], u)
		}
	}
	return nil
}

// isContact reports whether the user is a serving contact of dept.
func (n *notifyRun) isContact(id int64, dept string) bool {
	return slices.ContainsFunc(n.contacts[dept], func(u *User) bool { return u.ID == id })
}

// tamperContacts tells the contacts of the departments that answer for
// the column of tampered content (an item's, or a column's own record) of
// the finding, but for those told already.
func (n *notifyRun) tamperContacts(ctx context.Context, d *Dispatch, ev *OutboxEvent, it *Item, told map[int64]bool) error {
	column := ""
	if it != nil {
		column = it.Column
	} else if kind, slug, _ := strings.Cut(ev.Subject, ":"); kind == "column" {
		column = slug
	}
	for _, dept := range n.owners[column] {
		for _, u := range n.contacts[dept] {
			if told[u.ID] {
				continue
			}
			told[u.ID] = true
			if err := n.tellOfTamper(ctx, d, ev, it, u, dept); err != nil {
				return err
			}
		}
	}
	return nil
}

// contactsChanged tells the accounts an administrator designated as a
// department's contacts, or no longer designates, of it.
func (n *notifyRun) contactsChanged(ctx context.Context, d *Dispatch, ev *OutboxEvent) {
	dm := ev.Details()
	dept, _ := dm["department"].(string)
	name := n.depts[dept]
	for _, list := range []struct {
		key, title, body string
	}{
		{"added", "你已被指定为" + name + "的信息报送专人",
			" 指定你负责本部门信息报送、留言收集及日常巡查工作（第六条）。本部门栏目的巡查发现和本部门稿件的超期待办将通知你。"},
		{"removed", "你已不再担任" + name + "的信息报送专人", " 取消了该指定，此后不再收到本部门的巡查发现和超期待办通知。"},
	} {
		ids, _ := dm[list.key].([]any)
		for _, v := range ids {
			f, _ := v.(float64)
			u := n.byID[int64(f)]
			if u == nil {
				continue
			}
			n.send(ctx, d, u, NotifyAccount, Notification{EventID: ev.ID, Subject: ev.Subject, Link: "/console/",
				Title: list.title, Body: n.actor(ev) + "于 " + beijing(ev.At) + list.body}, u.Department)
		}
	}
}

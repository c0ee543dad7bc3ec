package cms

import (
	"context"
	"slices"
	"time"
)

// Seed rule 第六条: 各科室、管理部应指定专人负责本部门信息报送、留言收集及日常巡查工作.
// Every department names one or more of its own staff (专人) for its
// reporting, patrol and follow-up. They hear of the patrol's findings in
// the columns their department answers for (第七条) and of their
// department's overdue revisions; the approval form and the workflow
// report name them. The rule says 本部门: a contact works in the
// department (or, for 管理部 as a group, in one of its members); an
// administrator designates them.

// Contact is the designation of a member of staff as a department's 专人.
type Contact struct {
	Department string
	// User is the designated account as it is now (a contact whose account
	// was disabled, or who moved to another department, no longer serves).
	User         User
	Since        time.Time
	Until        time.Time // zero while designated
	DesignatedBy int64
}

// ContactStore keeps the designations. A designation that ends keeps its
// row, so that the contacts of a past time can be named.
type ContactStore interface {
	// Contacts lists the designations in effect at at (zero: those not
	// ended), with their accounts, by department position then since.
	Contacts(ctx context.Context, at time.Time) ([]Contact, error)
	// SetContacts makes users (in order) the department's contacts from
	// at: it ends the designations of the others and starts the missing
	// ones, with audit (whose detail gets "added" and "removed"), in one
	// transaction. It reports whether anything changed; nothing is written
	// when nothing did.
	SetContacts(ctx context.Context, department string, users []int64, at time.Time, audit AuditEntry) (bool, error)
}

// AuditContactsChanged records an administrator's designation of a
// department's contacts.
const AuditContactsChanged = "department_contacts_changed"

// ContactsChanged is the outbox event of a designation: the contacts added
// and removed hear of it.
const ContactsChanged EventType = "department.contacts_changed"

// MaxContacts bounds the contacts of one department.
const MaxContacts = 20

// BelongsTo reports whether staff sitting in userDept work in dept: in it,
// or, for 管理部 as a group, in one of its members.
func BelongsTo(userDept, dept string, depts []Department) bool {
	if userDept == dept {
		return true
	}
	for _, d := range depts {
		if d.Slug == userDept {
			return d.MemberOf != "" && d.MemberOf == dept
		}
	}
	return false
}

// Serves reports whether the contact can act now: the account is enabled
// and still works in the department.
func (c *Contact) Serves(depts []Department) bool {
	return !c.User.Disabled && BelongsTo(c.User.Department, c.Department, depts)
}

// ContactsByDepartment groups contacts by department.
func ContactsByDepartment(cs []Contact) map[string][]Contact {
	out := map[string][]Contact{}
	for _, c := range cs {
		out[c.Department] = append(out[c.Department], c)
	}
	return out
}

// Contacts lists a department's contacts; every member of staff may read them.
func (s *StructureService) Contacts(ctx context.Context, p *Principal, dept string) ([]Contact, error) {
	return s.ContactsAt(ctx, p, dept, time.Time{})
}

// ContactsAt lists the contacts a department had designated at at (zero:
// now), for forms and reports of that time.
func (s *StructureService) ContactsAt(ctx context.Context, p *Principal, dept string, at time.Time) ([]Contact, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	if _, err := s.department(ctx, dept); err != nil {
		return nil, err
	}
	all, err := s.Designations.Contacts(ctx, at)
	if err != nil {
		return nil, err
	}
	return ContactsByDepartment(all)[dept], nil
}

// AllContacts lists every department's contacts, by department slug.
func (s *StructureService) AllContacts(ctx context.Context, p *Principal) (map[string][]Contact, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	all, err := s.Designations.Contacts(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	return ContactsByDepartment(all), nil
}

// SetContacts designates a department's contacts (an administrator's
// task): the accounts must exist, be enabled and work in the department.
// The change is audited in its transaction; the accounts added and removed
// are told.
func (s *StructureService) SetContacts(ctx context.Context, p *Principal, dept string, users []int64) ([]Contact, error) {
	if err := (guard{s.Authorizer, s.Audit, s.Clock}).write(ctx, p, ActUserManage, Resource{}, "department:"+dept); err != nil {
		return nil, err
	}
	if _, err := s.department(ctx, dept); err != nil {
		return nil, err
	}
	depts, err := s.Structure.Departments(ctx)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
	if len(users) > MaxContacts {
		fe.Add("users", "at most %d contacts per department", MaxContacts)
	}
	var ids []int64
	for i, id := range users {
		if slices.Contains(ids, id) {
			continue
		}
		if msg, err := s.contactProblem(ctx, id, dept, depts); err != nil {
			return nil, err
		} else if msg != "" {
			fe.Add("users["+itoa(i)+"]", "%s", msg)
			continue
		}
		ids = append(ids, id)
	}
	if err := fe.Err("invalid contacts"); err != nil {
		return nil, err
	}
	audit := NewAuditEntry(s.Clock.Now(), p.User.ID, AuditContactsChanged, "department:"+dept,
		map[string]any{"department": dept, "users": ids})
	if _, err := s.Designations.SetContacts(ctx, dept, ids, audit.At, audit); err != nil {
		return nil, err
	}
	all, err := s.Designations.Contacts(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	return ContactsByDepartment(all)[dept], nil
}

// contactProblem says why an account cannot be a department's contact ("" when it can).
func (s *StructureService) contactProblem(ctx context.Context, id int64, dept string, depts []Department) (string, error) {
	u, err := s.Users.UserByID(ctx, id)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return "no such user", nil
	case err != nil:
		return "", err
	case u.Disabled:
		return "the account " + u.Username + " is disabled", nil
	case !BelongsTo(u.Department, dept, depts):
		return u.Username + " works in " + u.Department + ", not in " + dept + " (第六条: 本部门)", nil
	}
	return "", nil
}

func (s *StructureService) department(ctx context.Context, slug string) (*Department, error) {
	depts, err := s.Structure.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for i := range depts {
		if depts[i].Slug == slug {
			return &depts[i], nil
		}
	}
	return nil, Errorf(ENOTFOUND, "department %q not found", slug)
}

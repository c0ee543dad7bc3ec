package cms

import (
	"context"
)

// ApprovalForm is 信息发布审批表 (seed rule 第八条) of a revision: who
// decided at each step of its last approving cycle (from its last
// submission), the approved content hash, and the department's contacts
// (专人, 第六条) designated when it was published (now, before).
type ApprovalForm struct {
	Item     *Item
	Revision *Revision
	Contacts []Contact
	// Stages are the boxes of the form in ApprovalStages order.
	Stages [][]Transition
	// Users are the actors of the transitions, by id.
	Users map[int64]*User
}

// ApprovalStages name the boxes of the form in the order of the chain
// (第九条: 科室、管理部提出 → 分管领导审核 → 中心主任签发; 第十三条 保密审查;
// 第十条 信息科发布).
var ApprovalStages = []string{"drafter", "dept_review", "leader_review", "director_signoff", "secrecy_review", "publish"}

// ApprovalStageOf places a transition of the approving cycle on the form
// (an index in ApprovalStages), or returns -1 for those only in the trail
// (withdrawals, rejections, suspensions, a release that lapsed with its
// publisher).
func ApprovalStageOf(t *Transition) int {
	switch t.Event {
	case EventSubmit:
		return 0
	case EventApprove:
		return 1
	case EventSign:
		if t.ActorRole == RoleDirector {
			return 3
		}
		return 2
	case EventClear:
		return 4
	case EventRelease, EventPublish:
		if t.Event == EventRelease && t.ActorRole == RoleSystem {
			return -1
		}
		return 5 // 信息科's decision on the time, and the publication itself
	}
	return -1
}

// ApprovalForm returns the form of a revision to anyone who may read it.
func (s *WorkflowService) ApprovalForm(ctx context.Context, p *Principal, revID int64) (*ApprovalForm, error) {
	rev, err := s.Items.Revision(ctx, revID)
	if err != nil {
		return nil, err
	}
	ts, users, err := s.History(ctx, p, rev.ItemID)
	if err != nil {
		return nil, err
	}
	it, err := s.Items.Item(ctx, rev.ItemID)
	if err != nil {
		return nil, err
	}
	f := &ApprovalForm{Item: it, Revision: rev, Users: users, Stages: make([][]Transition, len(ApprovalStages))}
	if s.Contacts != nil {
		cs, err := s.Contacts.Contacts(ctx, rev.PublishedAt)
		if err != nil {
			return nil, err
		}
		f.Contacts = ContactsByDepartment(cs)[it.Department]
	}
	start := -1
	for i := range ts {
		if ts[i].RevisionID == rev.ID && ts[i].Event == EventSubmit {
			start = i
		}
	}
	for i := range ts {
		if st := ApprovalStageOf(&ts[i]); start >= 0 && i >= start && ts[i].RevisionID == rev.ID && st >= 0 {
			f.Stages[st] = append(f.Stages[st], ts[i])
		}
	}
	return f, nil
}

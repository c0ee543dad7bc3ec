package archive

import "github.com/tlhpf/cms/cms"

// Chinese labels of the workflow's words, for the approval forms.

var eventLabels = map[cms.Event]string{
	cms.EventSubmit: "送审", cms.EventWithdraw: "撤回", cms.EventApprove: "科室审核通过", cms.EventSign: "签批",
	cms.EventClear: "保密审查通过", cms.EventReject: "退回修改", cms.EventPublish: "发布", cms.EventArchive: "归档下线",
	cms.EventSuspend: "暂停发布", cms.EventRestore: "恢复发布", cms.EventRelease: "确定发布时间",
}

var stateLabels = map[cms.State]string{
	cms.StateDraft: "草稿", cms.StateDeptReview: "科室审核", cms.StateLeadershipSignoff: "领导签批",
	cms.StateSecrecyReview: "保密审查", cms.StateScheduled: "待发布", cms.StatePublished: "已发布",
	cms.StateSuspended: "已暂停", cms.StateArchived: "已归档", cms.StateSuperseded: "已被新版本替代",
}

var roleLabels = map[cms.Role]string{
	cms.RoleEditor: "编辑", cms.RoleDeptHead: "科室负责人", cms.RoleLeader: "分管领导", cms.RoleDirector: "中心主任",
	cms.RoleSecrecyReviewer: "保密审查员", cms.RolePublisher: "发布员", cms.RoleAuditor: "审计员", cms.RoleAdmin: "系统管理员",
	cms.RoleSystem: "系统",
}

// label returns the Chinese word for a key, or the key itself for one the
// table does not know, so that nothing is lost from the record.
func label[K ~string](labels map[K]string, k K) string {
	if l, ok := labels[k]; ok {
		return l
	}
	return string(k)
}

func eventLabel(e cms.Event) string { return label(eventLabels, e) }
func stateLabel(s cms.State) string { return label(stateLabels, s) }
func roleLabel(r cms.Role) string   { return label(roleLabels, r) }

func actionLabel(action string) string {
	switch action {
	case cms.ActionPublish:
		return "发布"
	case cms.ActionUnpublish:
		return "撤下（删除申请）"
	}
	return action
}

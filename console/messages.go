package console

import (
	"fmt"
	"math"
	"net/http"

	"github.com/tlhpf/cms/cms"
)

// The message catalogue: every word the console shows for a code of the
// services (states, events, roles, error codes, field messages, flash
// messages) is here, in the words of the centre's regulation.

var stateLabels = map[cms.State]string{
	cms.StateDraft: "草稿", cms.StateDeptReview: "部门审核", cms.StateLeadershipSignoff: "领导签发",
	cms.StateSecrecyReview: "保密审查", cms.StateScheduled: "待发布", cms.StatePublished: "已发布",
	cms.StateSuspended: "已暂停", cms.StateArchived: "已归档", cms.StateSuperseded: "已被新版本替代",
}

var eventLabels = map[cms.Event]string{
	cms.EventSubmit: "提交审核", cms.EventWithdraw: "撤回", cms.EventApprove: "审核通过", cms.EventSign: "签发",
	cms.EventClear: "保密审查通过", cms.EventReject: "退回", cms.EventPublish: "发布", cms.EventSuspend: "暂停",
	cms.EventRestore: "恢复", cms.EventArchive: "归档", cms.EventRelease: "定时发布",
}

var roleLabels = map[cms.Role]string{
	cms.RoleEditor: "编辑", cms.RoleDeptHead: "科室负责人", cms.RoleLeader: "分管领导", cms.RoleDirector: "中心主任",
	cms.RoleSecrecyReviewer: "保密审查员", cms.RolePublisher: "发布员", cms.RoleAuditor: "审计员",
	cms.RoleAdmin: "系统管理员", cms.RoleSystem: "系统",
}

// optionLabels name the codes of enumerated fields.
var optionLabels = map[string]string{
	"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件",
	"current": "现行有效", "repealed": "已废止",
	"android": "Android", "ios": "iOS",
	"deposit": "缴存", "withdrawal": "提取", "loan": "贷款", "repayment": "还贷",
}

func stateLabel(s cms.State) string { return labelOf(stateLabels, s) }
func eventLabel(e cms.Event) string { return labelOf(eventLabels, e) }
func roleLabel(r cms.Role) string   { return labelOf(roleLabels, r) }
func optionLabel(o string) string   { return labelOf(optionLabels, o) }

// labelOf returns the Chinese word for a code, or the code itself when the
// catalogue lacks it, so that nothing is hidden.
func labelOf[K ~string](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return string(k)
}

// errorText is what a person reads for each error code of the services.
var errorText = map[string]string{
	cms.EBADREQUEST:   "请求有误，请返回重试。",
	cms.EINVALID:      "填写的内容有误，请按提示修改。",
	cms.ENOTFOUND:     "找不到该页面或稿件，可能已被删除，或地址有误。",
	cms.ECONFLICT:     "操作未完成：稿件刚刚被他人处理过，或尚有未处理的事项，请刷新后查看。",
	cms.ETRANSITION:   "稿件当前所处环节不能进行此操作，可能已被他人处理，请刷新后查看。",
	cms.EUNAUTHORIZED: "用户名或密码错误。",
	cms.EFORBIDDEN:    "您没有权限查看此页面或进行此操作。",
	cms.EPWEXPIRED:    "密码已过期，请先修改密码。",
	cms.EPRECONDITION: "稿件已被他人修改，请核对后再保存。",
	cms.ELOCKED:       "连续登录失败次数过多，账户已暂时锁定。",
	cms.EGONE:         "链接已失效。",
	cms.ETOOLARGE:     "文件过大，超过了允许上传的大小。",
	cms.EUNSUPPORTED:  "不支持此类文件，请上传 PDF、Office 文档、图片或文本文件。",
	cms.EINTERNAL:     "系统出错了，请稍后再试；如仍不能解决，请联系信息科。",
	cms.ETHROTTLED:    "尝试过于频繁，请稍后再试。",
	cms.EBUSY:         "系统正忙，请稍后再试。",
	cms.EOTPREQUIRED:  "此账户已启用双因素认证，请填写动态验证码。",
	cms.EOTPINVALID:   "动态验证码不正确或已使用过，请填写验证器上当前的验证码。",
	cms.EOTPENROL:     "您的角色须启用双因素认证，请先在“双因素认证”页面绑定验证器。",
	cms.EDBDOWN:       "数据库暂时无法连接，本次操作未保存，请稍后再试；如持续出现，请联系信息科。",
	cms.ENOSPACE:      "服务器存储空间已满，本次操作未保存；请联系信息科清理空间后再试。",
	cms.EBLOBDOWN:     "文件存储暂时无法连接，请稍后再试；如持续出现，请联系信息科。",
}

// errorTitles head the error page.
var errorTitles = map[int]string{
	http.StatusBadRequest: "请求有误", http.StatusForbidden: "没有权限", http.StatusNotFound: "找不到页面",
	http.StatusConflict: "操作未完成", http.StatusPreconditionFailed: "稿件已被修改",
	http.StatusUnprocessableEntity: "内容有误", http.StatusTooManyRequests: "请稍后再试",
	http.StatusRequestEntityTooLarge: "文件过大", http.StatusUnsupportedMediaType: "文件类型不支持",
	http.StatusInternalServerError: "出错了", http.StatusServiceUnavailable: "系统繁忙", http.StatusUnauthorized: "需要登录",
	http.StatusInsufficientStorage: "存储空间已满",
}

// statusOf maps error codes to HTTP statuses, as the API does.
var statusOf = map[string]int{
	cms.EBADREQUEST: http.StatusBadRequest, cms.EINVALID: http.StatusUnprocessableEntity,
	cms.ENOTFOUND: http.StatusNotFound, cms.ECONFLICT: http.StatusConflict, cms.ETRANSITION: http.StatusConflict,
	cms.EUNAUTHORIZED: http.StatusUnauthorized, cms.EFORBIDDEN: http.StatusForbidden, cms.EPWEXPIRED: http.StatusForbidden,
	cms.EPRECONDITION: http.StatusPreconditionFailed, cms.ELOCKED: http.StatusTooManyRequests,
	cms.EGONE: http.StatusGone, cms.ETOOLARGE: http.StatusRequestEntityTooLarge,
	cms.EUNSUPPORTED: http.StatusUnsupportedMediaType, cms.ETHROTTLED: http.StatusTooManyRequests,
	cms.EBUSY: http.StatusServiceUnavailable, cms.EOTPREQUIRED: http.StatusUnauthorized,
	cms.EOTPINVALID: http.StatusUnauthorized, cms.EOTPENROL: http.StatusForbidden,
	cms.EDBDOWN: http.StatusServiceUnavailable, cms.EBLOBDOWN: http.StatusServiceUnavailable,
	cms.ENOSPACE: http.StatusInsufficientStorage,
}

// errorMessage says in Chinese what went wrong; a locked account is told
// how long to wait.
func errorMessage(err error) string {
	code := cms.ErrorCode(err)
	if code == cms.ELOCKED || code == cms.ETHROTTLED {
		var de *cms.Error
		if asError(err, &de) && de.RetryAfter > 0 {
			return fmt.Sprintf("%s请于 %d 分钟后再试。", errorText[code], int(math.Ceil(de.RetryAfter.Minutes())))
		}
	}
	if t, ok := errorText[code]; ok {
		return t
	}
	return errorText[cms.EINTERNAL]
}

// flashText is what a flash key says after a redirect.
var flashText = map[string]string{
	"logged_out":            "您已安全退出。",
	"session_ended":         "长时间未操作，已自动退出，请重新登录。",
	"password_changed":      "密码已修改。",
	"created":               "稿件已保存为草稿。内容完整后即可提交审核。",
	"revise_publish":        "已在已发布内容的基础上建立修改稿。修改后提交审核，签发发布前线上仍显示原内容。",
	"revise_unpublish":      "已建立撤下申请。提交审核后按审批流程办理，撤下前线上仍显示原内容。",
	"saved":                 "已保存。",
	"uploaded":              "附件已上传。",
	"removed":               "附件已删除。",
	"acknowledged":          "已记录确认理由。",
	"fired_submit":          "已提交审核，稿件已送科室负责人审核。",
	"fired_withdraw":        "已撤回，稿件回到草稿。",
	"fired_approve":         "已审核通过，送分管领导签发。",
	"fired_sign":            "已签发。",
	"fired_clear":           "保密审查已通过，稿件待信息科发布。",
	"fired_reject":          "已退回，稿件回到草稿，编辑将看到您的意见。",
	"fired_publish":         "已发布。",
	"fired_suspend":         "已暂停发布，客户端已不再显示。",
	"fired_restore":         "已恢复发布。",
	"fired_archive":         "已归档下线。",
	"all_read":              "通知已全部标为已读。",
	"menu_renamed":          "菜单名称已修改，客户端菜单随即更新。",
	"menu_enabled":          "菜单项已启用。",
	"menu_disabled":         "菜单项已停用，客户端不再显示。",
	"notice_saved":          "停服公告已保存，客户端将按时显示。",
	"notice_withdrawn":      "停服公告已撤销。",
	"patrol_clean":          "巡查完成，未发现问题。",
	"batch_none":            "请先勾选要签发的稿件。",
	"user_saved":            "账户已保存。须另一名管理员确认的角色在确认后生效。",
	"user_disabled":         "账户已停用，其登录已全部结束。",
	"user_enabled":          "账户已启用。",
	"user_unlocked":         "已解除锁定。",
	"otp_reset":             "已重置双因素认证，该账户须重新绑定验证器。",
	"grant_confirmed":       "已确认授权，即时生效。",
	"grant_refused":         "已拒绝授权。",
	"signoff_saved":         "签发流程已保存，之后进入领导签发的稿件按新流程签发。",
	"contacts_saved":        "部门专人已保存，被指定和被取消的人员将收到通知。",
	"words_saved":           "敏感词已保存，系统已按新词复查审核中和已发布的内容。",
	"patrol_found":          "巡查完成，发现问题，相关内容已暂停发布，详见下方。",
	"webhook_saved":         "设置已保存。",
	"webhook_enabled":       "接收地址已启用，停用期间的事件将继续投递。",
	"webhook_disabled":      "接收地址已停用，事件暂存，重新启用后继续投递。",
	"webhook_deleted":       "接收地址已删除，不再投递。",
	"webhook_redelivered":   "已安排重新发送，稍后在投递记录中查看结果。",
	"notify_saved":          "通知设置已保存。",
	"fired_release":         "已确定发布时间，届时系统按您的决定发布。",
	"maintenance_requested": "停服申请已提交，待中心领导批准后方对外公告。",
	"maintenance_approved":  "已批准，停服公告已发布，客户端将按时显示。",
	"maintenance_refused":   "已不予批准，申请人将收到您的意见。",
	"feature_submitted":     "建议已提交，信息科收集整理后报中心领导批准。",
	"feature_commented":     "意见已添加。",
	"feature_approved":      "已批准，信息科将交软件开发单位修改完善。",
	"feature_refused":       "已不予批准，提出科室将收到您的意见。",
	"feature_done":          "已记录修改完善，提出人将收到通知。",
}

// auditActionOrder lists the audit log's actions for its filter; the
// labels name them.
var auditActionOrder = []string{cms.AuditTransition, cms.AuditItemCreated, cms.AuditRevisionCreated, cms.AuditRevisionEdited,
	cms.AuditAttachmentAdded, cms.AuditAttachmentRemoved, cms.AuditFindingAck, cms.AuditSecrecyRescan, cms.AuditSensitiveWord,
	cms.AuditPreviewIssued, cms.AuditPreviewRevoked, cms.AuditTamperDetected, cms.AuditPatrol, cms.AuditMenuChanged,
	cms.AuditMaintenanceChanged, cms.AuditSignoffChain, cms.AuditArchiveExported, cms.AuditLogin, cms.AuditLoginFailed,
	cms.AuditLogout, cms.AuditPasswordChanged, cms.AuditUserCreated, cms.AuditUserUpdated, cms.AuditAccountUnlocked,
	cms.AuditGrantRequested, cms.AuditGrantConfirmed, cms.AuditGrantRefused, cms.AuditGrantCancelled,
	cms.AuditOTPEnrolmentStarted, cms.AuditOTPEnabled, cms.AuditOTPReset, cms.AuditRecoveryCodeUsed,
	cms.AuditPermissionDenied, cms.AuditBlobCollected, cms.AuditFeatureSubmitted, cms.AuditFeatureCommented,
	cms.AuditFeatureApproved, cms.AuditFeatureRefused, cms.AuditFeatureDone}

var auditActionLabels = map[string]string{
	cms.AuditTransition: "审批流转", cms.AuditItemCreated: "新建稿件", cms.AuditRevisionCreated: "新建版本（修改或撤下已发布内容）",
	cms.AuditRevisionEdited: "修改稿件", cms.AuditAttachmentAdded: "上传附件", cms.AuditAttachmentRemoved: "删除附件",
	cms.AuditFindingAck: "确认保密检查发现", cms.AuditSecrecyRescan: "保密复查", cms.AuditSensitiveWord: "修改敏感词",
	cms.AuditPreviewIssued: "生成预览链接", cms.AuditPreviewRevoked: "撤销预览链接", cms.AuditTamperDetected: "发现篡改",
	cms.AuditPatrol: "巡查", cms.AuditMenuChanged: "修改菜单", cms.AuditMaintenanceChanged: "停服公告",
	cms.AuditSignoffChain: "修改签发流程", cms.AuditArchiveExported: "导出归档", cms.AuditLogin: "登录",
	cms.AuditLoginFailed: "登录失败", cms.AuditLogout: "退出", cms.AuditPasswordChanged: "修改或重置密码",
	cms.AuditUserCreated: "新建账户", cms.AuditUserUpdated: "修改账户", cms.AuditAccountUnlocked: "解除锁定",
	cms.AuditGrantRequested: "申请授权", cms.AuditGrantConfirmed: "确认授权", cms.AuditGrantRefused: "拒绝授权",
	cms.AuditGrantCancelled: "撤回授权", cms.AuditOTPEnrolmentStarted: "开始绑定双因素", cms.AuditOTPEnabled: "启用双因素",
	cms.AuditOTPReset: "重置双因素", cms.AuditRecoveryCodeUsed: "使用恢复码", cms.AuditPermissionDenied: "越权操作被拒绝",
	cms.AuditBlobCollected: "清理无用文件", cms.AuditFeatureSubmitted: "提出功能建议", cms.AuditFeatureCommented: "功能建议意见",
	cms.AuditFeatureApproved: "批准功能建议", cms.AuditFeatureRefused: "不予批准功能建议", cms.AuditFeatureDone: "功能建议修改完善",
}

// auditProblems say in words what the chain's verification found.
var auditProblems = map[string]string{
	cms.AuditMissingEntry:   "记录缺失（序号不连续，有记录被删除）",
	cms.AuditBrokenLink:     "链接断开（与前一条记录的哈希不符）",
	cms.AuditEditedEntry:    "记录被修改（内容与其哈希不符）",
	cms.AuditMissingMAC:     "缺少密钥签名（在密钥启用后写入却没有签名，或签名被删除）",
	cms.AuditWrongMAC:       "密钥签名不符（没有密钥的人写入或改写了该记录）",
	cms.AuditRewrittenEpoch: "启用密钥前的记录被改写（与启用密钥时记录的哈希不符）",
	cms.AuditAnchorMismatch: "与外部锚点记录的哈希不符（此前的记录被改写）",
	cms.AuditTruncated:      "末尾的记录被删除",
	cms.AuditBadAnchor:      "锚点文件中有无法读取或签名不符的行",
	cms.AuditBadEpoch:       "数据库中的密钥启用记录被修改、缺失或与锚点文件不一致",
}

var anchorKinds = map[string]string{cms.AnchorEpoch: "启用密钥时", cms.AnchorPeriodic: "巡查后", cms.AnchorArchive: "导出归档时"}

// clientWords names a kind of client.
func clientWords(k cms.ClientKind) string {
	switch k {
	case cms.ClientApp:
		return "App"
	case cms.ClientWeChat:
		return "微信"
	}
	return "其他"
}

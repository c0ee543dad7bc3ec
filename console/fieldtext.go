package console

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// fieldMessages translate the services' field messages into Chinese, in
// order; the first pattern that matches wins.
var fieldMessages = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^is required( \(YYYY-MM-DD\))?$`), "必填"},
	{regexp.MustCompile(`^must not be empty$`), "不能为空"},
	{regexp.MustCompile(`^must be a single line$`), "只能填写一行"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "最多 $1 个字"},
	{regexp.MustCompile(`^must be at least (\d+) characters$`), "至少 $1 个字符"},
	{regexp.MustCompile(`^must have at most (\d+) entries$`), "最多 $1 项"},
	{regexp.MustCompile(`^must be a non-empty single-line string of at most (\d+) characters$`), "每项须为一行文字，最多 $1 个字"},
	{regexp.MustCompile(`^must be a date as YYYY-MM-DD$`), "请按 2026-01-31 的格式填写日期"},
	{regexp.MustCompile(`^must be an integer$`), "请填写整数"},
	{regexp.MustCompile(`^must be at least (-?[0-9.]+)$`), "不能小于 $1"},
	{regexp.MustCompile(`^must be at most (-?[0-9.]+)$`), "不能大于 $1"},
	{regexp.MustCompile(`^must be one of `), "请从选项中选择"},
	{regexp.MustCompile(`^is repeated$`), "重复了"},
	{regexp.MustCompile(`^must be a telephone number`), "请填写电话号码（数字、空格、+、- 和括号）"},
	{regexp.MustCompile(`^must be an absolute http or https URL$`), "请填写以 http:// 或 https:// 开头的完整网址"},
	{regexp.MustCompile(`^must be a version such as`), "请按 2.4 或 2.4.1 的格式填写版本号"},
	{regexp.MustCompile(`^must be a (non-negative )?decimal number`), "请填写不小于 0 的数字，最多 8 位小数"},
	{regexp.MustCompile(`^must be \{"lat"`), "纬度须在 -90 到 90 之间，经度须在 -180 到 180 之间"},
	{regexp.MustCompile(`^must be after publish_at$`), "须晚于定时发布时间"},
	{regexp.MustCompile(`^must be after starts_at$`), "须晚于停止服务的时间"},
	{regexp.MustCompile(`^must not be before from$`), "结束日期不能早于开始日期"},
	{regexp.MustCompile(`^must be 2-63 characters of a-z`), "须为 2 至 63 位小写字母、数字或 . _ -，以字母或数字开头"},
	{regexp.MustCompile(`^must be 1-100 characters$`), "须为 1 至 100 个字"},
	{regexp.MustCompile(`^must be 1-50 characters$`), "须为 1 至 50 个字"},
	{regexp.MustCompile(`^at most 5000 words$`), "最多 5000 个词"},
	{regexp.MustCompile(`^unknown department`), "请选择科室"},
	{regexp.MustCompile(`^unknown role`), "未知角色"},
	{regexp.MustCompile(`^you cannot remove your own admin role$`), "不能取消自己的系统管理员角色"},
	{regexp.MustCompile(`^you cannot grant yourself a role`), "不能给自己授予角色，须由另一名管理员授予"},
	{regexp.MustCompile(`^you cannot disable your own account$`), "不能停用自己的账户"},
	{regexp.MustCompile(`^a period spans at most five years$`), "一次最多导出五年"},
	{regexp.MustCompile(`^is required \(YYYY-MM-DD\)$`), "必填"},
	{regexp.MustCompile(`^is required to announce a maintenance window$`), "发布停服公告须填写公告内容"},
	{regexp.MustCompile(`^is required: say when the service stops$`), "请填写停止服务的时间"},
	{regexp.MustCompile(`^must be in the future: the public is told in advance$`), "须晚于现在：停服须提前告知公众"},
	{regexp.MustCompile(`^say why, in at most 2000 characters$`), "请填写申请理由（最多 2000 字）"},
	{regexp.MustCompile(`^the notice to the public is required, at most 500 characters$`), "请填写对公众的公告（最多 500 字）"},
	{regexp.MustCompile(`^must be suspension or upgrade$`), "请选择暂停服务或升级改造"},
	{regexp.MustCompile(`^say why \(the requester reads it\)$`), "不批准时请填写意见（申请人将看到）"},
	{regexp.MustCompile(`^must be app, wechat or both$`), "请选择微信公众号、手机App或两者"},
	{regexp.MustCompile(`^is required, at most (\d+) characters$`), "必填，最多 $1 个字"},
	{regexp.MustCompile(`^say what should be added or changed, and why`), "请说明建议增加或修改的功能及理由（最多 5000 字）"},
	{regexp.MustCompile(`^say why \(the department reads it\)$`), "不予批准时请填写意见（提出科室将看到）"},
	{regexp.MustCompile(`^is required: you act for `), "请选择提出建议的科室"},
	{regexp.MustCompile(`^set the time to publish at`), "请填写发布时间（稿件未设定拟发布时间），或选择立即发布"},
	{regexp.MustCompile(`^must be 1-20 characters on one line$`), "须为 1 至 20 个字，只能填写一行"},
	{regexp.MustCompile(`^must be markdown or html$`), "请选择 Markdown 或 HTML"},
	{regexp.MustCompile(`^is required when the policy is repealed$`), "已废止的政策须填写废止日期"},
	{regexp.MustCompile(`^is not a field of this content type$`), "不是此类稿件的字段"},
	{regexp.MustCompile(`^must mix at least three of`), "须包含小写字母、大写字母、数字、其他字符中的至少三类"},
	{regexp.MustCompile(`^must not contain the username$`), "不能包含用户名"},
	{regexp.MustCompile(`^must differ from the current password$`), "不能与当前密码相同"},
	{regexp.MustCompile(`^does not match$`), "当前密码不正确"},
	{regexp.MustCompile(`^say why \(it is kept in the history\)$`), "请填写意见（将记入审批记录）"},
	{regexp.MustCompile(`^say why it may be published`), "请说明可以发布的理由（1 至 1000 字）"},
	{regexp.MustCompile(`^must be at most 4000 bytes$`), "意见过长，请精简"},
	{regexp.MustCompile(`^must be an http or https URL of at most`), "请填写以 http:// 或 https:// 开头的网址，最长 2000 字节"},
	{regexp.MustCompile(`^must use http or https$`), "只能使用 http 或 https"},
	{regexp.MustCompile(`^must not carry credentials`), "网址中不能带用户名和密码：请求以签名证明来源"},
	{regexp.MustCompile(`^must name a host$`), "网址须包含主机名"},
	{regexp.MustCompile(`^must have no fragment and no spaces$`), "网址不能包含 # 片段或空格"},
	{regexp.MustCompile(`loopback, private or otherwise internal`), "不能发往本机、内网或其他内部地址"},
	{regexp.MustCompile(`^the host \S+ does not resolve$`), "无法解析该主机名"},
	{regexp.MustCompile(`^must list 1 to 50 event types$`), "请至少选择一种事件"},
	{regexp.MustCompile(`^must be an event type such as`), "不是可订阅的事件"},
	{regexp.MustCompile(`^must be an e-mail address such as`), "请填写电子邮箱地址，如 zhang.wei@example.gov.cn；不用电子邮件可留空"},
}

// fieldMessage says in Chinese what is wrong with a field.
func fieldMessage(msg string) string {
	for _, m := range fieldMessages {
		if loc := m.re.FindStringSubmatchIndex(msg); loc != nil {
			return string(m.re.ExpandString(nil, m.zh, msg, loc))
		}
	}
	return "格式不正确"
}

// commonFieldLabels name the fields every revision has.
var commonFieldLabels = map[string]string{
	"title": "标题", "body": "正文", "body_format": "正文格式", "publish_at": "定时发布", "expire_at": "到期下线",
	"comment": "意见", "reason": "理由", "current_password": "当前密码", "new_password": "新密码",
	"username": "用户名", "password": "密码", "column": "栏目", "department": "科室", "file": "附件",
	"action": "事项",
}

// fieldLabel names a field path of the services ("fields.materials[1].name")
// for people: 所需材料 第2行 材料名称.
func fieldLabel(ct *cms.ContentType, path string) string {
	if path == "body" && ct != nil && ct.BodyLabel != "" {
		return ct.BodyLabel
	}
	if l, ok := commonFieldLabels[path]; ok {
		return l
	}
	rest, ok := strings.CutPrefix(path, "fields.")
	if !ok || ct == nil {
		return path
	}
	specs, out := ct.Fields, ""
	for _, part := range strings.Split(rest, ".") {
		name, index, hasIndex := strings.Cut(part, "[")
		var spec *cms.FieldSpec
		for i := range specs {
			if specs[i].Name == name {
				spec = &specs[i]
			}
		}
		if spec == nil {
			return strings.TrimSpace(out + " " + part)
		}
		out = strings.TrimSpace(out + " " + spec.Label)
		if hasIndex {
			n, _ := strconv.Atoi(strings.TrimSuffix(index, "]"))
			unit := "项"
			if spec.Kind == cms.KindObjectList {
				unit = "行"
			}
			out += " 第" + strconv.Itoa(n+1) + unit
		}
		specs = spec.Fields
	}
	return out
}

// problems are a form's field errors in Chinese, by field path.
type problems map[string]string

// problemsOf returns the field errors of a validation error, translated.
func problemsOf(err error) problems {
	var de *cms.Error
	if !asError(err, &de) || len(de.Fields) == 0 {
		return nil
	}
	out := problems{}
	for _, f := range de.Fields {
		if _, dup := out[f.Field]; !dup {
			out[f.Field] = fieldMessage(f.Message)
		}
	}
	return out
}

func asError(err error, target **cms.Error) bool { return errors.As(err, target) }

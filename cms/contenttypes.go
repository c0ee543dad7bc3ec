package cms

import "sort"

// ContentType is the schema of the items of a column: which typed fields
// they carry and which of them a revision needs before it can be submitted.
type ContentType struct {
	Name         string
	Label        string
	BodyRequired bool
	BodyLabel    string
	Fields       []FieldSpec
}

// Content type names.
const (
	TypeArticle    = "article"
	TypePolicy     = "policy"
	TypeGuide      = "guide"
	TypeOutlet     = "outlet"
	TypeFAQ        = "faq"
	TypeCalculator = "calculator"
	TypeAppRelease = "app_release"
)

func ptr(f float64) *float64 { return &f }

// businessTypes are the lines of business of the fund, used by outlets.
var businessTypes = []string{"deposit", "withdrawal", "loan", "repayment"}

var contentTypes = map[string]*ContentType{
	TypeArticle: {
		Name: TypeArticle, Label: "新闻动态", BodyRequired: true, BodyLabel: "正文",
		Fields: []FieldSpec{
			{Name: "summary", Label: "摘要", Kind: KindString, MaxLen: 300},
			{Name: "source", Label: "来源", Kind: KindString, MaxLen: 100},
			{Name: "author", Label: "作者", Kind: KindString, MaxLen: 100},
			{Name: "tags", Label: "标签", Kind: KindStringList, MaxLen: 20},
		},
	},
	TypePolicy: {
		Name: TypePolicy, Label: "政策法规", BodyRequired: true, BodyLabel: "全文",
		Fields: []FieldSpec{
			{Name: "document_number", Label: "文号", Kind: KindString, Required: true, MaxLen: 100},
			{Name: "issuing_body", Label: "发文机关", Kind: KindString, Required: true, MaxLen: 200},
			{Name: "issued_on", Label: "发文日期", Kind: KindDate},
			{Name: "effective_date", Label: "施行日期", Kind: KindDate, Required: true},
			{Name: "validity", Label: "效力", Kind: KindEnum, Required: true, Options: []string{"current", "repealed"}},
			{Name: "repealed_on", Label: "废止日期", Kind: KindDate},
			{Name: "summary", Label: "摘要", Kind: KindString, MaxLen: 500},
		},
	},
	TypeGuide: {
		Name: TypeGuide, Label: "办事指南", BodyLabel: "说明",
		Fields: []FieldSpec{
			{Name: "conditions", Label: "办理条件", Kind: KindStringList, Required: true},
			{Name: "materials", Label: "所需材料", Kind: KindObjectList, Required: true, Fields: []FieldSpec{
				{Name: "name", Label: "材料名称", Kind: KindString, Required: true, MaxLen: 200},
				{Name: "form", Label: "原件/复印件", Kind: KindEnum, Options: []string{"original", "copy", "original_and_copy"}},
				{Name: "copies", Label: "份数", Kind: KindInteger, Min: ptr(1), Max: ptr(99)},
				{Name: "note", Label: "备注", Kind: KindString, MaxLen: 500},
			}},
			{Name: "steps", Label: "办理流程", Kind: KindObjectList, Required: true, Fields: []FieldSpec{
				{Name: "title", Label: "步骤", Kind: KindString, Required: true, MaxLen: 200},
				{Name: "description", Label: "说明", Kind: KindText, MaxLen: 2000},
			}},
			{Name: "time_limit", Label: "办结时限", Kind: KindString, Required: true, MaxLen: 100},
			{Name: "place", Label: "办理地点", Kind: KindString, Required: true, MaxLen: 300},
			{Name: "fees", Label: "收费标准", Kind: KindString, MaxLen: 200},
			{Name: "legal_basis", Label: "法律依据", Kind: KindStringList},
			{Name: "contact_phone", Label: "咨询电话", Kind: KindPhone},
		},
	},
	TypeOutlet: {
		Name: TypeOutlet, Label: "业务网点", BodyLabel: "说明",
		Fields: []FieldSpec{
			{Name: "address", Label: "地址", Kind: KindString, Required: true, MaxLen: 300},
			{Name: "phone", Label: "电话", Kind: KindPhone, Required: true},
			{Name: "opening_hours", Label: "办公时间", Kind: KindString, Required: true, MaxLen: 200},
			{Name: "business_types", Label: "业务类型", Kind: KindEnumList, Required: true, Options: businessTypes},
			{Name: "district", Label: "所在县区", Kind: KindString, MaxLen: 50},
			{Name: "coordinates", Label: "坐标", Kind: KindCoordinates},
		},
	},
	TypeFAQ: {
		Name: TypeFAQ, Label: "常见问题", BodyLabel: "补充说明",
		Fields: []FieldSpec{
			{Name: "question", Label: "问题", Kind: KindString, Required: true, MaxLen: 300},
			{Name: "answer", Label: "解答", Kind: KindText, Required: true, MaxLen: 20_000},
		},
	},
	TypeCalculator: {
		Name: TypeCalculator, Label: "贷款试算参数", BodyLabel: "说明",
		Fields: []FieldSpec{
			{Name: "rate_up_to_5_years", Label: "五年以下（含）年利率%", Kind: KindDecimal, Required: true, Max: ptr(100)},
			{Name: "rate_over_5_years", Label: "五年以上年利率%", Kind: KindDecimal, Required: true, Max: ptr(100)},
			{Name: "second_home_rate_up_to_5_years", Label: "二套房五年以下（含）年利率%", Kind: KindDecimal, Max: ptr(100)},
			{Name: "second_home_rate_over_5_years", Label: "二套房五年以上年利率%", Kind: KindDecimal, Max: ptr(100)},
			{Name: "max_amount", Label: "最高贷款额度（元）", Kind: KindInteger, Required: true, Min: ptr(1), Max: ptr(1e10)},
			{Name: "max_term_months", Label: "最长贷款期限（月）", Kind: KindInteger, Required: true, Min: ptr(1), Max: ptr(600)},
			{Name: "balance_multiple", Label: "账户余额倍数", Kind: KindDecimal, Required: true, Max: ptr(1000)},
			{Name: "min_down_payment_ratio", Label: "最低首付比例", Kind: KindDecimal, Max: ptr(1)},
			{Name: "max_repayment_income_ratio", Label: "月还款额占月收入上限", Kind: KindDecimal, Max: ptr(1)},
			{Name: "retirement_age", Label: "贷款期限截止年龄", Kind: KindInteger, Min: ptr(18), Max: ptr(100)},
		},
	},
	TypeAppRelease: {
		Name: TypeAppRelease, Label: "App版本", BodyLabel: "更新说明",
		Fields: []FieldSpec{
			{Name: "platform", Label: "平台", Kind: KindEnum, Required: true, Options: []string{"android", "ios"}},
			{Name: "version", Label: "版本号", Kind: KindVersion, Required: true},
			{Name: "min_supported_version", Label: "最低支持版本", Kind: KindVersion, Required: true},
			{Name: "notes", Label: "更新说明", Kind: KindText, Required: true, MaxLen: 10_000},
			{Name: "download_url", Label: "下载地址", Kind: KindURL, Required: true},
			{Name: "released_on", Label: "发布日期", Kind: KindDate},
		},
	},
}

// LookupContentType returns the content type called name, or nil.
func LookupContentType(name string) *ContentType { return contentTypes[name] }

// ContentTypes returns every content type, sorted by name.
func ContentTypes() []*ContentType {
	out := make([]*ContentType, 0, len(contentTypes))
	for _, ct := range contentTypes {
		out = append(out, ct)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// NormalizeFields checks the types of the given field values (a draft may
// leave required fields out) and returns them in canonical form.
func (ct *ContentType) NormalizeFields(fields map[string]any) (map[string]any, FieldErrors) {
	var fe FieldErrors
	out := normalizeFields("fields.", ct.Fields, fields, &fe)
	return out, fe
}

// Missing lists what a revision still lacks before it can be submitted.
func (ct *ContentType) Missing(r *Revision) FieldErrors {
	var fe FieldErrors
	if r.Title == "" {
		fe.Add("title", "is required")
	}
	if ct.BodyRequired && r.Body == "" {
		fe.Add("body", "is required")
	}
	for _, f := range ct.Fields {
		if f.Required && isEmpty(r.Fields[f.Name]) {
			fe.Add("fields."+f.Name, "is required")
		}
	}
	if ct.Name == TypePolicy && r.Fields["validity"] == "repealed" && isEmpty(r.Fields["repealed_on"]) {
		fe.Add("fields.repealed_on", "is required when the policy is repealed")
	}
	return fe
}

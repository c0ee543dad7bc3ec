package cms

// TypePolicy is a policy or regulation (政策法规).
const TypePolicy = "policy"

func init() {
	register(&ContentType{
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
		Summary: []string{"document_number", "issuing_body", "issued_on", "effective_date", "validity", "summary"},
		Search:  []string{"summary", "document_number", "issuing_body"},
		rules: func(r *Revision, fe *FieldErrors) {
			if r.Fields["validity"] == "repealed" && isEmpty(r.Fields["repealed_on"]) {
				fe.Add("fields.repealed_on", "is required when the policy is repealed")
			}
		},
	})
}

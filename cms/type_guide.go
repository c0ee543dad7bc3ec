package cms

// TypeGuide is a service guide (办事指南): what a procedure needs and how
// it goes.
const TypeGuide = "guide"

func init() {
	register(&ContentType{
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
		Summary: []string{"time_limit", "place", "fees"},
		Search:  []string{"place"},
	})
}

package cms

// TypeOutlet is a service outlet (业务网点).
const TypeOutlet = "outlet"

// businessTypes are the lines of business of the fund an outlet handles.
var businessTypes = []string{"deposit", "withdrawal", "loan", "repayment"}

func init() {
	register(&ContentType{
		Name: TypeOutlet, Label: "业务网点", BodyLabel: "说明",
		Fields: []FieldSpec{
			{Name: "address", Label: "地址", Kind: KindString, Required: true, MaxLen: 300},
			{Name: "phone", Label: "电话", Kind: KindPhone, Required: true},
			{Name: "opening_hours", Label: "办公时间", Kind: KindString, Required: true, MaxLen: 200},
			{Name: "business_types", Label: "业务类型", Kind: KindEnumList, Required: true, Options: businessTypes},
			{Name: "district", Label: "所在县区", Kind: KindString, MaxLen: 50},
			{Name: "coordinates", Label: "坐标", Kind: KindCoordinates},
		},
		Summary: []string{"address", "phone", "opening_hours", "business_types", "district", "coordinates"},
		Search:  []string{"address"},
	})
}

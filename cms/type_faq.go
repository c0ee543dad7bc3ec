package cms

// TypeFAQ is a question and its answer (常见问题).
const TypeFAQ = "faq"

func init() {
	register(&ContentType{
		Name: TypeFAQ, Label: "常见问题", BodyLabel: "补充说明",
		Fields: []FieldSpec{
			{Name: "question", Label: "问题", Kind: KindString, Required: true, MaxLen: 300},
			{Name: "answer", Label: "解答", Kind: KindText, Required: true, MaxLen: 20_000},
		},
		Summary: []string{"question"},
		Search:  []string{"question", "answer"},
	})
}

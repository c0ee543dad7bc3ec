package cms

// TypeArticle is news (新闻动态).
const TypeArticle = "article"

func init() {
	register(&ContentType{
		Name: TypeArticle, Label: "新闻动态", BodyRequired: true, BodyLabel: "正文",
		Fields: []FieldSpec{
			{Name: "summary", Label: "摘要", Kind: KindString, MaxLen: 300},
			{Name: "source", Label: "来源", Kind: KindString, MaxLen: 100},
			{Name: "author", Label: "作者", Kind: KindString, MaxLen: 100},
			{Name: "tags", Label: "标签", Kind: KindStringList, MaxLen: 20},
		},
		Summary: []string{"summary", "source", "author", "tags"},
		Search:  []string{"summary"},
	})
}

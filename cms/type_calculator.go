package cms

// TypeCalculator holds the parameters of the loan calculator (贷款试算).
const TypeCalculator = "calculator"

func init() {
	register(&ContentType{
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
		Summary: []string{"max_amount", "max_term_months"},
	})
}

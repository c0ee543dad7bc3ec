package cms

import (
	"context"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// Repayment methods of the loan calculator.
const (
	EqualInstalment = "equal_instalment" // 等额本息: the same payment every month
	EqualPrincipal  = "equal_principal"  // 等额本金: the same principal every month, interest on what remains
)

// LoanInput is what a client asks the calculator (amounts in yuan as
// decimal strings, exact to the fen).
type LoanInput struct {
	Balance       string // account balance
	Amount        string // requested amount; empty: the quota
	TermMonths    int
	Method        string // EqualInstalment, EqualPrincipal, or empty for both
	SecondHome    bool
	MonthlyIncome string // optional: caps the payment by the income ratio
	Age           int    // optional: caps the term by the retirement age
	HousePrice    string // optional: caps the amount by the down payment ratio
}

// Instalment is one month of a repayment schedule, in fen.
type Instalment struct {
	Period                                  int
	Payment, Principal, Interest, Remaining int64
}

// RepaymentPlan is the schedule of one method, in fen.
type RepaymentPlan struct {
	Method                      string
	FirstPayment, LastPayment   int64
	TotalPayment, TotalInterest int64
	Schedule                    []Instalment
}

// LoanResult is the calculator's answer.
type LoanResult struct {
	Quota      int64    // the most that may be borrowed, in fen
	Amount     int64    // the amount the plans are for, in fen
	CappedBy   []string // what limited the quota: max_amount, balance_multiple, down_payment, income
	TermMonths int
	AnnualRate string // percent
	Plans      []RepaymentPlan
}

// calcParams are the published calculator parameters.
type calcParams struct {
	rateShort, rateLong, secondShort, secondLong *big.Rat
	maxAmount                                    int64 // fen
	maxTerm                                      int
	multiple, downRatio, incomeRatio             *big.Rat
	retirementAge                                int
}

// LoanCalculator computes quota and schedules from the calculator item
// published in the loan-calculator column.
func (s *ContentService) LoanCalculator(ctx context.Context, in LoanInput) (*LoanResult, error) {
	items, err := s.Content.PublicItems(ctx, PublicFilter{Columns: []string{"loan-calculator"}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if items, err = s.Integrity.checkItems(ctx, items, checkHeader); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, Errorf(ENOTFOUND, "the loan calculator's parameters are not published")
	}
	_, rev, err := s.item(ctx, items[0].ItemID, true) // the parameters are the revision's fields
	if err != nil {
		return nil, err
	}
	p, err := readCalcParams(rev.Fields)
	if err != nil {
		return nil, err
	}
	return p.compute(in)
}

func readCalcParams(f map[string]any) (*calcParams, error) {
	dec := func(name string) *big.Rat {
		var s string
		switch v := f[name].(type) {
		case string:
			s = v
		case json.Number:
			s = v.String()
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return nil
		}
		return r
	}
	num := func(name string) int64 {
		switch v := f[name].(type) {
		case json.Number:
			n, _ := v.Int64()
			return n
		case int64:
			return v
		case float64:
			return int64(v)
		}
		return 0
	}
	p := &calcParams{rateShort: dec("rate_up_to_5_years"), rateLong: dec("rate_over_5_years"),
		secondShort: dec("second_home_rate_up_to_5_years"), secondLong: dec("second_home_rate_over_5_years"),
		maxAmount: num("max_amount") * 100, maxTerm: int(num("max_term_months")), multiple: dec("balance_multiple"),
		downRatio: dec("min_down_payment_ratio"), incomeRatio: dec("max_repayment_income_ratio"), retirementAge: int(num("retirement_age"))}
	if p.rateShort == nil || p.rateLong == nil || p.maxAmount <= 0 || p.maxTerm <= 0 || p.multiple == nil {
		return nil, Errorf(EINTERNAL, "the published calculator parameters are incomplete")
	}
	return p, nil
}

// parseFen reads a non-negative yuan amount with at most two decimals.
func parseFen(fe *FieldErrors, field, s string, required bool) (int64, bool) {
	if s == "" {
		if required {
			fe.Add(field, "is required")
		}
		return 0, false
	}
	if !decimalPattern.MatchString(s) { // before parsing: no exponents, no huge numbers
		fe.Add(field, "must be a non-negative amount in yuan, such as 12345.67")
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		fe.Add(field, "must be a non-negative amount in yuan, such as 12345.67")
		return 0, false
	}
	fen := new(big.Rat).Mul(r, big.NewRat(100, 1))
	if !fen.IsInt() {
		fe.Add(field, "must have at most two decimals (fen)")
		return 0, false
	}
	if fen.Num().BitLen() > 50 {
		fe.Add(field, "is too large")
		return 0, false
	}
	return fen.Num().Int64(), true
}

func (p *calcParams) compute(in LoanInput) (*LoanResult, error) {
	var fe FieldErrors
	balance, _ := parseFen(&fe, "balance", in.Balance, true)
	amount, hasAmount := parseFen(&fe, "amount", in.Amount, false)
	income, hasIncome := parseFen(&fe, "monthly_income", in.MonthlyIncome, false)
	price, hasPrice := parseFen(&fe, "house_price", in.HousePrice, false)
	maxTerm := p.maxTerm
	if in.Age != 0 {
		if in.Age < 18 || in.Age > 100 {
			fe.Add("age", "must be between 18 and 100")
		} else if p.retirementAge > 0 {
			maxTerm = min(maxTerm, (p.retirementAge-in.Age)*12)
		}
	}
	switch {
	case in.TermMonths < 1:
		fe.Add("term_months", "must be at least 1")
	case maxTerm < 1:
		fe.Add("age", "leaves no time to repay before the retirement age of %d", p.retirementAge)
	case in.TermMonths > maxTerm:
		fe.Add("term_months", "must be at most %d months", maxTerm)
	}
	if in.Method != "" && in.Method != EqualInstalment && in.Method != EqualPrincipal {
		fe.Add("method", "must be equal_instalment or equal_principal")
	}
	if hasAmount && amount == 0 {
		fe.Add("amount", "must be more than zero")
	}
	if err := fe.Err("invalid loan request"); err != nil {
		return nil, err
	}
	rate := p.rateShort
	if in.TermMonths > 60 {
		rate = p.rateLong
	}
	if in.SecondHome {
		if in.TermMonths > 60 && p.secondLong != nil {
			rate = p.secondLong
		} else if in.TermMonths <= 60 && p.secondShort != nil {
			rate = p.secondShort
		}
	}
	monthly := new(big.Rat).Quo(rate, big.NewRat(1200, 1))
	res := &LoanResult{TermMonths: in.TermMonths, AnnualRate: decimalString(rate)}
	quota, by := p.maxAmount, "max_amount"
	limit := func(v int64, reason string) {
		if v < quota {
			quota, by = v, reason
		}
	}
	limit(roundRat(new(big.Rat).Mul(big.NewRat(balance, 1), p.multiple)), "balance_multiple")
	if hasPrice && p.downRatio != nil {
		share := new(big.Rat).Sub(big.NewRat(1, 1), p.downRatio)
		limit(roundRat(new(big.Rat).Mul(big.NewRat(price, 1), share)), "down_payment")
	}
	if hasIncome && p.incomeRatio != nil {
		payment := new(big.Rat).Mul(big.NewRat(income, 1), p.incomeRatio)
		limit(principalFor(payment, monthly, in.TermMonths), "income")
	}
	quota = max(quota, 0) / 100 * 100 // quotas are whole yuan
	res.Quota, res.CappedBy = quota, []string{by}
	res.Amount = quota
	if hasAmount && amount < quota {
		res.Amount = amount
	}
	if res.Amount == 0 {
		return res, nil
	}
	for _, m := range []string{EqualInstalment, EqualPrincipal} {
		if in.Method == "" || in.Method == m {
			res.Plans = append(res.Plans, schedule(m, res.Amount, monthly, in.TermMonths))
		}
	}
	return res, nil
}

// roundRat rounds to the nearest integer, halves away from zero (四舍五入).
func roundRat(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	twice := new(big.Int).Mul(num, big.NewInt(2))
	twice.Add(twice, den)
	q := new(big.Int).Div(twice, new(big.Int).Mul(den, big.NewInt(2)))
	return q.Int64()
}

// pow returns (1+r)^n exactly.
func pow(r *big.Rat, n int) *big.Rat {
	base := new(big.Rat).Add(big.NewRat(1, 1), r)
	out := big.NewRat(1, 1)
	for range n {
		out.Mul(out, base)
	}
	return out
}

// principalFor is the principal that a monthly payment repays over n months.
func principalFor(payment, r *big.Rat, n int) int64 {
	if r.Sign() == 0 {
		return roundRat(new(big.Rat).Mul(payment, big.NewRat(int64(n), 1)))
	}
	f := pow(r, n)
	num := new(big.Rat).Sub(f, big.NewRat(1, 1))
	den := new(big.Rat).Mul(r, f)
	return roundRat(new(big.Rat).Quo(new(big.Rat).Mul(payment, num), den)) / 100 * 100
}

// schedule builds the month-by-month plan; each month's interest is the
// remaining principal times the monthly rate, rounded to the fen, and the
// last month settles what remains.
func schedule(method string, amount int64, r *big.Rat, n int) RepaymentPlan {
	plan := RepaymentPlan{Method: method}
	var payment int64
	if method == EqualInstalment {
		if r.Sign() == 0 {
			payment = roundRat(big.NewRat(amount, int64(n)))
		} else {
			f := pow(r, n)
			payment = roundRat(new(big.Rat).Quo(new(big.Rat).Mul(new(big.Rat).Mul(big.NewRat(amount, 1), r), f),
				new(big.Rat).Sub(f, big.NewRat(1, 1))))
		}
	}
	base := roundRat(big.NewRat(amount, int64(n)))
	remaining := amount
	for k := 1; k <= n; k++ {
		interest := roundRat(new(big.Rat).Mul(big.NewRat(remaining, 1), r))
		principal := base
		if method == EqualInstalment {
			principal = payment - interest
		}
		if k == n || principal > remaining {
			principal = remaining
		}
		remaining -= principal
		in := Instalment{Period: k, Payment: principal + interest, Principal: principal, Interest: interest, Remaining: remaining}
		plan.Schedule = append(plan.Schedule, in)
		plan.TotalPayment += in.Payment
		plan.TotalInterest += interest
	}
	plan.FirstPayment = plan.Schedule[0].Payment
	plan.LastPayment = plan.Schedule[n-1].Payment
	return plan
}

// Yuan formats fen as yuan with two decimals.
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + string('0'+byte(fen%100/10)) + string('0'+byte(fen%10))
}

// decimalString writes r with as many decimals as it needs (up to 8).
func decimalString(r *big.Rat) string {
	s := r.FloatString(8)
	for strings.HasSuffix(s, "0") {
		s = s[:len(s)-1]
	}
	return strings.TrimSuffix(s, ".")
}

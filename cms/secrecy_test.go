package cms_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/render"
)

// scanOne scans text as one body and returns its findings as "kind:match",
// match being the text the finding covers.
func scanOne(text string, words ...cms.SensitiveWord) []string {
	var out []string
	for _, f := range cms.Scan([]cms.ScanText{{Field: "body", Text: text}}, words) {
		out = append(out, f.Kind+":"+matched(text, f))
	}
	return out
}

// matched returns the text that f covers.
func matched(text string, f cms.Finding) string {
	r := []rune(text)
	return string(r[f.Offset : f.Offset+f.Length])
}

// withCheckDigit completes 17 digits with their GB 11643 check character,
// computed here independently of the scanner.
func withCheckDigit(tb testing.TB, d string) string {
	tb.Helper()
	if len(d) != 17 {
		tb.Fatalf("withCheckDigit(%q): want 17 digits", d)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	return d + string("10X98765432"[sum%11])
}

// luhn reports whether the digits d pass the Luhn check.
func luhn(d string) bool {
	sum := 0
	for i := range len(d) {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// corpusEntry is one snippet of testdata/secrecy/corpus.jsonl and the
// findings it must give, no more and no fewer.
type corpusEntry struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Text   string `json:"text"`
	Want   []struct {
		Kind  string `json:"kind"`
		Match string `json:"match"`
	} `json:"want"`
}

func readCorpus(tb testing.TB) []corpusEntry {
	tb.Helper()
	f, err := os.Open("testdata/secrecy/corpus.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var entries []corpusEntry
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e corpusEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("corpus line %d: %v", line, err)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return entries
}

// tally counts true positives, false positives and false negatives.
type tally struct{ tp, fp, fn int }

func (c tally) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c tally) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestSecrecyCorpusPrecision runs Scan over realistic snippets, most of them
// look-alikes that must not be flagged, and requires that it finds exactly
// the expected findings. Precision and recall per kind are logged.
func TestSecrecyCorpusPrecision(t *testing.T) {
	t.Parallel()
	entries := readCorpus(t)
	if len(entries) < 60 {
		t.Fatalf("corpus has %d snippets, want at least 60", len(entries))
	}
	kinds := []string{cms.FindingIDNumber, cms.FindingMobile, cms.FindingBankCard, cms.FindingEmail, cms.FindingClassification}
	counts := map[string]*tally{}
	for _, k := range kinds {
		counts[k] = &tally{}
	}
	negatives := 0
	for _, e := range entries {
		if len(e.Want) == 0 {
			negatives++
		}
		want := map[string]int{}
		for _, w := range e.Want {
			want[w.Kind+":"+w.Match]++
		}
		for _, f := range cms.Scan([]cms.ScanText{{Field: "body", Text: e.Text}}, nil) {
			key := f.Kind + ":" + matched(e.Text, f)
			if counts[f.Kind] == nil {
				t.Fatalf("%s: unexpected kind %q", e.Name, f.Kind)
			}
			if want[key] > 0 {
				want[key]--
				counts[f.Kind].tp++
				continue
			}
			counts[f.Kind].fp++
			t.Errorf("%s: false positive %s (excerpt %q) in %q", e.Name, key, f.Excerpt, e.Text)
		}
		for key, n := range want {
			kind, _, _ := strings.Cut(key, ":")
			counts[kind].fn += n
			for range n {
				t.Errorf("%s: missed %s in %q", e.Name, key, e.Text)
			}
		}
	}
	var all tally
	t.Logf("corpus: %d snippets, %d without findings", len(entries), negatives)
	for _, k := range kinds {
		c := *counts[k]
		all.tp, all.fp, all.fn = all.tp+c.tp, all.fp+c.fp, all.fn+c.fn
		t.Logf("%-15s tp=%3d fp=%d fn=%d precision=%.3f recall=%.3f", k, c.tp, c.fp, c.fn, c.precision(), c.recall())
		if c.tp == 0 {
			t.Errorf("corpus has no true %s", k)
		}
	}
	t.Logf("%-15s tp=%3d fp=%d fn=%d precision=%.3f recall=%.3f", "overall", all.tp, all.fp, all.fn, all.precision(), all.recall())
	if all.precision() != 1 || all.recall() != 1 {
		t.Errorf("precision %.3f recall %.3f, want 1 and 1", all.precision(), all.recall())
	}
	// Rendered as Markdown or HTML bodies, the snippets show nothing that
	// their text does not: rendering adds no false positive.
	for _, e := range entries {
		for _, format := range []string{cms.FormatMarkdown, cms.FormatHTML} {
			rev := &cms.Revision{Body: e.Text, BodyFormat: format}
			for _, f := range cms.ScanRevision(rev, cms.TypeArticle, nil, render.Renderer{}) {
				if f.Rendered {
					t.Errorf("%s as %s: false positive %s (excerpt %q) in the rendered text", e.Name, format, f.Kind, f.Excerpt)
				}
			}
		}
	}
}

// TestScanIDNumberCheckDigit checks that of the eleven possible check
// characters exactly the MOD 11-2 one makes an ID number.
func TestScanIDNumberCheckDigit(t *testing.T) {
	t.Parallel()
	bases := []string{"34070219850312002", "34070519900615123", "11010519491231002", "44030419991231456", "65010219700101001"}
	for _, base := range bases {
		valid := withCheckDigit(t, base)
		for _, c := range "0123456789Xx" {
			id := base + string(c)
			got := slices.Contains(scanOne("证件号"+id+"。"), "id_number:"+id)
			want := strings.EqualFold(id, valid)
			if got != want {
				t.Errorf("%s flagged = %v, want %v (check character %c)", id, got, want, valid[17])
			}
		}
	}
	if got := scanOne("11010519491231002X"); !slices.Equal(got, []string{"id_number:11010519491231002X"}) {
		t.Errorf("GB 11643 example: got %q", got)
	}
}

// TestScanIDNumberDates checks the birth date: a real calendar date from
// 1900 to this year (19YY for 15-digit numbers) and a real province code.
func TestScanIDNumberDates(t *testing.T) {
	t.Parallel()
	year := time.Now().Year()
	tests := []struct {
		name, region, date string
		want               bool
	}{
		{"1999 not leap", "340702", "19990229", false},
		{"2000 leap", "340702", "20000229", true},
		{"1900 not leap", "340702", "19000229", false},
		{"2024 leap", "340702", "20240229", true},
		{"month 13", "340702", "19901301", false},
		{"month 0", "340702", "19900001", false},
		{"April 31", "340702", "19900431", false},
		{"day 0", "340702", "19900100", false},
		{"before 1900", "340702", "18991231", false},
		{"this year", "340702", strconv.Itoa(year) + "0101", true},
		{"next year", "340702", strconv.Itoa(year+1) + "0101", false},
		{"no province 10", "100702", "19850312", false},
		{"no province 91", "910702", "19850312", false},
		{"Hong Kong permit", "810000", "19850312", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := withCheckDigit(t, tt.region+tt.date+"101")
			if got := slices.Contains(scanOne("身份证号"+id), "id_number:"+id); got != tt.want {
				t.Errorf("%s flagged = %v, want %v", id, got, tt.want)
			}
		})
	}
	legacy := []struct {
		id   string
		want bool
	}{
		{"340702850101123", true},
		{"340702840229123", true},
		{"340702850229123", false},
		{"340702851301123", false},
		{"100702850101123", false},
	}
	for _, tt := range legacy {
		if got := slices.Contains(scanOne("旧证号"+tt.id), "id_number:"+tt.id); got != tt.want {
			t.Errorf("legacy %s flagged = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// unionPayID returns an ID number that is also a Luhn-valid UnionPay number.
func unionPayID(tb testing.TB) string {
	tb.Helper()
	for seq := 100; seq < 1000; seq++ {
		id := withCheckDigit(tb, "62010219850312"+strconv.Itoa(seq))
		if id[17] != 'X' && luhn(id) {
			return id
		}
	}
	tb.Fatal("no ID number passes Luhn")
	return ""
}

// TestScanBoundaries checks that numbers are taken whole: not inside longer
// runs of digits or letters, hyphenated serials, decimals or amounts.
func TestScanBoundaries(t *testing.T) {
	t.Parallel()
	id := "340702198503120027"
	both := unionPayID(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"ID between Han", "证号" + id + "。", []string{"id_number:" + id}},
		{"ID in 20-digit run", "档案号" + id + "99", nil},
		{"ID after a digit", "9" + id, nil},
		{"ID after a letter", "A" + id, nil},
		{"ID before a letter", id + "B", nil},
		{"ID hyphenated", "NO-" + id, nil},
		{"ID and card: ID only", "证号" + both, []string{"id_number:" + both}},
		{"mobile in 12 digits", "138123456789", nil},
		{"mobile in 10 digits", "1381234567", nil},
		{"mobile in serial", "2026-13812345678", nil},
		{"mobile before suffix", "13812345678-01", nil},
		{"mobile decimal", "13812345678.50", nil},
		{"mobile fraction", "0.13812345678", nil},
		{"mobile amount yuan", "13800000000元", nil},
		{"mobile amount sign", "￥13812345678", nil},
		{"mobile percent", "13812345678%", nil},
		{"second digit 2", "12812345678", nil},
		{"landline 11 digits", "05622888123", nil},
		{"grouped mobile continues", "138 1234 5678 9012", nil},
		{"grouped mobile mixed", "138-1234 5678", nil},
		{"grouped after date", "2026-03-15 138 1234 5678", []string{"mobile:138 1234 5678"}},
		{"grouped after number", "编号 2026 138 1234 5678", nil},
		{"two mobiles", "13812345678 13956210000", []string{"mobile:13812345678", "mobile:13956210000"}},
		{"86 inside number", "1086 13812345678", []string{"mobile:13812345678"}},
		{"plus 86 spaced", "+86 13812345678", []string{"mobile:+86 13812345678"}},
		{"86 grouped", "86 138 1234 5678", []string{"mobile:86 138 1234 5678"}},
		{"plus 86 contiguous", "+8613812345678", []string{"mobile:+8613812345678"}},
		{"full-width parens", "（＋８６）13812345678", []string{"mobile:（＋８６）13812345678"}},
		{"card continues", "6222 0213 0600 4512 349 1234", nil},
		{"card 20 digits", "62220213060045123490", nil},
		{"card JCB", "3568012345678901", []string{"bank_card:3568012345678901"}},
		{"card prefix 34", "3407002026000124", nil},
		{"card Visa 18 digits", "436742001234567896", nil},
		{"card Mastercard", "5134 5678 9012 3454", []string{"bank_card:5134 5678 9012 3454"}},
		{"card Mastercard 50", "5034567890123455", nil},
		{"card groups of 5", "62220 21306 00451 2349", nil},
		{"email in word", "邮箱gjj@tl.gov.cn。", []string{"email:gjj@tl.gov.cn"}},
		{"email after a dot", "见官网.gjj@tl.gov.cn", []string{"email:gjj@tl.gov.cn"}},
		{"email file name", "icon@2x.png", nil},
		{"email no dot", "user@localhost", nil},
		{"email numeric tld", "v@1.2.3", nil},
		{"email handle", "@铜陵公积金", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := scanOne(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Scan(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestScanMarkings checks when level words and marking phrases count.
func TestScanMarkings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want string // the marking, "" for none
	}{
		{"机密★1年", "机密★1年"},
		{"机密 ★ 10年", "机密 ★ 10年"},
		{"秘密★", "秘密★"},
		{"商业机密★长期", "机密★长期"},
		{"绝密级", "绝密级"},
		{"本件为机密级文件", "机密级"},
		{"<p>秘密</p>", "秘密"},
		{"# 机密\n正文", "机密"},
		{"（秘密）", "秘密"},
		{"机密_会议纪要.docx", "机密"},
		{"秘密", "秘密"},
		{"密级：内部", "密级：内部"},
		{"密级:绝密★30年", "密级:绝密★30年"},
		{"密级 秘密", "密级 秘密"},
		{"★1年", "★1年"},
		{"（★6个月）", "★6个月"},
		{"内部事项", "内部事项"},
		{"仅供内部参考", "内部参考"},
		{"内部掌握，不对外", "内部掌握"},
		{"此件不宜公开", "不宜公开"},
		{"涉密人员", "涉密"},
		{"密级：公开", ""},
		{"确定密级", ""},
		{"保密级别", ""},
		{"★10年来", ""},
		{"★2026年度工作要点", ""},
		{"★★★", ""},
		{"商业机密", ""},
		{"国家秘密", ""},
		{"保守工作秘密", ""},
		{"设立秘密写票处", ""},
		{"数据机密性", ""},
		{"“秘密”", ""},
		{"绝密、机密、秘密", ""},
		{"秘密 投票", ""},
		{"内部控制", ""},
		{"内部审计", ""},
		{"单位内部", ""},
		{"内部 管理", ""},
		{"内部级", ""},
		{"保密审查", ""},
		{"非涉密", ""},
		{"不涉密", ""},
		{"是否涉密", ""},
		{"涉密不上网", ""},
		{"不宜公开的内容", ""},
	}
	for _, tt := range tests {
		var want []string
		if tt.want != "" {
			want = []string{cms.FindingClassification + ":" + tt.want}
		}
		if got := scanOne(tt.text); !slices.Equal(got, want) {
			t.Errorf("Scan(%q) = %q, want %q", tt.text, got, want)
		}
	}
}

// TestScanMasking checks that excerpts of personal data hide the number
// and that markings are shown with their context.
func TestScanMasking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, excerpt, secret string
	}{
		{"证号340702198503120027", "3407**********0027", "340702198503120027"},
		{"证号34070519900615123x", "3407**********123x", "34070519900615123x"},
		{"旧证号340702850101123", "3407*******1123", "340702850101123"},
		{"手机+86 138-1234-5678", "138****5678", "13812345678"},
		{"手机１３８１２３４５６７８", "138****5678", "13812345678"},
		{"卡号6222 0213 0600 4512 349", "6222***********2349", "6222021306004512349"},
		{"邮箱tlgjj@tl.gov.cn", "t****@tl.gov.cn", "tlgjj@"},
		{"第一行\n机密★1年\n关于调整贷款政策的请示", "第一行 机密★1年 关于调整贷", ""},
	}
	for _, tt := range tests {
		fs := cms.Scan([]cms.ScanText{{Field: "body", Text: tt.text}}, nil)
		if len(fs) != 1 {
			t.Errorf("Scan(%q) = %+v, want one finding", tt.text, fs)
			continue
		}
		if fs[0].Excerpt != tt.excerpt {
			t.Errorf("Scan(%q) excerpt = %q, want %q", tt.text, fs[0].Excerpt, tt.excerpt)
		}
		plain := strings.NewReplacer(" ", "", "-", "").Replace(fs[0].Excerpt)
		if tt.secret != "" && strings.Contains(plain, tt.secret) {
			t.Errorf("Scan(%q) excerpt %q repeats %s", tt.text, fs[0].Excerpt, tt.secret)
		}
	}
}

// TestScanRevisionFieldPaths checks the fields ScanRevision reads and how
// it names them: nested typed fields in key order, then attachment names.
func TestScanRevisionFieldPaths(t *testing.T) {
	t.Parallel()
	rev := &cms.Revision{
		Title: "联系人13812345678",
		Body:  "<p>邮箱gjj@tl.gov.cn</p>",
		Fields: map[string]any{
			"answer": "身份证号340702198503120027",
			"materials": []any{
				map[string]any{"name": "内部资料", "count": json.Number("13812345678")},
				"身份证复印件",
				[]any{"手机 139 5621 0000"},
			},
			"contact": map[string]any{"phone": "13956210000", "name": "刘某"},
			"amount":  json.Number("13812345678"),
		},
		Attachments: []cms.Attachment{{Name: "申请表.pdf"}, {Name: "机密★1年 请示.docx"}},
	}
	var got []string
	for _, f := range cms.ScanRevision(rev, cms.TypeGuide, []cms.SensitiveWord{{Word: "复印件", Severity: cms.SeverityWarning}}, nil) {
		got = append(got, fmt.Sprintf("%s %s %d+%d %s", f.Field, f.Kind, f.Offset, f.Length, f.Severity))
	}
	want := []string{
		"title mobile 3+11 blocking",
		"body email 5+13 warning",
		"fields.answer id_number 4+18 blocking",
		"fields.contact.phone mobile 0+11 blocking",
		"fields.materials[0].name classification 0+4 blocking",
		"fields.materials[1] sensitive_word 3+3 warning",
		"fields.materials[2][0] mobile 3+13 blocking",
		"attachments[1].name classification 0+5 blocking",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ScanRevision =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fs := cms.ScanRevision(&cms.Revision{}, "", nil, nil); len(fs) != 0 {
		t.Errorf("ScanRevision(empty) = %+v, want none", fs)
	}
}

// TestScanSensitiveWords checks matching that ignores case and width, and
// the severities: as configured, blocking when empty or unknown.
func TestScanSensitiveWords(t *testing.T) {
	t.Parallel()
	text := "请勿使用vpn或ＶＰＮ访问，Proxy设置见附件，翻墙软件一律禁止。"
	tests := []struct {
		name  string
		words []cms.SensitiveWord
		want  []string // "match severity"
	}{
		{"case and width", []cms.SensitiveWord{{"VPN", cms.SeverityWarning}}, []string{"vpn warning", "ＶＰＮ warning"}},
		{"blocking", []cms.SensitiveWord{{"proxy", cms.SeverityBlocking}}, []string{"Proxy blocking"}},
		{"empty severity", []cms.SensitiveWord{{"翻墙", ""}}, []string{"翻墙 blocking"}},
		{"unknown severity", []cms.SensitiveWord{{"翻墙", "critical"}}, []string{"翻墙 blocking"}},
		{"empty words skipped", []cms.SensitiveWord{{"", cms.SeverityWarning}, {"  ", ""}}, nil},
		{"no match", []cms.SensitiveWord{{"公积金", ""}}, nil},
		{"twice keeps blocking", []cms.SensitiveWord{{"vpn", cms.SeverityWarning}, {"VPN", ""}},
			[]string{"vpn blocking", "ＶＰＮ blocking"}},
		{"trimmed", []cms.SensitiveWord{{" 软件 ", cms.SeverityWarning}}, []string{"软件 warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range cms.Scan([]cms.ScanText{{Field: "body", Text: text}}, tt.words) {
				if f.Kind != cms.FindingSensitiveWord {
					t.Fatalf("unexpected finding %+v", f)
				}
				got = append(got, matched(text, f)+" "+f.Severity)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	words := []cms.SensitiveWord{{Word: "ＶＰＮ"}}
	if fs := cms.Scan([]cms.ScanText{{Field: "body", Text: "使用VPN时"}}, words); len(fs) != 1 || fs[0].Excerpt != "使用VPN时" {
		t.Errorf("full-width word: got %+v", fs)
	}
}

// TestScanOrder checks that findings follow the order of the texts, then
// their offsets, longer first at the same offset, whatever the rules found
// them in, and that scanning again gives the same result.
func TestScanOrder(t *testing.T) {
	t.Parallel()
	texts := []cms.ScanText{
		{Field: "z", Text: "13812345678@139.com 机密★1年 340702198503120027"},
		{Field: "a", Text: "涉密 gjj@tl.gov.cn 13956210000"},
		{Field: "m", Text: "没有发现"},
	}
	words := []cms.SensitiveWord{{Word: "139"}}
	var got []string
	for _, f := range cms.Scan(texts, words) {
		got = append(got, fmt.Sprintf("%s %d %s", f.Field, f.Offset, f.Kind))
	}
	want := []string{
		"z 0 email", "z 0 mobile", "z 12 sensitive_word", "z 20 classification", "z 26 id_number",
		"a 0 classification", "a 3 email", "a 17 mobile", "a 17 sensitive_word",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for range 10 {
		if again := cms.Scan(texts, words); !reflect.DeepEqual(again, cms.Scan(texts, words)) {
			t.Fatal("Scan is not deterministic")
		}
	}
	if fs := cms.Scan(nil, nil); len(fs) != 0 {
		t.Errorf("Scan(nil) = %+v", fs)
	}
}

// TestScanInvisibleCharacters checks that characters readers do not see
// (zero-width spaces and joiners, BOMs, soft hyphens, bidi marks, combining
// marks) cannot split a number, a marking or a sensitive word, and that
// full-width and other digits count as ASCII ones. The finding covers the
// text as written, invisible characters included.
func TestScanInvisibleCharacters(t *testing.T) {
	t.Parallel()
	words := []cms.SensitiveWord{{Word: "内幕"}, {Word: "翻\u200b墙"}}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"zero-width space", "手机138\u200b0013\u200b8000", []string{"mobile:138\u200b0013\u200b8000"}},
		{"zero-width joiner", "手机138\u200d00138000", []string{"mobile:138\u200d00138000"}},
		{"zero-width non-joiner", "手机1380\u200c0138000", []string{"mobile:1380\u200c0138000"}},
		{"word joiner", "手机13800\u2060138000", []string{"mobile:13800\u2060138000"}},
		{"BOM", "手机\ufeff138\ufeff00138000", []string{"mobile:138\ufeff00138000"}},
		{"soft hyphen", "身份证110105\u00ad19491231002X", []string{"id_number:110105\u00ad19491231002X"}},
		{"bidi marks", "卡号6222\u200e0213\u200f06004512349", []string{"bank_card:6222\u200e0213\u200f06004512349"}},
		{"combining keycaps", "手机1\u20e33\u20e38\u20e300138000", []string{"mobile:1\u20e33\u20e38\u20e300138000"}},
		{"variation selector", "手机138\ufe0f00138000", []string{"mobile:138\ufe0f00138000"}},
		{"full-width digits", "手机１３８００１３８０００", []string{"mobile:１３８００１３８０００"}},
		{"mathematical digits", "手机𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎", []string{"mobile:𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎"}},
		{"mixed", "证件号１１０１０５\u200b1949\u00ad1231００２Ｘ。", []string{"id_number:１１０１０５\u200b1949\u00ad1231００２Ｘ"}},
		{"marking split", "机\u200b密★1年", []string{"classification:机\u200b密★1年"}},
		{"marking word split", "内部\u00ad资料", []string{"classification:内部\u00ad资料"}},
		{"marking label split", "密\u200d级：秘\u200b密", []string{"classification:密\u200d级：秘\u200b密"}},
		{"sensitive word split", "另有内\u200b幕。", []string{"sensitive_word:内\u200b幕"}},
		{"sensitive word configured with one", "禁止翻墙", []string{"sensitive_word:翻墙"}},
		// What readers see decides, in both directions: joined digits are one number.
		{"joined into a longer number", "2026\u200b13812345678", nil},
		{"invisible only", "\u200b\u200d\ufeff", nil},
		{"landline stays", "电话0562\u200b2888123", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := scanOne(tt.text, words...); !slices.Equal(got, tt.want) {
				t.Errorf("Scan(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// leakedDigits returns, for an excerpt, the first run of five digits of
// one of secrets that it shows (spaces and hyphens ignored), or "".
func leakedDigits(excerpt string, secrets []string) string {
	plain := strings.NewReplacer(" ", "", "-", "").Replace(excerpt)
	for _, s := range secrets {
		for i := 0; i+5 <= len(s); i++ {
			if strings.Contains(plain, s[i:i+5]) {
				return s[i : i+5]
			}
		}
	}
	return ""
}

// TestScanExcerptsMaskEveryFinding checks that no excerpt shows the digits
// of any finding in the same text: personal data gets its own masked
// excerpt, and the context shown around a marking or a sensitive word has
// the digits and mailbox names of its neighbours masked too.
func TestScanExcerptsMaskEveryFinding(t *testing.T) {
	t.Parallel()
	text := "身份证11010519491231002X内部资料，卡号6222021306004512349，手机13800138000，机密★1年，邮箱tlgjj@tl.gov.cn，内幕"
	secrets := []string{"11010519491231002X", "6222021306004512349", "13800138000"}
	fs := cms.Scan([]cms.ScanText{{Field: "body", Text: text}}, []cms.SensitiveWord{{Word: "内幕"}})
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, f.Kind)
		if leak := leakedDigits(f.Excerpt, secrets); leak != "" {
			t.Errorf("%s excerpt %q shows %s", f.Kind, f.Excerpt, leak)
		}
		if f.Kind != cms.FindingEmail && strings.Contains(f.Excerpt, "tlgjj") {
			t.Errorf("%s excerpt %q shows the mailbox name", f.Kind, f.Excerpt)
		}
		if f.Kind == cms.FindingClassification || f.Kind == cms.FindingSensitiveWord {
			rest := strings.Replace(f.Excerpt, matched(text, f), "", 1)
			if strings.ContainsAny(rest, "0123456789") {
				t.Errorf("%s excerpt %q shows digits of its neighbours", f.Kind, f.Excerpt)
			}
		}
	}
	want := []string{"id_number", "classification", "bank_card", "mobile", "classification", "email", "sensitive_word"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds = %q, want %q", kinds, want)
	}
}

// TestScanRevisionRendered checks that the body and the Markdown fields are
// scanned as readers see them once rendered: markup that splits a number,
// a marking or a word in the source hides nothing, a finding that both the
// source and the rendered text show is reported once, and what rendering
// separates (paragraphs, cells, line breaks) is not joined into a number.
func TestScanRevisionRendered(t *testing.T) {
	t.Parallel()
	words := []cms.SensitiveWord{{Word: "内幕"}}
	tests := []struct {
		name, body, format string
		fields             map[string]any
		want               []string // "field kind", the masked number for personal data, "rendered" when only rendering shows it
	}{
		{"review example", "身份证号 110105<!-- -->19491231002X 手机 138<!---->00138000", cms.FormatMarkdown, nil,
			[]string{"body id_number 1101**********002X rendered", "body mobile 138****8000 rendered"}},
		{"review example in HTML", "<p>身份证号 110105<!-- -->19491231002X 手机 138<!---->00138000</p>", cms.FormatHTML, nil,
			[]string{"body id_number 1101**********002X rendered", "body mobile 138****8000 rendered"}},
		{"span split", "<p>手机<span>138</span><span>0013</span>8000</p>", cms.FormatHTML, nil,
			[]string{"body mobile 138****8000 rendered"}},
		{"emphasis", "手机138**0013**8000", cms.FormatMarkdown, nil, []string{"body mobile 138****8000 rendered"}},
		{"emphasis in an ID", "身份证*110105*19491231002X", cms.FormatMarkdown, nil,
			[]string{"body id_number 1101**********002X rendered"}},
		{"entities", "<p>手机&#49;&#x33;800138000</p>", cms.FormatHTML, nil, []string{"body mobile 138****8000 rendered"}},
		{"marking split by a comment", "机<!-- x -->密★1年", cms.FormatMarkdown, nil,
			[]string{"body classification", "body classification rendered"}}, // ★1年 as written, 机密★1年 as rendered
		{"word split by emphasis", "另有内**幕**", cms.FormatMarkdown, nil, []string{"body sensitive_word rendered"}},
		{"zero width and emphasis", "手机１３８\u200b**0013**８０００", cms.FormatMarkdown, nil,
			[]string{"body mobile 138****8000 rendered"}},
		{"seen in both: once", "手机13800138000，**机密★1年**", cms.FormatMarkdown, nil,
			[]string{"body mobile 138****8000", "body classification"}},
		{"text field", "", "", map[string]any{"question": "怎么办", "answer": "联系138<!-- -->00138000"},
			[]string{"fields.answer mobile 138****8000 rendered"}},
		{"string field as written", "", "", map[string]any{"question": "联系138<!-- -->00138000", "answer": "无"}, nil},
		{"paragraphs", "<p>138</p><p>00138000</p>", cms.FormatHTML, nil, nil},
		{"table cells", "<table><tr><td>6222</td><td>0213</td><td>0600</td><td>4512349</td></tr></table>", cms.FormatHTML, nil, nil},
		{"line break", "手机138<br>00138000", cms.FormatHTML, nil, nil},
		{"Markdown paragraphs", "138\n\n00138000", cms.FormatMarkdown, nil, nil},
		{"soft line break", "手机\n138\n0013\n8000", cms.FormatMarkdown, nil, []string{"body mobile 138****8000 rendered"}},
		{"comment hides the number", "<!-- 13800138000 -->", cms.FormatHTML, nil, []string{"body mobile 138****8000"}},
		{"document number", "铜公积金〔2018〕<em>19</em>号，服务热线**12329**", cms.FormatMarkdown, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rev := &cms.Revision{Title: "标题", Body: tt.body, BodyFormat: tt.format, Fields: tt.fields}
			var got []string
			for _, f := range cms.ScanRevision(rev, cms.TypeFAQ, words, render.Renderer{}) {
				s := f.Field + " " + f.Kind
				if f.Kind == cms.FindingIDNumber || f.Kind == cms.FindingMobile || f.Kind == cms.FindingBankCard {
					s += " " + f.Excerpt
				}
				if f.Rendered {
					s += " rendered"
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ScanRevision(%q, %q) =\n%q\nwant\n%q", tt.body, tt.fields, got, tt.want)
			}
		})
	}
}

// TestScanRenderedExcerpts checks excerpts when only the rendered text
// shows a number: context taken from the text as written, where markup
// splits the number, has every digit masked, and the offsets of a finding
// only rendering shows stay inside the rendered text.
func TestScanRenderedExcerpts(t *testing.T) {
	t.Parallel()
	body := "身份证110105<!-- -->19491231002X内部资料，卡号622202<span>1306004512349</span>，手机138**0013**8000，机密★1年"
	secrets := []string{"11010519491231002X", "6222021306004512349", "13800138000"}
	fs := cms.ScanRevision(&cms.Revision{Body: body, BodyFormat: cms.FormatMarkdown}, cms.TypeArticle, nil, render.Renderer{})
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, f.Kind)
		if leak := leakedDigits(f.Excerpt, secrets); leak != "" {
			t.Errorf("%s excerpt %q shows %s", f.Kind, f.Excerpt, leak)
		}
		if f.Kind == cms.FindingClassification && strings.ContainsAny(strings.Replace(f.Excerpt, "★1年", "", 1), "0123456789") {
			t.Errorf("%s excerpt %q shows digits", f.Kind, f.Excerpt)
		}
	}
	want := []string{"classification", "classification", "id_number", "bank_card", "mobile"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds = %q, want %q", kinds, want)
	}
}

package cms

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Finding kinds: what the secrecy scanner found.
const (
	FindingIDNumber       = "id_number"      // mainland resident ID: 18 characters with a valid GB 11643 check digit, or 15-digit legacy
	FindingMobile         = "mobile"         // mainland mobile number
	FindingBankCard       = "bank_card"      // 16–19 digits passing Luhn, with a plausible prefix
	FindingEmail          = "email"          // e-mail address
	FindingClassification = "classification" // 绝密, 机密, 秘密, 内部, 内部资料, 内部使用, 不宜公开, 涉密, ★ markings such as "机密★1年"
	FindingSensitiveWord  = "sensitive_word" // from the admin-managed list
)

// Severities of a finding.
const (
	SeverityBlocking = "blocking" // clear is refused until a secrecy reviewer acknowledges it
	SeverityWarning  = "warning"
)

// ScanText is one piece of a revision to scan. Field names where it comes
// from, e.g. "title", "body", "fields.answer" or "attachments[0].name".
type ScanText struct{ Field, Text string }

// SensitiveWord is an admin-managed word and how serious a match is:
// SeverityWarning, or SeverityBlocking (also for an empty or unknown one).
type SensitiveWord struct{ Word, Severity string }

// Finding is one thing the scanner found. Excerpt is masked so that the
// personal data itself is not repeated where findings are shown or logged.
type Finding struct {
	Kind, Field, Excerpt, Severity string
	Offset                         int // in characters (runes) from the start of the field's text
	Length                         int // in runes
}

// Scan looks for personal data (resident ID numbers, mobile numbers, bank
// cards, e-mail addresses), classification markings and the given sensitive
// words in texts. Findings come out in the order of texts, then by offset.
//
// The rules prefer missing an unusual spelling to flagging the numbers and
// phrases that official texts are full of:
//
//   - Numbers are taken whole: the characters either side of one must not be
//     ASCII letters or digits, nor a hyphen joining it to more of them (a
//     serial like 2026-13812345678). Numbers after ¥ or $, before 元, 万, 亿
//     or %, and either side of a decimal point are amounts, not identifiers.
//     Full-width digits and letters count as their ASCII forms.
//   - An ID number needs a province code of GB/T 2260 (or 81–83, residence
//     permits), a birth date that exists (years 1900 to this year; 19YY for
//     15-digit legacy numbers) and, for 18 characters, the ISO 7064 MOD 11-2
//     check digit.
//   - Groups joined by single spaces must not run on into more groups, so a
//     row of a table (2023 2024 2025 2026) is not one number.
//   - A mobile is 1[3-9] and 9 more digits, contiguous or written 3-4-4 with
//     spaces or hyphens, optionally after +86, 86 or (+86).
//   - A bank card passes Luhn, is contiguous or in groups of four, and has a
//     prefix and length that a card scheme issues (62, 60, 65 and 35 with
//     16–19 digits, 4 with 16 or 19, 51–55 with 16). That is narrower than
//     "starts with 3–6" so that contract numbers and wrong ID numbers, which
//     start with region codes such as 34, are not taken for cards. An ID
//     number is not also reported as a card.
//   - E-mail addresses are warnings, as official mailboxes are published;
//     names like logo@2x.png, whose "domain" ends in a file extension, are not
//     addresses.
//
// Classification markings follow GB/T 9704, which puts the level alone at
// the head of a document or joins it to the secrecy period with ★. In running
// text the level words name legal concepts (国家秘密, 商业机密, 数据机密性), so
// 绝密, 机密 and 秘密 count only as markings: followed by ★ (and a period such
// as 1年, 6个月 or 长期), followed by 级, after the label 密级 (密级：秘密),
// or standing alone between line ends, brackets or markup (【机密】, a field
// that is just 秘密). Quoted or listed levels ("绝密"、"机密") are mentions,
// not markings. Plain 内部 follows the same rule (【内部】, 密级：内部), so
// 内部控制 and 内部审计 pass; 内部资料, 内部使用, 内部文件, 内部事项, 内部参考
// and 内部掌握 always count. 不宜公开 counts unless it describes something
// (不宜公开的信息). 涉密 says that something is classified and counts unless
// negated or asked about (非涉密, 不涉密, 是否涉密) or in the slogan 涉密不上网.
// 密级 counts only as a label with a level; 确定密级, 保密 and 保密审查 are
// no markings.
func Scan(texts []ScanText, words []SensitiveWord) []Finding {
	ws := sensitiveWords(words)
	year := time.Now().Year()
	var out []Finding
	for _, t := range texts {
		s := newSecrecyScanner(t, year)
		s.numbers()
		s.emails()
		s.markings()
		s.sensitive(ws)
		slices.SortStableFunc(s.found, compareFindings)
		out = append(out, s.found...)
	}
	return out
}

// ScanRevision scans the title, body, every string in the typed fields
// (nested lists and objects included, with paths like
// "fields.materials[0].name", object keys in sorted order) and the
// attachment names of r. Numbers in typed fields are amounts and counts,
// not text, and are not scanned.
func ScanRevision(r *Revision, words []SensitiveWord) []Finding {
	texts := []ScanText{{Field: "title", Text: r.Title}, {Field: "body", Text: r.Body}}
	texts = appendFieldTexts(texts, "fields", r.Fields)
	for i, a := range r.Attachments {
		texts = append(texts, ScanText{Field: "attachments[" + strconv.Itoa(i) + "].name", Text: a.Name})
	}
	return Scan(texts, words)
}

func appendFieldTexts(texts []ScanText, path string, v any) []ScanText {
	switch v := v.(type) {
	case string:
		texts = append(texts, ScanText{Field: path, Text: v})
	case []any:
		for i, e := range v {
			texts = appendFieldTexts(texts, path+"["+strconv.Itoa(i)+"]", e)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			texts = appendFieldTexts(texts, path+"."+k, v[k])
		}
	}
	return texts
}

var findingKindRank = map[string]int{FindingIDNumber: 0, FindingBankCard: 1, FindingMobile: 2, FindingEmail: 3,
	FindingClassification: 4, FindingSensitiveWord: 5}

func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(b.Length, a.Length),
		cmp.Compare(findingKindRank[a.Kind], findingKindRank[b.Kind]), strings.Compare(a.Excerpt, b.Excerpt))
}

// secrecyScanner scans one field. text is the field as written, r the same
// runes with full-width forms folded to ASCII, so that offsets agree.
type secrecyScanner struct {
	field string
	text  []rune
	r     []rune
	year  int // birth years of ID numbers run up to this one
	found []Finding
}

func newSecrecyScanner(t ScanText, year int) *secrecyScanner {
	text := []rune(t.Text)
	r := make([]rune, len(text))
	for i, c := range text {
		r[i] = foldWidth(c)
	}
	return &secrecyScanner{field: t.Field, text: text, r: r, year: year}
}

// foldWidth maps full-width ASCII forms, the ideographic space and other
// hyphens to their ASCII forms, one rune for one.
func foldWidth(c rune) rune {
	switch {
	case c >= 0xFF01 && c <= 0xFF5E:
		return c - 0xFEE0
	case c == '\u3000', c == '\u00a0':
		return ' '
	case c >= '\u2010' && c <= '\u2013', c == '\u2212':
		return '-'
	case c == '\uffe5':
		return '¥'
	}
	return c
}

func (s *secrecyScanner) add(kind, severity string, start, end int, excerpt string) {
	s.found = append(s.found, Finding{Kind: kind, Field: s.field, Excerpt: excerpt, Severity: severity,
		Offset: start, Length: end - start})
}

// at returns the folded rune at i, or 0 outside the text.
func (s *secrecyScanner) at(i int) rune {
	if i < 0 || i >= len(s.r) {
		return 0
	}
	return s.r[i]
}

// hasAt reports whether word occurs at i.
func (s *secrecyScanner) hasAt(i int, word string) bool {
	for _, c := range word {
		if s.at(i) != c {
			return false
		}
		i++
	}
	return true
}

// excerpt returns the text of [start, end) with up to six characters either
// side, on one line.
func (s *secrecyScanner) excerpt(start, end int) string {
	ctx := string(s.text[max(0, start-6):min(len(s.text), end+6)])
	return strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return ' '
		}
		return c
	}, ctx)
}

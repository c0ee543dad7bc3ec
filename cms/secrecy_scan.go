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
// Rendered, when not empty, is the same text as readers see it: a Markdown
// or HTML text rendered and stripped of its markup (see ScanRevision).
type ScanText struct{ Field, Text, Rendered string }

// SensitiveWord is an admin-managed word and how serious a match is:
// SeverityWarning, or SeverityBlocking (also for an empty or unknown one).
type SensitiveWord struct{ Word, Severity string }

// Finding is one thing the scanner found. Excerpt is masked so that the
// personal data itself is not repeated where findings are shown or logged.
type Finding struct {
	Kind, Field, Excerpt, Severity string
	Offset                         int // in characters (runes) from the start of the field's text
	Length                         int // in runes
	// Rendered marks a finding that only the rendered text shows: markup
	// splits it in the text as written. Offset and Length then count in
	// the rendered text.
	Rendered bool
}

// Scan looks for personal data (resident ID numbers, mobile numbers, bank
// cards, e-mail addresses), classification markings and the given sensitive
// words in texts. Findings come out in the order of texts, then by offset,
// those that only the rendered text shows after the others.
//
// It reads what readers see. Characters that are not drawn (format
// characters such as zero-width spaces and joiners, byte-order marks, soft
// hyphens and bidi marks; combining marks and variation selectors) are
// dropped before matching, so they split neither a number nor a word, and
// the digits of every script (full-width, mathematical, Arabic-Indic…)
// count as ASCII ones. A text's Rendered form is scanned as well, as
// markup (an HTML comment, a <span>, Markdown emphasis) can split in the
// source what readers see whole; a finding both forms show is reported
// once, at its place in the text as written.
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
//   - Excerpts never repeat personal data: numbers and addresses are masked
//     in their own excerpts and in the context shown around a marking or a
//     sensitive word; where only the rendered text shows a number, the
//     context taken from the text as written has all its digits masked.
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
		out = append(out, scanText(t, ws, year)...)
	}
	return out
}

// scanText scans one text as written and, when it has one, as rendered.
func scanText(t ScanText, ws *wordList, year int) []Finding {
	raw := newSecrecyScanner(t.Text, year)
	raw.scan(ws)
	if t.Rendered == "" || t.Rendered == t.Text {
		return raw.findings(t.Field, false, raw.found)
	}
	shown := newSecrecyScanner(t.Rendered, year)
	shown.scan(ws)
	only := unmatched(shown.found, raw.found)
	for _, f := range only {
		if f.number() {
			raw.maskAllDigits = true
		}
	}
	return append(raw.findings(t.Field, false, raw.found), shown.findings(t.Field, true, only)...)
}

// unmatched returns the findings of a that b does not have, b's findings
// matching one each.
func unmatched(a, b []found) []found {
	have := map[string]int{}
	for _, f := range b {
		have[f.kind+"\x00"+f.value]++
	}
	var out []found
	for _, f := range a {
		if k := f.kind + "\x00" + f.value; have[k] > 0 {
			have[k]--
			continue
		}
		out = append(out, f)
	}
	return out
}

// ScanRevision scans the title, body, every string in the typed fields
// (nested lists and objects included, with paths like
// "fields.materials[0].name", object keys in sorted order) and the
// attachment names of r, a revision of an item of contentType. Numbers in
// typed fields are amounts and counts, not text, and are not scanned. The
// body and the Markdown (text) fields are scanned as written and as rd
// renders them for readers; with a nil rd, as written only.
func ScanRevision(r *Revision, contentType string, words []SensitiveWord, rd Renderer) []Finding {
	body := ScanText{Field: "body", Text: r.Body}
	if rd != nil && r.Body != "" {
		body.Rendered = visibleText(rd.HTML(r.Body, r.BodyFormat))
	}
	texts := []ScanText{{Field: "title", Text: r.Title}, body}
	top := &FieldSpec{}
	if ct := LookupContentType(contentType); ct != nil {
		top.Fields = ct.Fields
	}
	texts = appendFieldTexts(texts, "fields", r.Fields, top, rd)
	for i, a := range r.Attachments {
		texts = append(texts, ScanText{Field: "attachments[" + strconv.Itoa(i) + "].name", Text: a.Name})
	}
	return Scan(texts, words)
}

// appendFieldTexts appends the strings in v, spec describing v (nil when
// unknown); text fields are Markdown and rendered.
func appendFieldTexts(texts []ScanText, path string, v any, spec *FieldSpec, rd Renderer) []ScanText {
	switch v := v.(type) {
	case string:
		t := ScanText{Field: path, Text: v}
		if rd != nil && spec != nil && spec.Kind == KindText {
			t.Rendered = visibleText(rd.HTML(v, FormatMarkdown))
		}
		texts = append(texts, t)
	case []any:
		for i, e := range v {
			texts = appendFieldTexts(texts, path+"["+strconv.Itoa(i)+"]", e, spec, rd)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			texts = appendFieldTexts(texts, path+"."+k, v[k], subfield(spec, k), rd)
		}
	}
	return texts
}

func subfield(spec *FieldSpec, name string) *FieldSpec {
	if spec == nil {
		return nil
	}
	for i := range spec.Fields {
		if spec.Fields[i].Name == name {
			return &spec.Fields[i]
		}
	}
	return nil
}

var findingKindRank = map[string]int{FindingIDNumber: 0, FindingBankCard: 1, FindingMobile: 2, FindingEmail: 3,
	FindingClassification: 4, FindingSensitiveWord: 5}

func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(b.Length, a.Length),
		cmp.Compare(findingKindRank[a.Kind], findingKindRank[b.Kind]), strings.Compare(a.Excerpt, b.Excerpt))
}

// secrecyScanner scans one text. text is the text as written without the
// characters readers do not see, r the same runes folded (full-width forms
// and other digits to ASCII), one for one, and pos where each rune of text
// stands in the text as written, so that findings point into it.
type secrecyScanner struct {
	text  []rune
	r     []rune
	pos   []int
	year  int // birth years of ID numbers run up to this one
	found []found
	// maskAllDigits masks every digit in context excerpts: the rendered
	// text shows a number that this text splits.
	maskAllDigits bool
}

// found is a finding in the scanner's coordinates.
type found struct {
	kind, severity string
	start, end     int    // in text
	value          string // what was found, normalised, to match the same finding in another form of the text
	excerpt        string // masked; "" for markings and words, whose excerpt is their context
}

func (f *found) number() bool {
	return f.kind == FindingIDNumber || f.kind == FindingBankCard || f.kind == FindingMobile
}

func newSecrecyScanner(text string, year int) *secrecyScanner {
	s := &secrecyScanner{year: year}
	i := 0
	for _, c := range text {
		if !invisible(c) {
			s.text = append(s.text, c)
			s.r = append(s.r, fold(c))
			s.pos = append(s.pos, i)
		}
		i++
	}
	return s
}

func (s *secrecyScanner) scan(ws *wordList) {
	s.numbers()
	s.emails()
	s.markings()
	s.sensitive(ws)
}

func (s *secrecyScanner) add(kind, severity string, start, end int, value, excerpt string) {
	s.found = append(s.found, found{kind: kind, severity: severity, start: start, end: end, value: value, excerpt: excerpt})
}

// findings returns fs, found by s, as Findings of field, in order, with
// their excerpts.
func (s *secrecyScanner) findings(field string, rendered bool, fs []found) []Finding {
	mask := s.mask()
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		ex := f.excerpt
		if ex == "" {
			ex = s.context(f.start, f.end, mask)
		}
		start := s.pos[f.start]
		out = append(out, Finding{Kind: f.kind, Field: field, Excerpt: ex, Severity: f.severity, Offset: start,
			Length: s.pos[f.end-1] + 1 - start, Rendered: rendered})
	}
	slices.SortStableFunc(out, compareFindings)
	return out
}

// mask marks the runes no excerpt may show: the digits of numbers found
// and the mailbox names of addresses but their first character.
func (s *secrecyScanner) mask() []bool {
	m := make([]bool, len(s.r))
	for _, f := range s.found {
		switch {
		case f.number():
			for k := f.start; k < f.end; k++ {
				m[k] = s.digit(k)
			}
		case f.kind == FindingEmail:
			for k := f.start + 1; k < f.end && s.r[k] != '@'; k++ {
				m[k] = true
			}
		}
	}
	return m
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

// context returns the text of [start, end) with up to six characters
// either side, on one line, masked.
func (s *secrecyScanner) context(start, end int, mask []bool) string {
	lo, hi := max(0, start-6), min(len(s.text), end+6)
	out := make([]rune, 0, hi-lo)
	for k := lo; k < hi; k++ {
		c := s.text[k]
		switch {
		case mask[k], s.maskAllDigits && (k < start || k >= end) && s.digit(k):
			c = '*'
		case unicode.IsControl(c):
			c = ' '
		}
		out = append(out, c)
	}
	return string(out)
}

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

// sensitiveWord is a configured word folded for matching.
type sensitiveWord struct {
	word     []rune
	severity string
}

// sensitiveWords folds, de-duplicates and defaults the configured words; a
// word configured twice keeps the more serious severity.
func sensitiveWords(words []SensitiveWord) []sensitiveWord {
	var out []sensitiveWord
	index := map[string]int{}
	for _, w := range words {
		folded := foldLower(strings.TrimSpace(w.Word))
		if len(folded) == 0 {
			continue
		}
		sev := SeverityBlocking
		if w.Severity == SeverityWarning {
			sev = SeverityWarning
		}
		if i, ok := index[string(folded)]; ok {
			if sev == SeverityBlocking {
				out[i].severity = sev
			}
			continue
		}
		index[string(folded)] = len(out)
		out = append(out, sensitiveWord{word: folded, severity: sev})
	}
	return out
}

func foldLower(s string) []rune {
	r := []rune(s)
	for i, c := range r {
		r[i] = unicode.ToLower(foldWidth(c))
	}
	return r
}

// sensitive reports every occurrence of each word, ignoring case and width.
func (s *secrecyScanner) sensitive(words []sensitiveWord) {
	if len(words) == 0 {
		return
	}
	lower := make([]rune, len(s.r))
	for i, c := range s.r {
		lower[i] = unicode.ToLower(c)
	}
	for _, w := range words {
		for i := 0; i+len(w.word) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(w.word)], w.word) {
				s.add(FindingSensitiveWord, w.severity, i, i+len(w.word), s.excerpt(i, i+len(w.word)))
				i += len(w.word) - 1
			}
		}
	}
}

// Numbers. A number is one run of ASCII digits, or runs joined by single
// spaces or single hyphens (noSep, ' ', '-').
const noSep = 0

func (s *secrecyScanner) digit(i int) bool { c := s.at(i); return c >= '0' && c <= '9' }

func (s *secrecyScanner) alnum(i int) bool {
	c := s.at(i)
	return s.digit(i) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (s *secrecyScanner) runEnd(i int) int {
	for s.digit(i) {
		i++
	}
	return i
}

// numbers reports ID numbers, bank cards and mobiles, trying each run of
// digits as the start of a number.
func (s *secrecyScanner) numbers() {
	for p := 0; p < len(s.r); p++ {
		if s.digit(p) && !s.digit(p-1) {
			p = max(p, s.number(p)-1)
		}
	}
}

// number reports the number starting at p, written contiguously, with
// spaces or with hyphens, and returns its end, or p when there is none.
func (s *secrecyScanner) number(p int) int {
	for _, sep := range []rune{noSep, ' ', '-'} {
		if !s.startsNumber(p, sep) {
			continue
		}
		lens, end := s.groups(p, sep)
		if sep == noSep && lens[0] == 17 && (s.at(end) == 'X' || s.at(end) == 'x') {
			end++
		}
		if (sep == noSep || len(lens) > 1) && s.endsNumber(end) && s.classify(p, end, lens, sep) {
			return end
		}
	}
	return p
}

// groups reads the runs of digits from p joined by sep.
func (s *secrecyScanner) groups(p int, sep rune) ([]int, int) {
	end := s.runEnd(p)
	lens := []int{end - p}
	for sep != noSep && s.at(end) == sep && s.digit(end+1) && (sep == '-' || s.spaceAfter(end)) {
		next := s.runEnd(end + 1)
		lens = append(lens, next-end-1)
		end = next
	}
	return lens, end
}

// startsNumber reports whether a number may start at p: not in the middle
// of a word, a hyphenated serial, a decimal or an amount, nor (for a number
// grouped with spaces) after another group of digits.
func (s *secrecyScanner) startsNumber(p int, sep rune) bool {
	c := s.at(p - 1)
	switch {
	case s.alnum(p - 1), c == '-' && s.alnum(p-2), c == '.' && s.digit(p-2), c == '¥', c == '$':
		return false
	case sep == ' ' && c == ' ' && s.digit(p-2):
		start := s.runStart(p - 2)
		return s.dashJoined(start, p-1)
	}
	return true
}

// endsNumber is startsNumber's counterpart for the end of a number.
func (s *secrecyScanner) endsNumber(e int) bool {
	c := s.at(e)
	if s.alnum(e) || c == '-' && s.alnum(e+1) || c == '.' && s.digit(e+1) {
		return false
	}
	return !strings.ContainsRune("元万亿%‰", c)
}

func (s *secrecyScanner) runStart(i int) int {
	for s.digit(i - 1) {
		i--
	}
	return i
}

// dashJoined reports whether the run [start, end) is part of a hyphenated
// number or code, which a space does not join to the groups around it.
func (s *secrecyScanner) dashJoined(start, end int) bool {
	return s.at(start-1) == '-' && s.alnum(start-2) || s.at(end) == '-' && s.alnum(end+1)
}

// spaceAfter reports whether another group of digits follows e after one space.
func (s *secrecyScanner) spaceAfter(e int) bool {
	return s.at(e) == ' ' && s.digit(e+1) && !s.dashJoined(e+1, s.runEnd(e+1))
}

// classify reports the number [p, end) read as lens joined by sep, if it is one.
func (s *secrecyScanner) classify(p, end int, lens []int, sep rune) bool {
	var d []byte
	for _, c := range s.r[p:end] {
		if c != ' ' && c != '-' {
			d = append(d, byte(c))
		}
	}
	switch ds := string(d); {
	case sep == noSep && validIDNumber(ds, s.year):
		s.add(FindingIDNumber, SeverityBlocking, p, end, maskDigits(ds))
	case cardShape(lens) && plausibleCard(ds) && luhnValid(ds):
		s.add(FindingBankCard, SeverityBlocking, p, end, maskDigits(ds))
	case mobileShape(lens, ds):
		core, c := ds[len(ds)-11:], p // c: where core starts
		if len(ds) == 13 {
			c += 2 + min(len(lens)-1, 1) // past 86 and its separator
		}
		s.add(FindingMobile, SeverityBlocking, s.mobilePrefix(c), end, core[:3]+"****"+core[7:])
	default:
		return false
	}
	return true
}

// mobilePrefix returns where a mobile whose digits start at c begins when
// +86, 86, (+86) or (86) precedes it, perhaps with a space or hyphen between.
func (s *secrecyScanner) mobilePrefix(c int) int {
	q := c
	if s.at(q-1) == ' ' || s.at(q-1) == '-' {
		q--
	}
	paren := s.at(q-1) == ')'
	if paren {
		q--
	}
	if !s.hasAt(q-2, "86") {
		return c
	}
	q -= 2
	if s.at(q-1) == '+' {
		q--
	}
	if paren {
		if s.at(q-1) != '(' {
			return c
		}
		q--
	}
	if s.alnum(q - 1) {
		return c
	}
	return q
}

// mobileShape reports whether digits grouped as lens are a mobile: 11
// digits or 3-4-4, perhaps after 86.
func mobileShape(lens []int, d string) bool {
	shape := slices.Equal(lens, []int{11}) || slices.Equal(lens, []int{3, 4, 4})
	prefixed := strings.HasPrefix(d, "86") && (slices.Equal(lens, []int{13}) ||
		slices.Equal(lens, []int{2, 11}) || slices.Equal(lens, []int{2, 3, 4, 4}))
	if !shape && !prefixed {
		return false
	}
	core := d[len(d)-11:]
	return core[0] == '1' && core[1] >= '3' && core[1] <= '9'
}

// cardShape reports whether lens is one run of 16–19 digits or groups of
// four with a shorter last group.
func cardShape(lens []int) bool {
	if len(lens) == 1 {
		return lens[0] >= 16 && lens[0] <= 19
	}
	if len(lens) != 4 && len(lens) != 5 || !slices.Equal(lens[:4], []int{4, 4, 4, 4}) {
		return false
	}
	return len(lens) == 4 || lens[4] < 4
}

// plausibleCard reports whether some card scheme issues numbers of this
// prefix and length: UnionPay 62, Discover and domestic 60 and 65, JCB 35,
// Visa 4, Mastercard 51–55.
func plausibleCard(d string) bool {
	n := len(d)
	switch {
	case d[:2] == "62" || d[:2] == "60" || d[:2] == "65" || d[:2] == "35":
		return n >= 16 && n <= 19
	case d[0] == '4':
		return n == 16 || n == 19
	case d[0] == '5' && d[1] >= '1' && d[1] <= '5':
		return n == 16
	}
	return false
}

// luhnValid reports whether the digits d pass the Luhn check.
func luhnValid(d string) bool {
	sum := 0
	for i := range len(d) {
		c := d[len(d)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
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

// idProvinces are the first two digits of GB/T 2260 province codes, with
// 81–83 for the residence permits of Hong Kong, Macao and Taiwan residents.
var idProvinces = map[string]bool{"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true,
	"23": true, "31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "41": true, "42": true,
	"43": true, "44": true, "45": true, "46": true, "50": true, "51": true, "52": true, "53": true, "54": true, "61": true,
	"62": true, "63": true, "64": true, "65": true, "71": true, "81": true, "82": true, "83": true}

// validIDNumber reports whether d is a resident ID number: 17 digits and a
// GB 11643 check digit, or a 15-digit legacy number; born by year.
func validIDNumber(d string, year int) bool {
	switch {
	case len(d) == 15:
		return idProvinces[d[:2]] && allDigits(d) && validBirthDate("19"+d[6:12], year)
	case len(d) == 18:
		return idProvinces[d[:2]] && allDigits(d[:17]) && validBirthDate(d[6:14], year) &&
			idCheckDigit(d[:17]) == strings.ToUpper(d[17:])[0]
	}
	return false
}

// idCheckDigit computes the ISO 7064 MOD 11-2 check character of 17 digits.
func idCheckDigit(d string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// validBirthDate reports whether ymd (YYYYMMDD) is a real date in a year
// from 1900 to maxYear.
func validBirthDate(ymd string, maxYear int) bool {
	y, _ := strconv.Atoi(ymd[:4])
	m, _ := strconv.Atoi(ymd[4:6])
	d, _ := strconv.Atoi(ymd[6:8])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return y >= 1900 && y <= maxYear && t.Year() == y && int(t.Month()) == m && t.Day() == d
}

func allDigits(d string) bool {
	return strings.Trim(d, "0123456789") == ""
}

// maskDigits keeps the first and last four characters of d.
func maskDigits(d string) string {
	return d[:4] + strings.Repeat("*", len(d)-8) + d[len(d)-4:]
}

// emails reports every address around an @, masking all of the local part
// but its first character.
func (s *secrecyScanner) emails() {
	for i, c := range s.r {
		if c != '@' {
			continue
		}
		start, end := i, i+1
		for start > 0 && (s.alnum(start-1) || strings.ContainsRune("._%+-", s.r[start-1])) {
			start--
		}
		for start < i && s.r[start] == '.' {
			start++
		}
		for s.alnum(end) || s.at(end) == '.' || s.at(end) == '-' {
			end++
		}
		for end > i+1 && (s.r[end-1] == '.' || s.r[end-1] == '-') {
			end--
		}
		local, domain := string(s.r[start:i]), string(s.r[i+1:end])
		if validEmail(local, domain) {
			s.add(FindingEmail, SeverityWarning, start, end, local[:1]+strings.Repeat("*", len(local)-1)+"@"+domain)
		}
	}
}

// fileExtensions end names like logo@2x.png that look like addresses.
var fileExtensions = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true,
	"bmp": true, "pdf": true, "doc": true, "docx": true, "xls": true, "xlsx": true, "ppt": true, "pptx": true,
	"txt": true, "zip": true, "rar": true, "wps": true, "ofd": true, "mp4": true}

func validEmail(local, domain string) bool {
	labels := strings.Split(domain, ".")
	tld := strings.ToLower(labels[len(labels)-1])
	if local == "" || strings.Contains(local, "..") || strings.HasSuffix(local, ".") || len(labels) < 2 ||
		len(tld) < 2 || strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") != "" || fileExtensions[tld] {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	return true
}

// Classification markings; see Scan for the rules.
var (
	markingLevels = []string{"绝密", "机密", "秘密", "内部"}
	markingWords  = []string{"内部资料", "内部使用", "内部文件", "内部事项", "内部参考", "内部掌握", "不宜公开", "涉密"}
)

// markingDelims may stand next to a level word that stands alone: line
// ends, brackets, markup and the punctuation of file names.
const markingDelims = "\n\r【】[]()〔〕<>-_.*#|/"

// markings reports classification markings, with their context unmasked.
func (s *secrecyScanner) markings() {
	for i := 0; i < len(s.r); i++ {
		if end := s.marking(i); end > i {
			s.add(FindingClassification, SeverityBlocking, i, end, s.excerpt(i, end))
			i = end - 1
		}
	}
}

// marking returns the end of the marking at i, or i when there is none.
func (s *secrecyScanner) marking(i int) int {
	if s.hasAt(i, "密级") {
		j := s.skipSpaces(i + 2)
		if s.at(j) == ':' {
			j = s.skipSpaces(j + 1)
		}
		if !s.level(j) {
			return i
		}
		if s.at(j+2) == '级' {
			return s.starred(j + 3)
		}
		return s.starred(j + 2)
	}
	for _, w := range markingWords {
		if s.hasAt(i, w) {
			return s.markingWord(i, w)
		}
	}
	if s.level(i) {
		return s.levelMarking(i)
	}
	if s.at(i) != '★' {
		return i
	}
	if e := s.period(s.skipSpaces(i + 1)); e > 0 && s.freeAfter(e) {
		return e
	}
	return i
}

func (s *secrecyScanner) level(i int) bool {
	return slices.ContainsFunc(markingLevels, func(l string) bool { return s.hasAt(i, l) })
}

// markingWord returns the end of the marking word w at i unless it is
// descriptive (不宜公开的), negated or asked about (非涉密, 不涉密, 是否涉密) or
// the slogan 涉密不上网.
func (s *secrecyScanner) markingWord(i int, w string) int {
	switch {
	case w == "不宜公开" && s.at(i+4) == '的':
		return i
	case w == "涉密" && (strings.ContainsRune("非不否", s.at(i-1)) || s.hasAt(i+2, "不上网")):
		return i
	}
	return i + len([]rune(w))
}

// levelMarking returns the end of the marking made by the level word at i:
// joined to ★, followed by 级 (but not 内部级), or standing alone.
func (s *secrecyScanner) levelMarking(i int) int {
	e := i + 2
	switch {
	case s.at(s.skipSpaces(e)) == '★':
		return s.starred(e)
	case s.at(e) == '级' && !s.hasAt(i, "内部"):
		return e + 1
	case s.freeBefore(i) && s.freeAfter(e):
		return e
	}
	return i
}

// starred returns the end of a ★ and the secrecy period that may follow e.
func (s *secrecyScanner) starred(e int) int {
	k := s.skipSpaces(e)
	if s.at(k) != '★' {
		return e
	}
	if p := s.period(s.skipSpaces(k + 1)); p > 0 {
		return p
	}
	return k + 1
}

// period returns the end of a secrecy period at k (长期, or one or two
// digits and 年 or 个月), or 0.
func (s *secrecyScanner) period(k int) int {
	if s.hasAt(k, "长期") {
		return k + 2
	}
	j := k
	for s.digit(j) && j-k < 2 {
		j++
	}
	switch {
	case j == k || s.digit(j):
		return 0
	case s.at(j) == '年':
		return j + 1
	case s.hasAt(j, "个月"):
		return j + 2
	}
	return 0
}

func (s *secrecyScanner) skipSpaces(i int) int {
	for s.at(i) == ' ' || s.at(i) == '\t' {
		i++
	}
	return i
}

// freeBefore reports whether only spaces stand between i and the start of
// the text or a delimiter; freeAfter is its counterpart after e.
func (s *secrecyScanner) freeBefore(i int) bool {
	k := i - 1
	for s.at(k) == ' ' || s.at(k) == '\t' {
		k--
	}
	return k < 0 || strings.ContainsRune(markingDelims, s.r[k])
}

func (s *secrecyScanner) freeAfter(e int) bool {
	k := s.skipSpaces(e)
	return k >= len(s.r) || strings.ContainsRune(markingDelims, s.r[k])
}

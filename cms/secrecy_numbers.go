package cms

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

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
		s.add(FindingIDNumber, SeverityBlocking, p, end, strings.ToUpper(ds), maskDigits(ds))
	case cardShape(lens) && plausibleCard(ds) && luhnValid(ds):
		s.add(FindingBankCard, SeverityBlocking, p, end, ds, maskDigits(ds))
	case mobileShape(lens, ds):
		core, c := ds[len(ds)-11:], p // c: where core starts
		if len(ds) == 13 {
			c += 2 + min(len(lens)-1, 1) // past 86 and its separator
		}
		s.add(FindingMobile, SeverityBlocking, s.mobilePrefix(c), end, core, core[:3]+"****"+core[7:])
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

package cms

import (
	"slices"
	"strings"
)

// Classification markings; see Scan for the rules.
var (
	markingLevels = []string{"绝密", "机密", "秘密", "内部"}
	markingWords  = []string{"内部资料", "内部使用", "内部文件", "内部事项", "内部参考", "内部掌握", "不宜公开", "涉密"}
)

// markingDelims may stand next to a level word that stands alone: line
// ends, brackets, markup and the punctuation of file names.
const markingDelims = "\n\r【】[]()〔〕<>-_.*#|/"

// markings reports classification markings, whose excerpt is their context.
func (s *secrecyScanner) markings() {
	for i := 0; i < len(s.r); i++ {
		if end := s.marking(i); end > i {
			value := strings.Map(func(c rune) rune {
				if c == ' ' || c == '\t' {
					return -1
				}
				return c
			}, string(s.r[i:end]))
			s.add(FindingClassification, SeverityBlocking, i, end, value, "")
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

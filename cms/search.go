package cms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchTokens turns text into the space-separated tokens the search index
// stores, the way Lucene's CJK analyzer does: runs of Han, Hiragana,
// Katakana and Hangul characters become overlapping bigrams (plus each
// character alone, so that one-character queries match too), and other
// letters and digits become lower-case words. Both databases index these
// tokens with a plain whitespace tokenizer, so they find the same things.
func SearchTokens(text string) string {
	var b strings.Builder
	emit := func(tok string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok)
	}
	var run []rune  // current CJK run
	var word []rune // current non-CJK word
	// A run's bigrams come first, in order, so that the bigrams of a query
	// are adjacent positions (a phrase); its single characters follow.
	flushRun := func() {
		for i := 0; i+1 < len(run); i++ {
			emit(string(run[i : i+2]))
		}
		for _, r := range run {
			emit(string(r))
		}
		run = run[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			emit(strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	for _, r := range text {
		switch {
		case isCJK(r):
			flushWord()
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushRun()
			word = append(word, r)
		default:
			flushRun()
			flushWord()
		}
	}
	flushRun()
	flushWord()
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// QueryPhrases turns a search query into phrases of index tokens that must
// all occur: a CJK run of two or more characters becomes the phrase of its
// bigrams (so 住房公积金 matches only that sequence), a single character
// itself, and other words themselves. At most 16 phrases are kept.
func QueryPhrases(q string) [][]string {
	var phrases [][]string
	for _, field := range strings.Fields(SplitQuery(q)) {
		var run []rune
		var phrase []string
		for _, r := range field {
			if isCJK(r) {
				run = append(run, r)
			}
		}
		switch {
		case len(run) == 1:
			phrase = []string{string(run)}
		case len(run) > 1:
			for i := 0; i+1 < len(run); i++ {
				phrase = append(phrase, string(run[i:i+2]))
			}
		default:
			phrase = []string{strings.ToLower(field)}
		}
		phrases = append(phrases, phrase)
		if len(phrases) == 16 {
			break
		}
	}
	return phrases
}

// SplitQuery separates CJK runs from other words and drops punctuation, so
// "公积金loan提取" is searched as 公积金, loan and 提取.
func SplitQuery(q string) string {
	var b strings.Builder
	prevCJK := false
	for _, r := range q {
		switch {
		case isCJK(r):
			if !prevCJK {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			prevCJK = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if prevCJK {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			prevCJK = false
		default:
			b.WriteByte(' ')
			prevCJK = false
		}
	}
	return b.String()
}

// Snippet returns up to width characters of text around the first match of
// any query term, with every match wrapped in <mark></mark>. The text is
// plain (no markup); the result is HTML-escaped apart from the marks.
//
// It runs on every search miss for each hit's title and text, so it
// finds the terms by byte, decodes only the window's runes and escapes as
// it writes: what it allocates does not grow with the text (unless the
// text has capitals to lower).
func Snippet(text, q string, width int) string {
	terms := strings.Fields(SplitQuery(q))
	// toLower maps rune to rune (an invalid byte to U+FFFD, as []rune
	// does), so rune offsets in lower are rune offsets in text. Terms
	// without letter case (Chinese words, numbers) match the text where
	// they match it lowered, so the text is lowered only for a term with
	// letters.
	lower := text
	for _, t := range terms {
		if !caselessText(t) {
			lower = toLower(text)
			break
		}
	}
	type span struct{ start, end int }
	var spans []span
	for _, t := range terms {
		lt := strings.ToLower(t)
		n := utf8.RuneCountInString(lt)
		// Leftmost matches that do not overlap, found by byte and counted
		// in runes: only whole runes match a whole-rune term.
		for pos, at := 0, 0; ; {
			i := strings.Index(lower[pos:], lt)
			if i < 0 {
				break
			}
			at += utf8.RuneCountInString(lower[pos : pos+i])
			spans = append(spans, span{at, at + n})
			at, pos = at+n, pos+i+len(lt)
		}
	}
	start := 0
	if len(spans) > 0 {
		first := spans[0].start
		for _, s := range spans {
			first = min(first, s.start)
		}
		start = max(0, first-width/4)
	}
	total := utf8.RuneCountInString(text)
	end := min(total, start+width)
	// Only the window's runes are decoded.
	runes := make([]rune, 0, max(0, end-start))
	i := 0
	for _, r := range text {
		if i >= end {
			break
		}
		if i >= start {
			runes = append(runes, r)
		}
		i++
	}
	marked := make([]int, max(0, end-start)+1) // +1 opens, -1 closes
	for _, s := range spans {
		if s.start >= start && s.end <= end {
			marked[s.start-start]++
			marked[s.end-start]--
		}
	}
	var b strings.Builder
	b.Grow(4*(end-start) + 2*len(spans)*len("<mark></mark>") + 2*len("…"))
	if start > 0 {
		b.WriteString("…")
	}
	depth := 0
	for i := start; i <= end; i++ {
		d := marked[i-start]
		if d < 0 && depth > 0 && depth+d <= 0 {
			b.WriteString("</mark>")
		}
		if d > 0 && depth == 0 {
			b.WriteString("<mark>")
		}
		depth += d
		if i < end {
			writeEscaped(&b, runes[i-start])
		}
	}
	if depth > 0 {
		b.WriteString("</mark>")
	}
	if end < total {
		b.WriteString("…")
	}
	return b.String()
}

// writeEscaped writes r HTML-escaped as html.EscapeString escapes it.
func writeEscaped(b *strings.Builder, r rune) {
	switch r {
	case '&':
		b.WriteString("&amp;")
	case '<':
		b.WriteString("&lt;")
	case '>':
		b.WriteString("&gt;")
	case '"':
		b.WriteString("&#34;")
	case '\'':
		b.WriteString("&#39;")
	default:
		b.WriteRune(r)
	}
}

// PlainText strips Markdown and HTML markup roughly, for search and
// snippets: tags and the punctuation of Markdown syntax go, the words stay.
func PlainText(s string) string {
	var b strings.Builder
	inTag := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
			b.WriteByte(' ')
		case inTag:
		case strings.ContainsRune("#*_`>|~[]()!", r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// toLower is strings.ToLower, quicker on Chinese text: a rune of the CJK
// blocks that have no letter case is kept as it is without looking it up
// in Unicode's case tables, and a text without capitals is returned as it
// is. Text that is not UTF-8 is left to strings.ToLower.
func toLower(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return lowerFrom(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return strings.ToLower(s)
		}
		if !caseless(r) && unicode.ToLower(r) != r {
			return lowerFrom(s, i)
		}
		i += n
	}
	return s
}

// lowerFrom lowers s from byte i on, s[:i] having nothing to lower.
func lowerFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !caseless(r) {
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// caselessText reports whether s holds no rune with letter case: none
// that lowering changes and none that lowering gives.
func caselessText(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' {
				return false
			}
		} else if !caseless(r) {
			return false
		}
	}
	return true
}

// caseless reports whether r is in a block of Chinese text without
// letter case: CJK symbols and punctuation, unified ideographs and their
// extension A, and the full-width punctuation and digits (not the
// full-width Latin letters).
func caseless(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r >= 0x3000 && r <= 0x303F:
		return true
	case r >= 0xFF01 && r <= 0xFF20, r >= 0xFF3B && r <= 0xFF40, r >= 0xFF5B && r <= 0xFF65:
		return true
	}
	return false
}

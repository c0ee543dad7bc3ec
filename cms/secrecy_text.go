package cms

import (
	"html"
	"strings"
	"unicode"
)

// invisible reports whether readers do not see c as a character of its
// own: format characters (zero-width space and joiners, BOM, soft hyphen,
// bidi marks), other default-ignorable code points (Hangul fillers),
// variation selectors and combining marks, which are drawn over the
// character before them.
func invisible(c rune) bool {
	return c >= 0x80 && unicode.In(c, unicode.Cf, unicode.Mn, unicode.Me, unicode.Variation_Selector,
		unicode.Other_Default_Ignorable_Code_Point)
}

// fold maps a rune to the ASCII form it is read as, one rune for one:
// full-width forms and digits of every script.
func fold(c rune) rune {
	c = foldWidth(c)
	if c >= 0x80 && unicode.IsDigit(c) {
		return '0' + digitValue(c)
	}
	return c
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

// digitValue returns the value of a decimal digit (Unicode category Nd).
// Unicode encodes decimal digits in runs of ten from zero to nine, some
// runs adjacent (the mathematical digits), so the value is the distance
// from the start of the run, modulo ten.
func digitValue(c rune) rune {
	z := c
	for unicode.IsDigit(z - 1) {
		z--
	}
	return (c - z) % 10
}

// inlineTags are the elements that run on with the text around them; any
// other element separates what is before it from what is after it, as a
// paragraph, a cell or a line break does.
var inlineTags = map[string]bool{"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true,
	"code": true, "data": true, "del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true,
	"kbd": true, "mark": true, "q": true, "s": true, "samp": true, "small": true, "span": true, "strike": true,
	"strong": true, "sub": true, "sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true}

// visibleText returns the text that sanitised HTML shows: comments and
// tags dropped, entities decoded, white space collapsed as a browser does,
// and a line break where a block element (a paragraph, a cell, <br>)
// separates text. Inline elements such as <span> and <strong> join the
// text either side of them, as readers see it.
func visibleText(h string) string {
	var b strings.Builder
	for h != "" {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			i = len(h)
		}
		b.WriteString(html.UnescapeString(strings.Map(func(c rune) rune {
			if isHTMLSpace(c) {
				return ' '
			}
			return c
		}, h[:i])))
		h = h[i:]
		switch {
		case h == "":
		case strings.HasPrefix(h, "<!--"):
			h = after(h, "-->")
		case len(h) > 1 && (isASCIILetter(h[1]) || h[1] == '/' || h[1] == '!' || h[1] == '?'):
			if !inlineTags[tagName(h)] {
				b.WriteByte('\n')
			}
			h = after(h, ">")
		default:
			b.WriteByte('<')
			h = h[1:]
		}
	}
	return tidyLines(b.String())
}

// after returns what follows the first end in h, or "" when there is none.
func after(h, end string) string {
	if _, rest, ok := strings.Cut(h, end); ok {
		return rest
	}
	return ""
}

// tagName returns the lower-case name of the tag that h starts with.
func tagName(h string) string {
	h = strings.TrimPrefix(h[1:], "/")
	n := 0
	for n < len(h) && (isASCIILetter(h[n]) || h[n] >= '0' && h[n] <= '9') {
		n++
	}
	return strings.ToLower(h[:n])
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isHTMLSpace reports the white space that HTML collapses (not U+00A0).
func isHTMLSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// tidyLines collapses runs of spaces, trims them around line breaks and
// drops blank lines.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.FieldsFunc(l, func(c rune) bool { return c == ' ' }), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

package cms

import (
	"slices"
	"strings"
	"unicode"
)

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

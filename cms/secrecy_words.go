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

// wordList is the configured words, indexed by their first rune so that
// a long list costs little more to match than a short one.
type wordList struct {
	words   []sensitiveWord
	byFirst map[rune][]int
}

// sensitiveWords folds, de-duplicates and defaults the configured words; a
// word configured twice keeps the more serious severity.
func sensitiveWords(words []SensitiveWord) *wordList {
	l := &wordList{byFirst: map[rune][]int{}}
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
				l.words[i].severity = sev
			}
			continue
		}
		index[string(folded)] = len(l.words)
		l.byFirst[folded[0]] = append(l.byFirst[folded[0]], len(l.words))
		l.words = append(l.words, sensitiveWord{word: folded, severity: sev})
	}
	return l
}

// foldLower folds s as the scanner folds text, in lower case, without the
// characters readers do not see.
func foldLower(s string) []rune {
	var r []rune
	for _, c := range s {
		if !invisible(c) {
			r = append(r, unicode.ToLower(fold(c)))
		}
	}
	return r
}

// sensitive reports every occurrence of each word, ignoring case and width;
// occurrences of one word do not overlap.
func (s *secrecyScanner) sensitive(l *wordList) {
	if len(l.words) == 0 {
		return
	}
	lower := make([]rune, len(s.r))
	for i, c := range s.r {
		lower[i] = unicode.ToLower(c)
	}
	next := make([]int, len(l.words)) // where each word may match again
	for i, c := range lower {
		for _, k := range l.byFirst[c] {
			w := l.words[k].word
			if i >= next[k] && i+len(w) <= len(lower) && slices.Equal(lower[i:i+len(w)], w) {
				s.add(FindingSensitiveWord, l.words[k].severity, i, i+len(w), string(w), "")
				next[k] = i + len(w)
			}
		}
	}
}

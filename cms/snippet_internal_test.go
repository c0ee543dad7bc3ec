package cms

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// TestToLowerIsStringsToLower: toLower gives what strings.ToLower gives, on
// every rune it takes as caseless and on random text of Chinese, Latin,
// Greek and Turkish letters, full-width letters and invalid bytes.
func TestToLowerIsStringsToLower(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if caseless(r) && (unicode.ToLower(r) != r || unicode.ToUpper(r) != r || unicode.IsLetter(r) && unicode.IsUpper(r)) {
			t.Fatalf("%U is taken as caseless", r)
		}
	}
	rng := rand.New(rand.NewPCG(3, 5))
	alphabet := []string{"提", "取", "，", "。", "（", "Ａ", "ａ", "１", "A", "z", "İ", "ß", "Σ", "ς", "K", "\xff", "\xe6\x8f", " ", "㐀", "〇"}
	for i := range 50000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		if got, want := toLower(b.String()), strings.ToLower(b.String()); got != want {
			t.Fatalf("case %d: toLower(%q) = %q, want %q", i, b.String(), got, want)
		}
	}
}

func BenchmarkToLower(b *testing.B) {
	text := strings.Repeat("职工偿还公积金贷款本息的，可以按年提取，也可以按月委托提取。", 60)
	b.Run("toLower", func(b *testing.B) {
		for b.Loop() {
			_ = toLower(text)
		}
	})
	b.Run("strings.ToLower", func(b *testing.B) {
		for b.Loop() {
			_ = strings.ToLower(text)
		}
	})
}

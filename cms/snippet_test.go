package cms_test

import (
	"html"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestSnippetAllocationsDoNotGrowWithText: a search miss makes a snippet of
// every hit's title and text, so building one must not allocate per
// character of the text.
func TestSnippetAllocationsDoNotGrowWithText(t *testing.T) {
	short := "住房公积金提取须知：职工可以申请提取。"
	long := strings.Repeat("会议强调，要坚持以人民为中心的发展思想，持续提升政务服务水平。", 40) + short
	allocs := func(text string) float64 {
		return testing.AllocsPerRun(50, func() { _ = cms.Snippet(text, "提取 公积金", 120) })
	}
	a, b := allocs(short), allocs(long)
	if b > a+2 || b > 12 {
		t.Errorf("a snippet of %d characters allocates %.0f times, of %d characters %.0f times",
			len([]rune(short)), a, len([]rune(long)), b)
	}
}

// TestSnippet: the marks, the window and the escaping.
func TestSnippet(t *testing.T) {
	for name, c := range map[string]struct {
		text, q string
		width   int
		want    string
	}{
		"marks every match":     {"提取公积金，再提取", "提取", 20, "<mark>提取</mark>公积金，再<mark>提取</mark>"},
		"window around a match": {"一二三四五六七八九十提取甲乙丙丁", "提取", 8, "…九十<mark>提取</mark>甲乙丙丁"},
		"no match":              {"住房公积金", "贷款", 3, "住房公…"},
		"case-insensitive":      {"Loan and LOAN", "loan", 40, "<mark>Loan</mark> and <mark>LOAN</mark>"},
		"escapes":               {`a<b>&"'提取`, "提取", 40, "a&lt;b&gt;&amp;&#34;&#39;<mark>提取</mark>"},
		"overlapping terms":     {"公积金提取", "公积金 积金提", 40, "<mark>公积金提</mark>取"},
	} {
		if got := cms.Snippet(c.text, c.q, c.width); got != c.want {
			t.Errorf("%s: Snippet(%q, %q, %d) = %q, want %q", name, c.text, c.q, c.width, got, c.want)
		}
	}
}

// snippetReference is Snippet as it was written first, over the whole
// text's runes: the reference the faster one must agree with.
func snippetReference(text, q string, width int) string {
	terms := strings.Fields(cms.SplitQuery(q))
	runes := []rune(text)
	// strings.ToLower maps rune to rune, so indices agree with runes'.
	lower := []rune(strings.ToLower(text))
	type span struct{ start, end int }
	var spans []span
	for _, t := range terms {
		tr := []rune(strings.ToLower(t))
		for i := 0; i+len(tr) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(tr)], tr) {
				spans = append(spans, span{i, i + len(tr)})
				i += len(tr) - 1
			}
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
	end := min(len(runes), start+width)
	marked := make([]int, end-start+1) // +1 opens, -1 closes
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
			b.WriteString(html.EscapeString(string(runes[i])))
		}
	}
	if depth > 0 {
		b.WriteString("</mark>")
	}
	if end < len(runes) {
		b.WriteString("…")
	}
	return b.String()
}

// TestSnippetAgreesWithReference: Snippet, which decodes only its window,
// writes what the reference writes over the whole text's runes, for texts
// with capitals, CJK, invalid bytes, repeated and overlapping terms.
func TestSnippetAgreesWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	alphabet := []string{"提", "取", "公", "积", "金", "a", "A", "b", "B", "aa", "İ", "ß", " ", "，", "<", "&", "\xff", "\xe6\x8f", "1", "Σ"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := range 20000 {
		text, q, width := word(rng.IntN(300)), word(1+rng.IntN(6))+" "+word(rng.IntN(3)), 1+rng.IntN(130)
		if got, want := cms.Snippet(text, q, width), snippetReference(text, q, width); got != want {
			t.Fatalf("case %d: Snippet(%q, %q, %d) = %q, want %q", i, text, q, width, got, want)
		}
	}
}

package cms_test

import (
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

package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/render"
)

const (
	md   = cms.FormatMarkdown
	html = cms.FormatHTML
)

func TestHTML(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, format string
		want               []string // fragments the output holds
		not                []string // fragments it must not hold
	}{
		{"paragraph and emphasis", "正文 **粗体** *斜体*", md,
			[]string{"<p>正文 <strong>粗体</strong> <em>斜体</em></p>"}, nil},
		{"list", "- 身份证\n- 户口本", md, []string{"<ul>", "<li>身份证</li>", "<li>户口本</li>"}, nil},
		{"link", "[中心官网](https://www.example.gov.cn/)", md,
			[]string{`<a href="https://www.example.gov.cn/" rel="nofollow">中心官网</a>`}, nil},
		{"relative and mail links", `<a href="/guides/1">办事指南</a> <a href="mailto:gjj@example.cn">信箱</a>`, html,
			[]string{`href="/guides/1"`, `href="mailto:gjj@example.cn"`}, nil},
		{"autolink and strikethrough", "~~旧~~ https://example.cn/a", md,
			[]string{"<del>旧</del>", `<a href="https://example.cn/a" rel="nofollow">`}, nil},
		{"image with size", `<img src="https://cdn.example.cn/a.png" alt="网点" width="10" height="20">`, html,
			[]string{`src="https://cdn.example.cn/a.png"`, `alt="网点"`, `width="10"`}, nil},
		{"code is text", "```js\nalert(1)\n```", md, []string{"<pre><code>alert(1)\n</code></pre>"}, []string{"<script"}},
		{"table", "| 年份 | 比例 |\n|---|---|\n| 2026 | 12% |", md,
			[]string{"<table>", "<th>年份</th>", "<th>比例</th>", "<td>2026</td>", "<td>12%</td>"}, nil},
		{"task list", "- [x] 已提交材料\n- [ ] 等待审核", md,
			[]string{`<li>☑ 已提交材料</li>`, `<li>☐ 等待审核</li>`}, []string{"<input"}},
		{"form fields in HTML never survive", `<p>账号<input type="text" name="u">密码<input type="password"><input checked></p>`, html,
			[]string{"<p>账号密码</p>"}, []string{"<input"}},
		{"footnote", "依据条例[^1]\n\n[^1]: 国务院令第350号", md, []string{`href="#fn:1"`, "国务院令第350号"}, nil},
		{"HTML body is only sanitised", "<p>a &lt;b&gt; &amp; c</p>\n<p>第二段</p>", html,
			[]string{"<p>a &lt;b&gt; &amp; c</p>\n<p>第二段</p>"}, nil},
		{"HTML body is not Markdown", "**不是粗体**", html, []string{"**不是粗体**"}, []string{"<strong>"}},
		{"unknown format is Markdown", "**粗体**", "", []string{"<strong>粗体</strong>"}, nil},
		{"raw HTML in Markdown is sanitised too", "段落 <b>加粗</b> <span onclick=\"x()\">s</span>", md,
			[]string{"<b>加粗</b>"}, []string{"onclick"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := render.HTML(c.body, c.format)
			if got != (render.Renderer{}).HTML(c.body, c.format) {
				t.Error("Renderer.HTML and HTML differ")
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("output holds %q:\n%s", n, got)
				}
			}
		})
	}
}

var tag = regexp.MustCompile(`<[^>]*>`)

// TestHTMLRemovesScripts feeds known XSS vectors through both formats:
// whatever else survives, no tag or attribute that runs code may. (Text is
// escaped, so "javascript:" as words is harmless.)
func TestHTMLRemovesScripts(t *testing.T) {
	t.Parallel()
	dangerous := []string{"<script", "alert", "javascript:", "vbscript:", "data:", "onerror", "onload", "onclick",
		"onmouseover", "onfocus", "<iframe", "<object", "<embed", "<svg", "<math", "<style", "style=", "<form",
		"<base", "<meta", "<link", "srcdoc", "formaction", "target="}
	cases := []struct {
		name, body, format string
		keep               string // harmless text that stays, if any
	}{
		{"script element", "<script>alert(1)</script>保留", html, "保留"},
		{"script in Markdown", "<script>alert(1)</script>\n\n保留", md, "保留"},
		{"img onerror", `<img src=x onerror=alert(1)>`, html, ""},
		{"img onerror in Markdown", `<img src=x onerror=alert(1)>`, md, ""},
		{"javascript link", `<a href="javascript:alert(1)">点我</a>`, html, "点我"},
		{"javascript link in Markdown", "[点我](javascript:alert(1))", md, "点我"},
		{"javascript autolink", "<javascript:alert(1)>", md, "<p>javascript:alert(1)</p>"},
		{"mixed-case javascript", `<a href="JaVaScRiPt:alert(1)">x</a>`, html, "x"},
		{"entity-encoded javascript", `<a href="&#106;avascript:alert(1)">x</a>`, html, "x"},
		{"leading spaces before javascript", `<a href="  javascript:alert(1)">x</a>`, html, "x"},
		{"vbscript link", "[x](vbscript:msgbox(1))", md, "x"},
		{"data URL link", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, html, "x"},
		{"data URL image", "![x](data:image/png;base64,iVBORw0KGgo=)", md, ""},
		{"data URL svg image", `<img src="data:image/svg+xml;base64,PHN2Zy8+">`, html, ""},
		{"javascript image", `<img src="javascript:alert(1)">`, html, ""},
		{"iframe", `<iframe src="https://evil.example/"></iframe>保留`, html, "保留"},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`, html, ""},
		{"object and embed", `<object data="x.swf"></object><embed src="x.swf">保留`, html, "保留"},
		{"style attribute", `<p style="background:url(javascript:alert(1))">红字</p>`, html, "红字"},
		{"style element", "<style>body{display:none}</style>保留", html, "保留"},
		{"svg onload", `<svg onload=alert(1)><circle r="1"/></svg>`, html, ""},
		{"script inside svg", `<svg><script>alert(1)</script></svg>`, html, ""},
		{"mathml link", `<math><mi xlink:href="javascript:alert(1)">x</mi></math>`, html, "x"},
		{"event handler on a kept element", `<table><tr><td onclick="alert(1)">1</td></tr></table>`, html, "<td>1</td>"},
		{"mouseover on a link", `<a href="https://example.cn" onmouseover="alert(1)">x</a>`, html, `href="https://example.cn"`},
		{"link title breaking out", "[x](https://example.cn \"t\\\" onmouseover=\\\"alert(1)\")", md, `href="https://example.cn"`},
		{"input with a handler", `<input type="checkbox" onfocus="alert(1)" autofocus>保留`, html, "保留"},
		{"form with formaction", `<form action="https://evil.example"><button formaction="javascript:alert(1)">x</button></form>`, html, "x"},
		{"base and meta", `<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">`, html, ""},
		{"stylesheet link", `<link rel="stylesheet" href="https://evil.example/x.css"><p>p</p>`, html, "<p>p</p>"},
		{"target opener", `<a href="https://example.cn" target="_blank">x</a>`, html, `rel="nofollow"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := render.HTML(c.body, c.format)
			low := strings.ToLower(strings.Join(tag.FindAllString(got, -1), ""))
			for _, d := range dangerous {
				if strings.Contains(low, d) {
					t.Errorf("output holds %q:\n%s", d, got)
				}
			}
			if c.keep != "" && !strings.Contains(got, c.keep) {
				t.Errorf("output lost %q:\n%s", c.keep, got)
			}
		})
	}
}

var headingID = regexp.MustCompile(`<h[1-6] id="([^"]*)">`)

func TestHeadingIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		want       []string // exact ids; nil: only present and unique
		count      int
	}{
		{"from the words", "# Hello World\n\n## Second Heading", []string{"hello-world", "second-heading"}, 2},
		{"repeated headings", "# Hello\n\n# Hello\n\n# Hello", []string{"hello", "hello-1", "hello-2"}, 3},
		{"Chinese headings", "# 第一章 总则\n\n## 第一节\n\n## 第一节\n\n## 第二节", nil, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := render.HTML(c.body, md)
			var ids []string
			seen := map[string]bool{}
			for _, m := range headingID.FindAllStringSubmatch(got, -1) {
				ids = append(ids, m[1])
				if m[1] == "" || seen[m[1]] {
					t.Errorf("id %q is empty or repeated: %s", m[1], got)
				}
				seen[m[1]] = true
			}
			if len(ids) != c.count {
				t.Fatalf("%d headings with ids, want %d:\n%s", len(ids), c.count, got)
			}
			if c.want != nil && strings.Join(ids, " ") != strings.Join(c.want, " ") {
				t.Errorf("ids %v, want %v", ids, c.want)
			}
		})
	}
	// An HTML body keeps the ids its author wrote, so that its own anchors work.
	if got := render.HTML(`<h2 id="tiaojian">申请条件</h2>`, html); got != `<h2 id="tiaojian">申请条件</h2>` {
		t.Errorf("HTML heading: %s", got)
	}
}

func TestEmptyBody(t *testing.T) {
	t.Parallel()
	for _, f := range []string{md, html, ""} {
		if got := render.HTML("", f); got != "" {
			t.Errorf("HTML of an empty %q body = %q", f, got)
		}
		if got := (render.Renderer{}).Text("", f); got != "" {
			t.Errorf("Text of an empty %q body = %q", f, got)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, format, want string
	}{
		{"Markdown without markup", "# 标题\n\n正文 **粗体** 与 [链接](https://example.cn)。\n\n- 身份证\n- 户口本", md,
			"标题 正文 粗体 与 链接。 身份证 户口本"},
		{"entities decoded", "<p>a &lt;b&gt; &amp; c &quot;d&quot;</p>", html, `a <b> & c "d"`},
		{"inline markup keeps a Chinese word whole", "缴存**基数**调整", md, "缴存基数调整"},
		{"inline HTML keeps a word whole", "住房<strong>公积金</strong>", html, "住房公积金"},
		{"paragraphs do not run together", "<h2>Title</h2><p>one</p><p>two</p>", html, "Title one two"},
		{"cells do not run together", "<table><tr><th>年份</th><th>比例</th></tr><tr><td>2026</td><td>300</td></tr></table>", html,
			"年份 比例 2026 300"},
		{"list items do not run together", "<ul><li>身份证</li><li>户口本</li></ul>", html, "身份证 户口本"},
		{"line breaks separate", "line1<br>line2<br/>line3", html, "line1 line2 line3"},
		{"scripts leave no text", "<script>alert('x')</script>可见<style>p{}</style>", html, "可见"},
		{"whitespace collapsed", "  多个   空格\n\n\n换行  ", md, "多个 空格 换行"},
		{"table in Markdown", "| 年份 | 比例 |\n|---|---|\n| 2026 | 12% |", md, "年份 比例 2026 12%"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := (render.Renderer{}).Text(c.body, c.format); got != c.want {
				t.Errorf("Text = %q, want %q", got, c.want)
			}
		})
	}
}

// TestTextFeedsSearch checks the words of an HTML body reach the index
// one by one, as the public projection builds it.
func TestTextFeedsSearch(t *testing.T) {
	t.Parallel()
	it := &cms.Item{ID: 1, Column: "news", ContentType: cms.TypeArticle}
	rev := &cms.Revision{ID: 1, Title: "通知", Body: "<p>提取需要身份证</p><p>Deadline</p><p>2026</p>", BodyFormat: html}
	p := cms.NewPublicItem(it, rev, render.Renderer{})
	tokens := " " + p.SearchText + " "
	for _, w := range []string{"身份", "deadline", "2026"} {
		if !strings.Contains(tokens, " "+w+" ") {
			t.Errorf("search text lacks %q: %s", w, p.SearchText)
		}
	}
}

// Package render turns stored bodies (Markdown or HTML) into sanitised HTML
// with goldmark and bluemonday, and into plain text for search. It
// implements the cms Renderer port.
package render

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"github.com/tlhpf/cms/cms"
)

var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// Raw HTML is let through to the sanitiser, which decides what stays.
		goldmark.WithRendererOptions(gmhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(taskBoxes{}, 100))),
	)
	sanitizerOnce sync.Once
	sanitizer     *bluemonday.Policy
)

func htmlPolicy() *bluemonday.Policy {
	sanitizerOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.AllowAttrs("id").OnElements("h1", "h2", "h3", "h4", "h5", "h6")
		sanitizer = p
	})
	return sanitizer
}

// taskBoxes draws a task list's boxes as the characters ☑ and ☐ instead of
// <input> elements, so that the sanitiser can refuse every form field: a
// published notice must never show a box that looks like it takes input.
type taskBoxes struct{}

func (taskBoxes) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(east.KindTaskCheckBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			box := "☐ "
			if n.(*east.TaskCheckBox).IsChecked {
				box = "☑ "
			}
			_, _ = w.WriteString(box)
		}
		return ast.WalkContinue, nil
	})
}

// Renderer renders bodies; the zero value is ready to use.
type Renderer struct{}

var _ cms.Renderer = Renderer{}

// HTML turns a stored body into sanitised HTML: Markdown is rendered
// first, HTML bodies are only sanitised. Scripts, event handlers and
// javascript: links never survive.
func (Renderer) HTML(body, format string) string { return HTML(body, format) }

// Text returns the words of a body without markup, for the search index.
func (Renderer) Text(body, format string) string {
	spaced := blockEnd.ReplaceAllString(HTML(body, format), "$0 ")
	return strings.Join(strings.Fields(html.UnescapeString(textPolicy.Sanitize(spaced))), " ")
}

// blockEnd matches where a block of sanitised HTML ends. Text puts a space
// there so that the words of adjacent paragraphs, cells or lines do not run
// together (HTML bodies often have no newline between blocks); inline tags
// get none, so that 住房<strong>公积金</strong> stays one word.
var blockEnd = regexp.MustCompile(`</(?:p|div|h[1-6]|li|dt|dd|th|td|caption|blockquote|pre|summary|figcaption)>|<br\s*/?>|<hr\s*/?>`)

// textPolicy keeps no element at all, only text.
var textPolicy = bluemonday.StrictPolicy()

// HTML is Renderer.HTML as a function.
func HTML(body, format string) string {
	if body == "" {
		return ""
	}
	src := []byte(body)
	if format != cms.FormatHTML {
		var buf bytes.Buffer
		if err := markdown.Convert(src, &buf); err != nil {
			return htmlPolicy().Sanitize(body)
		}
		src = buf.Bytes()
	}
	return string(htmlPolicy().SanitizeBytes(src))
}

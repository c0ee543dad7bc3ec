package api

import (
	"bytes"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/tlhpf/cms/cms"
)

var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// Raw HTML is let through to the sanitiser, which decides what stays.
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	sanitizerOnce sync.Once
	sanitizer     *bluemonday.Policy
)

func htmlPolicy() *bluemonday.Policy {
	sanitizerOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.AllowAttrs("id").OnElements("h1", "h2", "h3", "h4", "h5", "h6")
		p.AllowElements("input")
		p.AllowAttrs("type", "checked", "disabled").OnElements("input")
		sanitizer = p
	})
	return sanitizer
}

// renderBody turns a stored body into sanitised HTML: Markdown is rendered
// first, HTML bodies are only sanitised. Scripts, event handlers and
// javascript: links never survive.
func renderBody(body, format string) string {
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

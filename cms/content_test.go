package cms_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// TestNewPublicItem: the projection of a live revision holds its listing
// summary, its search text in the type's order and the HTML clients are
// served, rendered through the given renderer.
func TestNewPublicItem(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	it := &cms.Item{ID: 3, Column: "policies-loan", ContentType: cms.TypePolicy, PublishedAt: at}
	rev := &cms.Revision{ID: 7, ItemID: 3, Title: "贷款办法", Body: "全文", BodyFormat: cms.FormatMarkdown, PublishedAt: at.Add(time.Hour),
		ContentHash: "h", Fields: map[string]any{"document_number": "铜公积金〔2024〕1号", "issuing_body": "中心", "repealed_on": "2025-01-01",
			"summary": "**摘要**", "validity": "current"}}
	p := cms.NewPublicItem(it, rev, markRenderer{})
	wantSummary := map[string]any{"document_number": "铜公积金〔2024〕1号", "issuing_body": "中心", "summary": "**摘要**", "validity": "current"}
	if !reflect.DeepEqual(p.Summary, wantSummary) {
		t.Errorf("Summary = %v, want %v", p.Summary, wantSummary)
	}
	if want := "全文 摘要 铜公积金〔2024〕1号 中心"; p.PlainText != want {
		t.Errorf("PlainText = %q, want %q", p.PlainText, want)
	}
	if p.BodyHTML != "<markdown>全文" || !reflect.DeepEqual(p.Fields, rev.Fields) || p.RenderedRevisionID != 7 || !p.Rendered() {
		t.Errorf("rendered %q %v from %d", p.BodyHTML, p.Fields, p.RenderedRevisionID)
	}
	if p.PublishedAt != at || p.UpdatedAt != rev.PublishedAt || p.ContentHash != "h" || p.RevisionID != 7 {
		t.Errorf("projection %+v", p)
	}

	faq := cms.NewPublicItem(&cms.Item{ID: 4, ContentType: cms.TypeFAQ}, &cms.Revision{ID: 8, Body: "<p>x</p>", BodyFormat: cms.FormatHTML,
		Fields: map[string]any{"question": "问", "answer": "*答*"}}, markRenderer{})
	if want := map[string]any{"question": "问", "answer": "<markdown>*答*"}; faq.BodyHTML != "<html><p>x</p>" || !reflect.DeepEqual(faq.Fields, want) {
		t.Errorf("faq rendered %q %v", faq.BodyHTML, faq.Fields)
	}
	if empty := cms.NewPublicItem(&cms.Item{ID: 5, ContentType: "retired"}, &cms.Revision{ID: 9}, markRenderer{}); empty.Fields == nil || len(empty.Fields) != 0 {
		t.Errorf("no fields rendered as %#v, want an empty map", empty.Fields)
	}
	if (&cms.PublicItem{RevisionID: 7}).Rendered() {
		t.Error("a row without HTML reports it rendered")
	}
}

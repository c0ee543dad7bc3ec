package api_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// storedDocs is what the projection stores for an item's reads.
type storedDocs struct {
	Doc      string `bun:"doc"`
	DocMAC   string `bun:"doc_mac"`
	Entry    string `bun:"entry"`
	EntryMAC string `bun:"entry_mac"`
}

func (e *env) storedDocs(t *testing.T, itemID int64) storedDocs {
	t.Helper()
	var d storedDocs
	_ = e.db.Bun().NewSelect().TableExpr("public_docs").Column("doc", "doc_mac").Where("item_id = ?", itemID).Scan(context.Background(), &d)
	_ = e.db.Bun().NewSelect().TableExpr("public_entries").Column("entry", "entry_mac").Where("item_id = ?", itemID).Scan(context.Background(), &d)
	return d
}

// TestStoredDocumentsAreWhatReadsServe: a publication stores the item
// detail document and the listing entry; a cache miss serves those bytes,
// which are the bytes a read of the checked row encodes (a row without
// them, from before they were stored, answers the same and the backfill
// stores them). A document or entry edited in the database, or copied
// from another item, is never served: the read falls back to the checked
// row, and the patrol rebuilds them from the intact revision.
func TestStoredDocumentsAreWhatReadsServe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "提取业务表单下载",
		"body": "见**附件**与 <b>说明</b> & 注意事项。", "fields": map[string]any{"summary": "表单 <下载> & 说明", "tags": []string{"便民服务"}}}).decode(t, &it)
	if r := e.upload(t, c.editor, it.Revision.ID, "住房公积金提取申请表.pdf", pdfBytes); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	e.toState(t, c, it.Revision.ID, "published")
	faq := e.publishFAQ(t, c, "提前还款需要什么材料？", "携带**身份证**办理。")
	const list = "/content/v1/columns/news/items?limit=1"

	detail := e.must(t, http.StatusOK, "GET", publicItemPath(it.ID), "", nil)
	listing := e.must(t, http.StatusOK, "GET", list, "", nil)
	faqDetail := e.must(t, http.StatusOK, "GET", publicItemPath(faq), "", nil)
	d := e.storedDocs(t, it.ID)
	if d.Doc != string(detail.Body) || d.DocMAC == "" || d.EntryMAC == "" || !bytes.Contains(listing.Body, []byte(d.Entry)) {
		t.Fatalf("stored %+v\nserved %s\nlisting %s", d, detail.Body, listing.Body)
	}
	if string(e.storedDocs(t, faq).Doc) != string(faqDetail.Body) {
		t.Errorf("the FAQ's stored document is not what was served")
	}
	same := func(when string) {
		t.Helper()
		for _, r := range []struct {
			path string
			want *response
		}{{publicItemPath(it.ID), detail}, {list, listing}, {publicItemPath(faq), faqDetail}} {
			got := e.must(t, http.StatusOK, "GET", r.path, "", nil)
			if !bytes.Equal(got.Body, r.want.Body) || got.Header.Get("ETag") != r.want.Header.Get("ETag") {
				t.Errorf("%s: GET %s served\n%s (%s)\nwant\n%s (%s)", when, r.path, got.Body, got.Header.Get("ETag"),
					r.want.Body, r.want.Header.Get("ETag"))
			}
		}
	}

	// Rows from before documents were stored answer the same, and the
	// backfill stores them, but not from a revision changed in the database.
	e.exec(t, "DELETE FROM public_docs")
	e.exec(t, "DELETE FROM public_entries")
	e.exec(t, "UPDATE public_items SET docs_revision_id = 0")
	same("without stored documents")
	e.exec(t, "UPDATE revisions SET title = '假标题' WHERE item_id = ?", faq)
	if n, err := e.svc.Workflow.BackfillDocuments(context.Background()); err != nil || n != 1 {
		t.Fatalf("backfill over a changed revision = %d, %v; want 1", n, err)
	}
	if got := e.storedDocs(t, faq); got.Doc != "" {
		t.Errorf("documents stored from a changed revision: %+v", got)
	}
	e.exec(t, "UPDATE revisions SET title = '提前还款需要什么材料？' WHERE item_id = ?", faq)
	if n, err := e.svc.Workflow.BackfillDocuments(context.Background()); err != nil || n != 1 {
		t.Fatalf("backfill = %d, %v; want 1", n, err)
	}
	if got := e.storedDocs(t, it.ID); got != d {
		t.Errorf("backfilled %+v, want %+v", got, d)
	}

	// Edited documents and entries, or another item's, are not served.
	for _, edit := range []string{
		"UPDATE public_docs SET doc = REPLACE(doc, '附件', '假附件') WHERE item_id = ?",
		"UPDATE public_entries SET entry = REPLACE(entry, '提取', '假提取') WHERE item_id = ?",
		"UPDATE public_docs SET doc = (SELECT doc FROM public_docs WHERE item_id = ?), doc_mac = (SELECT doc_mac FROM public_docs WHERE item_id = ?) WHERE item_id = ?",
	} {
		if bytes.Count([]byte(edit), []byte("?")) == 3 {
			e.exec(t, edit, faq, faq, it.ID)
		} else {
			e.exec(t, edit, it.ID)
		}
		same("after " + edit)
		if _, err := e.svc.Patrol.RunScheduled(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := e.storedDocs(t, it.ID); got != d {
			t.Errorf("after the patrol: %+v, want %+v", got, d)
		}
	}
	if n := e.auditCount(t, cms.AuditTamperDetected); n != 0 {
		t.Errorf("%d incidents recorded; the rows and revisions were intact", n)
	}
}

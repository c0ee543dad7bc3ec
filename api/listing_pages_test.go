package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// storedPage waits for the first listing page of column to be stored at
// the column's current version and returns it.
func (e *env) storedPage(t *testing.T, column string) *cms.ListingPage {
	t.Helper()
	e.app.Services.Content.Wait() // a save under way
	var p *cms.ListingPage
	waitFor(t, "the page of "+column+" to be stored", func() bool {
		var err error
		p, err = e.db.ListingPage(context.Background(), column)
		return err == nil
	})
	return p
}

// noStoredPage fails if column has a first page stored at its current version.
func (e *env) noStoredPage(t *testing.T, column, when string) {
	t.Helper()
	e.app.Services.Content.Wait()
	if _, err := e.db.ListingPage(context.Background(), column); cms.ErrorCode(err) != cms.ENOTFOUND {
		t.Errorf("%s: a page of %s is served as current (%v)", when, column, err)
	}
}

// TestListingFirstPageIsStored: with the response cache off, a column's
// first listing page is stored as it was answered, and the next miss
// serves those bytes; a publication in the column, a suspension and a
// change of structure retire it at once (in their own transaction), a
// publication in another column does not; a stored page that does not
// match its MAC is never served, and is replaced.
func TestListingFirstPageIsStored(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(cfg *app.Config) { cfg.HTTP.CacheEntries = -1 })
	c := newChain(t, e)
	first := e.publishNews(t, c, "缴存基数调整通知", "正文一")
	e.publishNews(t, c, "提取业务办理指南", "正文二")
	const list = "/content/v1/columns/news/items"
	answer := e.plainGet(t, list, nil)
	if answer.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", list, answer.Status, answer.Body)
	}
	p := e.storedPage(t, "news")
	if !bytes.Equal(p.Doc, answer.Body) {
		t.Fatalf("stored page differs from the answer:\n%s\n%s", p.Doc, answer.Body)
	}
	// Pages other than the first, and other limits, are not what is stored.
	for _, q := range []string{"?limit=1", "?limit=20"} {
		if r := e.plainGet(t, list+q, nil); r.Status != http.StatusOK {
			t.Fatalf("GET %s%s: %d", list, q, r.Status)
		}
	}
	if r := e.plainGet(t, list+"?limit=20", nil); !bytes.Equal(r.Body, answer.Body) || r.Header.Get("ETag") != answer.Header.Get("ETag") {
		t.Errorf("limit=20 answers otherwise than the first page: %s", r.Body)
	}

	// Served from the page: the entries beneath it may be gone.
	e.exec(t, "UPDATE public_entries SET entry = '{}' WHERE item_id = "+strconv.FormatInt(first, 10))
	if r := e.plainGet(t, list, nil); !bytes.Equal(r.Body, answer.Body) || r.Header.Get("ETag") != answer.Header.Get("ETag") {
		t.Errorf("second miss: %d %s (ETag %s, want %s)", r.Status, r.Body, r.Header.Get("ETag"), answer.Header.Get("ETag"))
	}

	// A page changed in the database is not served; the entries are read,
	// checked and encoded afresh, and the page stored again.
	e.exec(t, "UPDATE public_pages SET doc = replace(doc, '缴存基数调整通知', '假冒通知')")
	if r := e.plainGet(t, list, nil); !bytes.Equal(r.Body, answer.Body) {
		t.Errorf("tampered page: %s", r.Body)
	}
	if p := e.storedPage(t, "news"); !bytes.Equal(p.Doc, answer.Body) {
		t.Errorf("page stored after the tampered one: %s", p.Doc)
	}

	// A publication in another column leaves the page current.
	_, rev := e.completeGuide(t, c.editor)
	e.toState(t, c, rev, "published")
	if p := e.storedPage(t, "news"); !bytes.Equal(p.Doc, answer.Body) {
		t.Errorf("after a guide's publication: %s", p.Doc)
	}

	// A publication in the column retires it; the next answer shows the item.
	third := e.publishNews(t, c, "贷款利率下调公告", "正文三")
	e.noStoredPage(t, "news", "after a publication in the column")
	r := e.plainGet(t, list, nil)
	if !bytes.Contains(r.Body, []byte("贷款利率下调公告")) {
		t.Fatalf("after the publication: %s", r.Body)
	}
	if p := e.storedPage(t, "news"); !bytes.Equal(p.Doc, r.Body) {
		t.Errorf("page after the publication: %s", p.Doc)
	}

	// So does a suspension.
	var it struct {
		LiveRevisionID int64 `json:"live_revision_id"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(third), c.editor, nil).decode(t, &it)
	e.fire(t, http.StatusOK, c.publisher, it.LiveRevisionID, "suspend", "应急处置")
	e.noStoredPage(t, "news", "after a suspension")
	if r := e.plainGet(t, list, nil); bytes.Contains(r.Body, []byte("贷款利率下调公告")) {
		t.Fatalf("after the suspension: %s", r.Body)
	}
	e.storedPage(t, "news")

	// And a change of structure.
	e.must(t, http.StatusOK, "PUT", "/api/v1/channels/wechat/maintenance", c.publisher, map[string]any{"notice": ""})
	e.noStoredPage(t, "news", "after a change of structure")
}

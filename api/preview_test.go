package api_test

import (
	"net/http"
	"strconv"
	"testing"
)

// previewLink mints a preview link of a revision and returns its URL.
func (e *env) previewLink(t *testing.T, token string, revID int64) string {
	t.Helper()
	var link struct {
		URL string `json:"url"`
	}
	e.must(t, http.StatusCreated, "POST", revisionPath(revID)+"/preview", token, nil).decode(t, &link)
	return link.URL
}

// TestPreviewLinksAreRevocable: a preview link stops working when its
// revision is suspended or withdrawn (410), and the revision's authors
// and reviewers can revoke every link to it at once.
func TestPreviewLinksAreRevocable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "预览稿", "body": "草稿"}).decode(t, &it)
	rev := it.Revision.ID

	first := e.previewLink(t, c.editor, rev)
	second := e.previewLink(t, c.head, rev)
	e.must(t, http.StatusOK, "GET", first, "", nil)
	e.must(t, http.StatusForbidden, "DELETE", revisionPath(rev)+"/preview", c.editor2, nil)
	e.must(t, http.StatusNoContent, "DELETE", revisionPath(rev)+"/preview", c.editor, nil)
	for _, link := range []string{first, second} {
		if p := e.must(t, http.StatusGone, "GET", link, "", nil).problem(t); p.Code != "gone" {
			t.Errorf("revoked link: %+v", p)
		}
	}
	fresh := e.previewLink(t, c.editor, rev)
	e.must(t, http.StatusOK, "GET", fresh, "", nil)
	if n := e.auditCountAbout(t, "preview_revoked", "revision:"+strconv.FormatInt(rev, 10)); n != 1 {
		t.Errorf("%d preview_revoked entries", n)
	}

	// Withdrawn: the submitter pulls the revision back to draft.
	e.fire(t, http.StatusOK, c.editor, rev, "submit", "")
	inReview := e.previewLink(t, c.head, rev)
	e.fire(t, http.StatusOK, c.editor, rev, "withdraw", "")
	e.must(t, http.StatusGone, "GET", inReview, "", nil)

	// Suspended: a link minted while it was live no longer serves it.
	e.toState(t, c, rev, "published")
	live := e.previewLink(t, c.publisher, rev)
	e.must(t, http.StatusOK, "GET", live, "", nil)
	e.fire(t, http.StatusOK, c.publisher, rev, "suspend", "应急下线")
	e.must(t, http.StatusGone, "GET", live, "", nil)
	e.must(t, http.StatusConflict, "POST", revisionPath(rev)+"/preview", c.publisher, nil)
}

// TestPreviewLinksNeedAuthorOrReviewer: only the revision's authors and
// those in its review chain may mint a link; auditors, who read every
// revision, and editors of the department who did not write it may not.
func TestPreviewLinksNeedAuthorOrReviewer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "预览稿", "body": "草稿"}).decode(t, &it)
	path := revisionPath(it.Revision.ID) + "/preview"
	e.must(t, http.StatusOK, "GET", revisionPath(it.Revision.ID), auditor, nil) // auditors read it
	for name, tok := range map[string]string{"auditor": auditor, "another editor": c.editor2, "admin": e.admin} {
		if r := e.call(t, "POST", path, tok, nil); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("%s minted a link: %d %s", name, r.Status, r.Body)
		}
	}
	e.must(t, http.StatusForbidden, "DELETE", path, auditor, nil)
	for name, tok := range map[string]string{"author": c.editor, "department head": c.head, "leader": c.leader,
		"director": c.director, "secrecy reviewer": c.secrecy, "publisher": c.publisher} {
		if r := e.call(t, "POST", path, tok, nil); r.Status != http.StatusCreated {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func guideBody(column string) map[string]any {
	return map[string]any{
		"column": column,
		"title":  "住房公积金缴存登记",
		"body":   "单位为职工办理**缴存登记**。",
		"fields": map[string]any{
			"conditions": []string{"新设立的单位"},
			"materials":  []map[string]any{{"name": "营业执照", "form": "copy", "copies": 1}},
			"time_limit": "即时办结",
		},
	}
}

// TestEditorWalkthrough is the acceptance path of the README: admin creates
// an editor of 归集科, who drafts a guide in a column 归集科 owns, is refused
// in one it does not, and edits the draft with optimistic concurrency.
func TestEditorWalkthrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, editor := e.user(t, "zhang.wei", "collection", role{"editor", "collection"})

	r := e.must(t, http.StatusCreated, "POST", "/api/v1/items", editor, guideBody("guides-deposit"))
	var it createdItem
	r.decode(t, &it)
	if it.Column != "guides-deposit" || it.Department != "collection" || it.State != "draft" ||
		it.Revision.State != "draft" || it.Revision.Version != 1 {
		t.Fatalf("created %+v", it)
	}
	if loc := r.Header.Get("Location"); loc != itemPath(it.ID) {
		t.Errorf("Location = %q", loc)
	}
	if copies := it.Revision.Fields["materials"].([]any)[0].(map[string]any)["copies"]; copies != float64(1) {
		t.Errorf("materials[0].copies = %v", copies)
	}

	p := e.must(t, http.StatusForbidden, "POST", "/api/v1/items", editor, guideBody("guides-loan")).problem(t)
	if p.Code != "forbidden" {
		t.Errorf("code = %q", p.Code)
	}

	// The draft is incomplete: the revision says what submit will need.
	r = e.must(t, http.StatusOK, "GET", revisionPath(it.Revision.ID), editor, nil)
	if etag := r.Header.Get("ETag"); etag != `"1"` {
		t.Fatalf("ETag = %q", etag)
	}
	var rev struct {
		Version        int               `json:"version"`
		BodyHTML       string            `json:"body_html"`
		SubmitProblems []json2FieldError `json:"submit_problems"`
		Fields         map[string]any    `json:"fields"`
	}
	r.decode(t, &rev)
	if !strings.Contains(rev.BodyHTML, "<strong>缴存登记</strong>") {
		t.Errorf("body_html = %q", rev.BodyHTML)
	}
	if got := fieldNames(rev.SubmitProblems); got != "fields.steps,fields.place" {
		t.Errorf("submit_problems = %s", got)
	}

	patch := map[string]any{"fields": map[string]any{
		"steps": []map[string]any{{"title": "提交材料"}, {"title": "审核", "description": "当场审核"}},
		"place": "市政务服务中心公积金窗口"}}
	r = e.send(t, request{method: "PATCH", path: revisionPath(it.Revision.ID), token: editor, body: patch,
		header: map[string]string{"If-Match": `"1"`}})
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	r.decode(t, &rev)
	if rev.Version != 2 || len(rev.SubmitProblems) != 0 || rev.Fields["time_limit"] != "即时办结" {
		t.Fatalf("after PATCH: %+v", rev)
	}
	if r.Header.Get("ETag") != `"2"` {
		t.Errorf("ETag after PATCH = %q", r.Header.Get("ETag"))
	}

	// A stale If-Match loses; a missing one is refused.
	r = e.send(t, request{method: "PATCH", path: revisionPath(it.Revision.ID), token: editor,
		body: map[string]any{"title": "旧版本覆盖"}, header: map[string]string{"If-Match": `"1"`}})
	if r.Status != http.StatusPreconditionFailed || r.problem(t).Code != "precondition_failed" {
		t.Fatalf("stale PATCH: %d %s", r.Status, r.Body)
	}
	r = e.send(t, request{method: "PATCH", path: revisionPath(it.Revision.ID), token: editor, body: map[string]any{"title": "x"}})
	if r.Status != http.StatusPreconditionRequired {
		t.Fatalf("PATCH without If-Match: %d %s", r.Status, r.Body)
	}

	r = e.must(t, http.StatusOK, "GET", itemPath(it.ID), editor, nil)
	var detail struct {
		Title            string `json:"title"`
		LiveRevision     any    `json:"live_revision"`
		InflightRevision struct {
			Version int    `json:"version"`
			Title   string `json:"title"`
		} `json:"inflight_revision"`
		Revisions []struct{ Number int } `json:"revisions"`
	}
	r.decode(t, &detail)
	if detail.LiveRevision != nil || detail.InflightRevision.Version != 2 || len(detail.Revisions) != 1 ||
		detail.Title != "住房公积金缴存登记" {
		t.Errorf("item detail = %s", r.Body)
	}
}

type json2FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func fieldNames(fe []json2FieldError) string {
	var s []string
	for _, f := range fe {
		s = append(s, f.Field)
	}
	return strings.Join(s, ",")
}

// TestOwnershipOfEveryColumn lets an editor of every department try to
// create an item in every column of the annexes: owners get 201, others
// 403, and columns whose content is not authored here (function, app) 422.
func TestOwnershipOfEveryColumn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var cols struct {
		Columns []struct {
			Slug        string   `json:"slug"`
			Kind        string   `json:"kind"`
			ContentType *string  `json:"content_type"`
			Owners      []string `json:"owners"`
		} `json:"columns"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/columns", e.admin, nil).decode(t, &cols)
	if len(cols.Columns) != 25 {
		t.Fatalf("%d columns", len(cols.Columns))
	}
	depts := []string{"office", "collection", "finance", "licensing", "information", "branches", "zongyang"}
	tokens := map[string]string{}
	for _, d := range depts {
		_, tokens[d] = e.user(t, "editor-"+d, d, role{"editor", d})
	}
	// The annexes' ownership, spelled out, so that a seed or policy bug cannot hide behind itself.
	annex := map[string]string{
		"guides-deposit": "collection branches zongyang", "guides-loan": "licensing zongyang",
		"guides-repayment": "finance zongyang", "guides-withdrawal": "licensing zongyang",
		"policies-loan": "office licensing branches zongyang", "policies-deposit": "office collection branches zongyang",
		"policies-withdrawal": "office licensing branches zongyang",
		"policies-general":    "office collection finance licensing information branches zongyang",
		"outlets-deposit":     "collection branches zongyang", "outlets-withdrawal": "licensing zongyang",
		"outlets-repayment": "finance zongyang", "outlets-loan": "licensing zongyang",
		"loan-calculator": "information", "faq-withdrawal": "licensing zongyang", "faq-loan": "licensing zongyang",
		"faq-repayment": "finance zongyang", "news": "office collection finance licensing information branches zongyang",
		"check-update": "information",
	}
	allowed, denied, refused := 0, 0, 0
	for _, col := range cols.Columns {
		for _, d := range depts {
			owners, authored := annex[col.Slug]
			body := map[string]any{"column": col.Slug, "title": "测试 " + col.Slug}
			r := e.call(t, "POST", "/api/v1/items", tokens[d], body)
			want := http.StatusForbidden
			switch {
			case !authored:
				want = http.StatusUnprocessableEntity
			case strings.Contains(" "+owners+" ", " "+d+" "):
				want = http.StatusCreated
			}
			if r.Status != want {
				t.Errorf("editor of %s in %s (%s): %d, want %d: %s", d, col.Slug, col.Kind, r.Status, want, r.Body)
			}
			switch want {
			case http.StatusCreated:
				allowed++
			case http.StatusForbidden:
				denied++
			default:
				refused++
				if !r.problem(t).hasField("column") {
					t.Errorf("%s: 422 without a column error: %s", col.Slug, r.Body)
				}
			}
		}
	}
	if allowed == 0 || denied == 0 || refused != 7*7 {
		t.Errorf("allowed %d, denied %d, refused %d", allowed, denied, refused)
	}
	t.Logf("ownership matrix: %d allowed, %d denied, %d non-content", allowed, denied, refused)
}

// TestAdminDoesNotAuthor: managing users gives no authoring right.
func TestAdminDoesNotAuthor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.call(t, "POST", "/api/v1/items", e.admin, map[string]any{"column": "news", "title": "公告"})
	if r.Status != http.StatusForbidden {
		t.Fatalf("admin creating an item: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "GET", "/api/v1/items", e.admin, nil)
	var list struct{ Items []any }
	r.decode(t, &list)
	if r.Status != http.StatusOK || len(list.Items) != 0 {
		t.Fatalf("admin listing items: %d %s", r.Status, r.Body)
	}
}

// TestItemVisibility: editors read their department's items only; a
// centre-wide reviewer reads all.
func TestItemVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, collection := e.user(t, "ed-c", "collection", role{"editor", "collection"})
	_, finance := e.user(t, "ed-f", "finance", role{"editor", "finance"})
	_, director := e.user(t, "director", "office", role{"director", "office"})

	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", collection, guideBody("guides-deposit")).decode(t, &it)
	e.must(t, http.StatusForbidden, "GET", itemPath(it.ID), finance, nil)
	e.must(t, http.StatusForbidden, "GET", revisionPath(it.Revision.ID), finance, nil)
	e.must(t, http.StatusOK, "GET", itemPath(it.ID), director, nil)
	e.must(t, http.StatusNotFound, "GET", itemPath(it.ID+1000), collection, nil)
	e.must(t, http.StatusNotFound, "GET", revisionPath(it.Revision.ID+1000), collection, nil)

	var list struct{ Items []struct{ ID int64 } }
	e.must(t, http.StatusOK, "GET", "/api/v1/items", finance, nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("finance sees %d items of collection", len(list.Items))
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/items", director, nil).decode(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("director sees %d items", len(list.Items))
	}
	// Another department's editor may not edit the draft either.
	r := e.send(t, request{method: "PATCH", path: revisionPath(it.Revision.ID), token: finance,
		body: map[string]any{"title": "改"}, header: map[string]string{"If-Match": `"1"`}})
	if r.Status != http.StatusForbidden {
		t.Errorf("foreign PATCH: %d %s", r.Status, r.Body)
	}
	// No revision of a draft-only item: nothing is live to change.
	r = e.call(t, "POST", itemPath(it.ID)+"/revisions", collection, map[string]any{"action": "unpublish"})
	if r.Status != http.StatusConflict {
		t.Errorf("new revision of an item in flight: %d %s", r.Status, r.Body)
	}
}

// TestListPaginationAndFilters pages through items with keyset cursors.
func TestListPaginationAndFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ed := e.user(t, "ed", "licensing", role{"editor", "licensing"})
	for i := range 25 {
		col := "faq-loan"
		if i%5 == 0 {
			col = "news"
		}
		e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, map[string]any{"column": col, "title": fmt.Sprintf("问题 %02d 提取%%_", i)})
	}
	seen := map[int64]bool{}
	cursor, pages := "", 0
	var last int64 = 1 << 62
	for {
		path := "/api/v1/items?limit=10"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page struct {
			Items      []struct{ ID int64 }
			NextCursor *string `json:"next_cursor"`
		}
		e.must(t, http.StatusOK, "GET", path, ed, nil).decode(t, &page)
		pages++
		for _, it := range page.Items {
			if seen[it.ID] || it.ID >= last {
				t.Fatalf("item %d repeated or out of order", it.ID)
			}
			seen[it.ID], last = true, it.ID
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(seen) != 25 || pages != 3 {
		t.Errorf("saw %d items in %d pages", len(seen), pages)
	}
	var page struct{ Items []struct{ Column string } }
	e.must(t, http.StatusOK, "GET", "/api/v1/items?column=news", ed, nil).decode(t, &page)
	if len(page.Items) != 5 {
		t.Errorf("column=news: %d items", len(page.Items))
	}
	// q matches literally: % and _ are not wildcards.
	e.must(t, http.StatusOK, "GET", "/api/v1/items?q=07%20%E6%8F%90%E5%8F%96%25_", ed, nil).decode(t, &page)
	if len(page.Items) != 1 {
		t.Errorf("q search: %d items", len(page.Items))
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/items?state=dept_review", ed, nil).decode(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("state=dept_review: %d items", len(page.Items))
	}
	for _, bad := range []string{"limit=0", "limit=101", "limit=x", "cursor=bm9wZQ", "state=nonsense"} {
		r := e.send(t, request{method: "GET", path: "/api/v1/items?" + bad, token: ed, raw: true})
		if r.Status != http.StatusUnprocessableEntity || r.problem(t).Code != "validation_failed" {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

// TestItemsByLiveState: the release desk lists items by the state of their
// live revision, whatever change is on its way.
func TestItemsByLiveState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishNews(t, c, "缴存通知", "正文")
	other := e.publishNews(t, c, "提取须知", "正文")
	e.must(t, http.StatusCreated, "POST", itemPath(id)+"/revisions", c.editor, map[string]any{"action": "publish", "title": "缴存通知（修订）"})
	list := func(query string) []int64 {
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		e.must(t, http.StatusOK, "GET", "/api/v1/items?"+query, c.publisher, nil).decode(t, &page)
		var ids []int64
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := list("live=published"); len(got) != 2 || got[0] != other || got[1] != id {
		t.Fatalf("live=published: %v", got)
	}
	if got := list("state=published"); len(got) != 1 || got[0] != other {
		t.Fatalf("state=published: %v (the head of %d is a draft)", got, id)
	}
	var it struct {
		LiveRevisionID int64 `json:"live_revision_id"`
	}
	e.must(t, http.StatusOK, "GET", itemPath(other), c.publisher, nil).decode(t, &it)
	e.fire(t, http.StatusOK, c.publisher, it.LiveRevisionID, "suspend", "核查中")
	if got := list("live=suspended"); len(got) != 1 || got[0] != other {
		t.Fatalf("live=suspended: %v", got)
	}
	e.must(t, http.StatusUnprocessableEntity, "GET", "/api/v1/items?live=draft", c.publisher, nil)
}

// TestRenderBody: staff render a body being written exactly as clients
// will see it, sanitised; nobody else.
func TestRenderBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	var out struct {
		BodyHTML string `json:"body_html"`
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/render", c.editor, map[string]string{
		"body": "单位办理**缴存登记**。<script>alert(1)</script>"}).decode(t, &out)
	if !strings.Contains(out.BodyHTML, "<strong>缴存登记</strong>") || strings.Contains(out.BodyHTML, "<script") {
		t.Fatalf("rendered: %q", out.BodyHTML)
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/render", c.leader, map[string]string{"body": "<p onclick=x>段落</p>", "body_format": "html"}).decode(t, &out)
	if out.BodyHTML != "<p>段落</p>" {
		t.Fatalf("html: %q", out.BodyHTML)
	}
	e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/render", c.editor, map[string]string{"body": "x", "body_format": "word"})
	e.must(t, http.StatusUnauthorized, "POST", "/api/v1/render", "", map[string]string{"body": "x"})
}

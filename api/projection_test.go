package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// publishFAQ walks a question of 计划财务科 (finance) through the chain,
// answered in Markdown, and returns its item id.
func (e *env) publishFAQ(t *testing.T, c chainUsers, question, answer string) int64 {
	t.Helper()
	_, ed := e.user(t, "ed-fin", "finance", role{"editor", "finance"})
	_, head := e.user(t, "head-fin", "finance", role{"dept_head", "finance"})
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", ed, map[string]any{"column": "faq-repayment", "title": question,
		"body": "另见**还款须知**。", "fields": map[string]any{"question": question, "answer": answer}}).decode(t, &it)
	for _, s := range []struct{ tok, ev string }{{ed, "submit"}, {head, "approve"}, {c.leader, "sign"}, {c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
		e.fire(t, http.StatusOK, s.tok, it.Revision.ID, s.ev, "")
	}
	return it.ID
}

// projection is the rendered part of an item's projection row.
type projection struct {
	BodyHTML           string `bun:"body_html"`
	Fields             string `bun:"fields"`
	RevisionID         int64  `bun:"revision_id"`
	RenderedRevisionID int64  `bun:"rendered_revision_id"`
}

func (e *env) projection(t *testing.T, itemID int64) projection {
	t.Helper()
	var p projection
	if err := e.db.Bun().NewSelect().TableExpr("public_items").Column("body_html", "fields", "revision_id", "rendered_revision_id").
		Where("item_id = ?", itemID).Scan(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// exec runs SQL on the test database, for what no endpoint can do.
func (e *env) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := e.db.Bun().ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
	e.svc.Bus.Publish(cms.Notice{}) // as a change another process announced
}

// TestProjectionRenderedAtPublication: the body and the text fields are
// rendered once, when the revision goes live, and served from the
// projection; rows projected before that are rebuilt by the backfill,
// which never renders tampered content.
func TestProjectionRenderedAtPublication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	id := e.publishFAQ(t, c, "提前还款需要什么材料？", "携带**身份证**办理。\n\n<script>alert(1)</script>")
	served := e.must(t, http.StatusOK, "GET", publicItemPath(id), "", nil).Body
	var it publicItem
	if err := json.Unmarshal(served, &it); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(it.BodyHTML, "<strong>还款须知</strong>") || it.Fields["answer"] != "<p>携带<strong>身份证</strong>办理。</p>\n" ||
		it.Fields["question"] != "提前还款需要什么材料？" {
		t.Fatalf("served %s", served)
	}
	p := e.projection(t, id)
	if p.RenderedRevisionID != p.RevisionID || p.BodyHTML != it.BodyHTML || !strings.Contains(p.Fields, "身份证") {
		t.Fatalf("projection %+v", p)
	}

	// A row from before rows were sealed (no MAC; older still, no HTML) is
	// rebuilt by the backfill at start from its live revision, the same
	// bytes; never from tampered content, and a sealed row is never rewritten.
	unseal := "UPDATE public_items SET body_html = '', fields = '{}', rendered_revision_id = 0, mac = '' WHERE item_id = ?"
	e.exec(t, "UPDATE revisions SET body = 'changed behind our back' WHERE id = ?", p.RevisionID)
	e.exec(t, unseal, id)
	if n, err := e.svc.Workflow.BackfillProjection(context.Background()); err != nil || n != 0 {
		t.Errorf("backfill over tampered content = %d, %v; want 0", n, err)
	}
	if p := e.projection(t, id); p.RenderedRevisionID != 0 {
		t.Errorf("tampered content rendered into the projection: %+v", p)
	}
	e.exec(t, "UPDATE revisions SET body = '另见**还款须知**。' WHERE id = ?", p.RevisionID)
	if n, err := e.svc.Workflow.BackfillProjection(context.Background()); err != nil || n != 1 {
		t.Fatalf("backfill = %d, %v; want 1", n, err)
	}
	if got := e.projection(t, id); got != p {
		t.Errorf("backfilled projection %+v, want %+v", got, p)
	}
	if got := e.must(t, http.StatusOK, "GET", publicItemPath(id), "", nil).Body; !bytes.Equal(got, served) {
		t.Errorf("served after the backfill:\n%s\nwant\n%s", got, served)
	}
	if n, err := e.svc.Workflow.BackfillProjection(context.Background()); err != nil || n != 0 {
		t.Errorf("second backfill = %d, %v; want 0", n, err)
	}
}

// TestBackfillRendersEveryRow: every row projected before rendering and
// sealing moved to publication gets its HTML and its MAC.
func TestBackfillRendersEveryRow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newChain(t, e)
	const n = 3
	for i := range n {
		e.publishNews(t, c, "分页回填 "+string(rune('A'+i)), "第 **"+string(rune('1'+i))+"** 条")
	}
	e.exec(t, "UPDATE public_items SET body_html = '', fields = '{}', rendered_revision_id = 0, mac = ''")
	got, err := e.svc.Workflow.BackfillProjection(context.Background())
	if err != nil || got != n {
		t.Fatalf("backfill = %d, %v; want %d", got, err, n)
	}
	var left int
	if err := e.db.Bun().NewSelect().TableExpr("public_items").ColumnExpr("COUNT(*)").
		Where("rendered_revision_id <> revision_id OR body_html NOT LIKE '<p>%'").Scan(context.Background(), &left); err != nil || left != 0 {
		t.Errorf("%d rows left unrendered (%v)", left, err)
	}
}

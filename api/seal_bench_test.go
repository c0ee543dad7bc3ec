package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// BenchmarkCacheMissChecks measures what the MAC checks add to a cache
// miss: the content service's read of an item's detail and of a listing
// page (the store's reads and the checks), against the same store reads
// alone, and a miss over HTTP with the response cache off.
func BenchmarkCacheMissChecks(b *testing.B) {
	e := newEnvWith(b, func(c *app.Config) { c.HTTP.CacheEntries = -1 })
	c := newChain(b, e)
	body := strings.Repeat("单位为职工办理住房公积金缴存登记，需携带营业执照复印件。", 40) // ≈ 3 KB
	var id int64
	for i := range 20 {
		var it createdItem
		e.must(b, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news",
			"title": "缴存通知 " + string(rune('甲'+i)), "body": body}).decode(b, &it)
		for _, s := range []struct{ tok, ev string }{{c.editor, "submit"}, {c.head, "approve"}, {c.leader, "sign"},
			{c.director, "sign"}, {c.secrecy, "clear"}, {c.publisher, "publish"}} {
			e.must(b, http.StatusOK, "POST", revisionPath(it.Revision.ID)+"/transitions", s.tok, map[string]string{"event": s.ev})
		}
		id = it.ID
	}
	ctx := context.Background()
	svc, db := e.svc.Content, e.db
	for _, bc := range []struct {
		name string
		fn   func() error
	}{
		{"detail/reads only", func() error {
			p, err := db.PublicItem(ctx, id)
			if err == nil {
				_, err = db.Revision(ctx, p.RevisionID)
			}
			return err
		}},
		{"detail/reads and checks", func() error { _, _, err := svc.Item(ctx, id); return err }},
		{"listing/reads only", func() error {
			if _, err := db.Column(ctx, "news"); err != nil {
				return err
			}
			_, err := db.PublicItems(ctx, cms.PublicFilter{Columns: []string{"news"}, Limit: 21})
			return err
		}},
		{"listing/reads and checks", func() error { _, _, err := svc.List(ctx, "news", "", 20); return err }},
		{"detail/http miss", func() error {
			res, err := testClient.Get(e.srv.URL + publicItemPath(id))
			if err == nil {
				res.Body.Close()
			}
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestDatabaseGoneSaysSo: with the database gone, the console's pages
// and forms answer 503 with Retry-After and say in Chinese that the
// database cannot be reached and nothing was saved, not "系统出错了"; the
// login form too.
func TestDatabaseGoneSaysSo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.staff(t, "zhang", "张伟", "collection", bind(cms.RoleEditor, "collection"))
	b := e.browser(t)
	b.login("zhang", staffPassword)
	b.get("/console/").must(t, http.StatusOK)
	if err := e.app.DB.Close(); err != nil {
		t.Fatal(err)
	}
	p := b.get("/console/")
	p.must(t, http.StatusServiceUnavailable).has(t, "数据库暂时无法连接").lacks(t, "系统出错了")
	if p.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	other := e.browser(t)
	other.get("/console/login")
	other.post("/console/login", url.Values{"username": {"zhang"}, "password": {staffPassword}}).
		must(t, http.StatusServiceUnavailable).has(t, "数据库暂时无法连接")
}

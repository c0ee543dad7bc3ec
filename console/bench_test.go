package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// The console's speed: pages render server-side in a few milliseconds and
// weigh little. Each benchmark reports the median server time of a page
// (p50-ms, the handler alone, no network), the median CPU time the handler
// used (cpu-p50-ms: the same on a quiet machine, and unchanged on a busy
// one, where the wall time also counts the waits for a core) and the
// weight of the page with the assets it links (page+assets-KB).

// BenchmarkQueuePage renders 待办 for a leader with 1,000 revisions waiting
// for his signature, a page of 50 at a time.
func BenchmarkQueuePage(b *testing.B) {
	e := newEnv(b)
	c := e.chain(b)
	ctx := context.Background()
	ed, head := e.as(b, c.editor), e.as(b, c.head)
	for i := range 1000 {
		title := "住房公积金缴存登记第" + strconv.Itoa(i) + "号"
		body := "单位为职工办理**缴存登记**。"
		_, rev, err := e.svc.Items.Create(ctx, ed, cms.NewItem{Column: "guides-deposit",
			Content: cms.Content{Title: &title, Body: &body, Fields: guideFields()}})
		if err != nil {
			b.Fatal(err)
		}
		for _, step := range []struct {
			p  *cms.Principal
			ev cms.Event
		}{{ed, cms.EventSubmit}, {head, cms.EventApprove}} {
			if _, _, err := e.svc.Workflow.Fire(ctx, step.p, rev.ID, step.ev, "", 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	leader := e.browser(b)
	leader.login(c.leader.Username, staffPassword)
	page := leader.get("/console/queue").must(b, http.StatusOK).has(b, "下一页", "住房公积金缴存登记第0号")
	if n := strings.Count(page.Body, `class="title-cell"`); n != 50 {
		b.Fatalf("the first page lists %d revisions, want 50", n)
	}
	b.Run("page", func(b *testing.B) { measurePage(b, e, leader, "/console/queue") })
}

// BenchmarkRevisionPage renders a revision with a 20 KB Markdown body
// whose every paragraph changed against the live version.
func BenchmarkRevisionPage(b *testing.B) {
	e := newEnv(b)
	c := e.chain(b)
	ctx := context.Background()
	it, rev := e.guide(b, c.editor, "住房公积金缴存登记")
	for _, step := range []struct {
		u  *cms.User
		ev cms.Event
	}{{c.editor, cms.EventSubmit}, {c.head, cms.EventApprove}, {c.leader, cms.EventSign}, {c.director, cms.EventSign},
		{c.secrecy, cms.EventClear}, {c.publisher, cms.EventPublish}} {
		e.fire(b, step.u, rev.ID, step.ev, "")
	}
	body := longBody("原", 20<<10)
	next, _, err := e.svc.Items.NewRevision(ctx, e.as(b, c.editor), it.ID, cms.ActionPublish, cms.Content{Body: &body})
	if err != nil {
		b.Fatal(err)
	}
	ed := e.browser(b)
	ed.login(c.editor.Username, staffPassword)
	path := revPath(next.ID)
	ed.get(path).must(b, http.StatusOK).has(b, "修改对比", "与线上正在发布的第 1 版相比", "第 100 段")
	b.Run("page", func(b *testing.B) { measurePage(b, e, ed, path) })
}

// longBody is Markdown of about size bytes: numbered paragraphs.
func longBody(word string, size int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString("第 " + strconv.Itoa(i) + " 段：单位为职工办理**住房公积金缴存登记**，" + word + "材料齐全的当场办结。\n\n")
	}
	return sb.String()
}

var linkedAssets = regexp.MustCompile(`(?:href|src)="(/console/static/[^"]+)"`)

// measurePage times the console's handler alone on path for the signed-in
// browser b, and reports the median and the weight of the page with the
// assets it links.
func measurePage(b *testing.B, e *env, br *browser, path string) {
	h := e.app.Handler()
	ck := br.cookie("cms_console")
	times, cpu := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	var size, assets int
	runtime.LockOSThread() // the handler runs on this thread, whose CPU time threadCPU reads
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(ck)
		rec := httptest.NewRecorder()
		start, startCPU := time.Now(), threadCPU()
		h.ServeHTTP(rec, req)
		times, cpu = append(times, time.Since(start)), append(cpu, threadCPU()-startCPU)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		size = rec.Body.Len()
		if len(times) == 1 {
			for _, m := range linkedAssets.FindAllStringSubmatch(rec.Body.String(), -1) {
				assets += assetSize(b, e, m[1])
			}
		}
	}
	b.StopTimer()
	slices.Sort(times)
	slices.Sort(cpu)
	p50, cpu50 := times[len(times)/2], cpu[len(cpu)/2]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(cpu50.Microseconds())/1000, "cpu-p50-ms")
	b.ReportMetric(float64(size)/1024, "page-KB")
	size += assets
	b.ReportMetric(float64(size)/1024, "page+assets-KB")
	switch load := loadAverage(); {
	case cpu50 > 10*time.Millisecond, p50 > 10*time.Millisecond && load < float64(runtime.NumCPU()):
		b.Errorf("%s: p50 %v (CPU %v), want under 10 ms", path, p50, cpu50)
	case p50 > 10*time.Millisecond:
		b.Logf("%s: p50 %v on a machine with a load average of %.1f on %d cores; the handler's CPU time p50 %v",
			path, p50, load, runtime.NumCPU(), cpu50)
	}
	if size > 150<<10 {
		b.Errorf("%s with its assets weighs %d KB, want under 150 KB", path, size>>10)
	}
}

// loadAverage is the machine's load average over the last minute (0 when
// unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b) + " 0")[0], 64)
	return f
}

func assetSize(b *testing.B, e *env, path string) int {
	rec := httptest.NewRecorder()
	e.app.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	return rec.Body.Len()
}

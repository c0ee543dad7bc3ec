package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium through chromedp. Without a
// browser they skip, unless CMS_TEST_REQUIRE_BROWSER=1 (CI) makes that a
// failure. CMS_TEST_CHROMIUM names another browser binary.

// chromium starts one headless browser for a test and returns its context;
// each person then gets a browser context of their own (cookies apart).
func chromium(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("CMS_TEST_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("CMS_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("CMS_TEST_REQUIRE_BROWSER=1 but there is no browser at %s: apt-get install -y chromium fonts-wqy-zenhei", bin)
		}
		t.Skipf("no browser at %s (apt-get install -y chromium fonts-wqy-zenhei, or set CMS_TEST_CHROMIUM): skipping the browser test", bin)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser and ties it to this context,
	// which has no deadline; steps get their own timeouts below.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return ctx
}

// person is one member of staff at their own browser tab, with the
// viewport of their device.
type person struct {
	t      *testing.T
	e      *env
	ctx    context.Context
	name   string
	width  int64
	height int64

	mu       sync.Mutex
	troubles []string // what the page's console reported: exceptions, CSP refusals
}

// stepTimeout bounds one browser step; the 2-core CI machine is slow.
const stepTimeout = 30 * time.Second

// newPerson opens a tab in a fresh browser context (no shared cookies) at
// a viewport width: 390 for a phone, 1280 for a desk.
func (e *env) newPerson(t *testing.T, browserCtx context.Context, name string, width, height int64) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab for %s: %v", name, err)
	}
	p := &person{t: t, e: e, ctx: ctx, name: name, width: width, height: height}
	go p.watchConsole()
	p.do(chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1)))
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, s := range p.troubles {
			t.Errorf("%s's browser reported: %s", name, s)
		}
	})
	return p
}

// watchConsole records uncaught exceptions and refusals of the
// Content-Security-Policy: the console must need neither inline script nor
// inline style.
func (p *person) watchConsole() {
	for m, err := range chromedp.Console(p.ctx) {
		if err != nil {
			return
		}
		if m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") {
			p.mu.Lock()
			p.troubles = append(p.troubles, string(m.Type)+": "+m.Text)
			p.mu.Unlock()
		}
	}
}

// do runs steps with a timeout, failing the test on error.
func (p *person) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v (at %s)", p.name, err, p.location())
	}
}

// navigate runs steps that load a page (a link, a form) and returns the
// status of the document that loaded.
func (p *person) navigate(steps ...chromedp.Action[chromedp.Void]) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		p.t.Fatalf("%s: %v (at %s)", p.name, err, p.location())
	}
	return responseStatus(res)
}

func responseStatus(res *network.Response) int64 {
	if res == nil {
		return 0
	}
	return res.Status
}

// open loads a console page and fails unless it answers want.
func (p *person) open(path string, want int64) {
	p.t.Helper()
	if got := p.navigate(chromedp.Navigate(p.e.srv.URL + path)); got != want {
		p.t.Fatalf("%s: %s answered %d, want %d:\n%s", p.name, path, got, want, p.text("main"))
	}
}

// submit presses a button that posts a form and fails unless the page
// that follows answers want.
func (p *person) submit(button string, want int64) {
	p.t.Helper()
	if got := p.navigate(chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible)); got != want {
		p.t.Fatalf("%s: %s led to %d, want %d:\n%s", p.name, button, got, want, p.text("main"))
	}
}

// fill sets the value of a form control.
func (p *person) fill(sel, value string) {
	p.t.Helper()
	p.do(chromedp.SetValue(chromedp.CSS(sel), value, chromedp.NodeReady))
}

// text returns the visible text of the first element matching sel.
func (p *person) text(sel string) string {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// sees fails the test unless the page's main part shows every text.
func (p *person) sees(texts ...string) {
	p.t.Helper()
	main := p.text("main")
	for _, s := range texts {
		if !strings.Contains(main, s) {
			p.t.Fatalf("%s at %s does not see %q in:\n%s", p.name, p.location(), s, main)
		}
	}
}

func (p *person) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// login signs in through the form.
func (p *person) login(username, password string) {
	p.t.Helper()
	p.open("/console/login", http.StatusOK)
	p.fill("#username", username)
	p.fill("#password", password)
	p.submit(`form[action="/console/login"] button[type=submit]`, http.StatusOK)
}

// artifacts is where screenshots go: $CMS_TEST_ARTIFACTS, or
// console/testdata/artifacts (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("CMS_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot saves a full-page screenshot as NAME-WIDTH.png.
func (p *person) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(artifacts(p.t), fmt.Sprintf("%s-%d.png", name, p.width))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	// Keep the viewport the person's own: a full screenshot may resize it.
	p.do(chromedp.EmulateViewport(p.width, p.height, chromedp.EmulateScale(1)))
}

// axeViolation is one rule axe-core found broken on a page.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// axeSource is axe-core's axe.min.js, read once per test binary.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	return string(b), err
})

// accessible runs axe-core on the page (injected through the DevTools
// protocol, which the page's CSP does not govern; the product never serves
// it) and fails on serious or critical violations. It returns all of them.
func (p *person) accessible(page string) []axeViolation {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatalf("axe-core: %v (console/testdata/axe.min.js comes from npm pack axe-core@4.14.1)", err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 2*stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		p.t.Fatalf("inject axe-core: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("run axe-core on %s: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("axe-core on %s at %d px: %d violations", page, p.width, len(vs))
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			p.t.Errorf("axe-core on %s at %d px: %s %s (%s) at %v", page, p.width, v.Impact, v.ID, v.Help, v.Nodes)
		} else {
			p.t.Logf("axe-core on %s at %d px: %s %s (%s), %d elements", page, p.width, v.Impact, v.ID, v.Help, len(v.Nodes))
		}
	}
	return vs
}

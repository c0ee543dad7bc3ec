package metrics_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/metrics"
)

// TestLabelsStayBounded: a bound route and a plain one count into the
// same series; made-up methods and odd statuses fold into few values;
// nothing else shows but the two series a cache hit may take.
func TestLabelsStayBounded(t *testing.T) {
	r := metrics.New("v1", slog.New(slog.NewTextHandler(io.Discard, nil)))
	hit := r.Bind("/content/v1/items/:id", http.MethodGet)
	hit(http.StatusOK, time.Microsecond)
	hit(http.StatusNotModified, time.Microsecond)
	r.Bind("/content/v1/search", http.MethodGet)
	r.Request("/content/v1/items/:id", http.MethodGet, http.StatusOK, time.Millisecond)
	for _, m := range []string{"BREW", "PROPFIND", "get"} {
		r.Request("", m, 0, time.Millisecond)
	}
	r.Request("", http.MethodGet, 999, time.Millisecond)
	r.Transition(cms.EventSubmit)
	r.Patrol(cms.TriggerSchedule, []cms.PatrolProblem{{Kind: "content"}, {Kind: "content"}}, false)
	r.Delivery("email", false, time.Second)

	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range fams["cms_http_requests_total"].Metric {
		key := ""
		for _, l := range m.Label {
			key += l.GetName() + "=" + l.GetValue() + " "
		}
		got[strings.TrimSpace(key)] = m.Counter.GetValue()
	}
	want := map[string]float64{
		"method=GET route=/content/v1/items/:id status=2xx": 2,
		"method=GET route=/content/v1/items/:id status=3xx": 1,
		"method=OTHER route=unmatched status=2xx":           3,
		"method=GET route=unmatched status=other":           1,
	}
	zero := map[string]bool{"method=GET route=/content/v1/search status=2xx": true, "method=GET route=/content/v1/search status=3xx": true}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	for k, v := range got {
		if want[k] == 0 && !(zero[k] && v == 0) {
			t.Errorf("unexpected series %s = %v", k, v)
		}
	}
	if v := fams["cms_patrol_findings_total"].Metric[0].Counter.GetValue(); v != 2 {
		t.Errorf("findings %v", v)
	}
	if fams["cms_build_info"].Metric[0].Gauge.GetValue() != 1 {
		t.Error("build info")
	}
}

package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestServeMetrics: `cms serve` serves the metrics on the main listener
// to the token alone, and on CMS_METRICS_ADDR without one; both parse as
// the Prometheus text format and count the requests made.
func TestServeMetrics(t *testing.T) {
	const token = "serve-metrics-token-0123456789"
	addr := freeAddr(t)
	s := startServe(t, testEnv(t, map[string]string{"CMS_ADDR": freeAddr(t), "CMS_METRICS_TOKEN": token, "CMS_METRICS_ADDR": addr}))
	get := func(url, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get(s.base+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	if code, _ := get(s.base+"/metrics", token[1:]); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	get(s.base+"/content/v1/channels/app/menu", "")
	for name, url := range map[string]string{"main listener": s.base + "/metrics", "metrics listener": "http://" + addr + "/metrics"} {
		code, body := get(url, token)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", name, code, body)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f := fams["cms_http_requests_total"]; f == nil || !strings.Contains(body, `route="/content/v1/channels/:channel/menu"`) {
			t.Errorf("%s: the menu request is not counted", name)
		}
		if fams["cms_build_info"] == nil || fams["go_goroutines"] == nil || fams["cms_workflow_queue_depth"] == nil {
			t.Errorf("%s: build info, runtime or backlog metrics missing", name)
		}
	}
}

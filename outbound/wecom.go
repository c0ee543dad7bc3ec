package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tlhpf/cms/cms"
)

// Robots post to the 企业微信 group robots of departments: a webhook URL
// each (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…), which the
// operator configures (CMS_WECOM_ROBOTS), so it is not checked as webhook
// targets are.
type Robots struct {
	urls   map[string]string
	client *http.Client
}

var _ cms.Robots = (*Robots)(nil)

// ParseRobots reads "department=URL,department=URL".
func ParseRobots(spec string) (*Robots, error) {
	r := &Robots{urls: map[string]string{}, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		dept, raw, ok := strings.Cut(part, "=")
		u, err := url.Parse(raw)
		if !ok || dept == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// The URL holds the robot's key: the message names the department only.
			return nil, fmt.Errorf("want department=URL, and the entry of %q is not", dept)
		}
		r.urls[strings.TrimSpace(dept)] = raw
	}
	return r, nil
}

// Has reports whether the department has a robot.
func (r *Robots) Has(department string) bool { return r.urls[department] != "" }

// robotLimit is the most a markdown message may hold (4096 bytes).
const robotLimit = 4096

// Post sends a markdown message; the robot's own error code counts as a failure.
func (r *Robots) Post(ctx context.Context, department, markdown string) error {
	target := r.urls[department]
	if target == "" {
		return fmt.Errorf("no robot for %s", department)
	}
	for len(markdown) > robotLimit || !utf8.ValidString(markdown) {
		markdown = markdown[:min(len(markdown), robotLimit)-1]
	}
	body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": markdown}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := r.client.Do(req)
	if err != nil {
		// The URL holds the robot's key: say which robot, not where.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("the robot of %s did not answer: %s", department, describe(err, r.client.Timeout))
	}
	defer res.Body.Close()
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, ResponseLimit))
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.ErrCode != 0 {
		return fmt.Errorf("the robot of %s answered %d: %s", department, res.StatusCode, clip(Excerpt(b), 200))
	}
	return nil
}

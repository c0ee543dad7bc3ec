package api_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

// TestNotificationsPerRole walks a guide through the chain: at each stage
// exactly the people who can act there are told, the author hears of every
// decision with its comment, and a suspension reaches the publishers, the
// leaders and the director at once, its title only for those who may
// read the item.
func TestNotificationsPerRole(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	c := newChain(t, e)
	_, otherHead := e.user(t, "finance-head", "finance", role{"dept_head", "finance"})
	_, officeLeader := e.user(t, "office-leader", "office", role{"leader", "office"})
	_, revID := e.completeGuide(t, c.editor)
	title := "《住房公积金缴存登记》"
	has := func(kind, text string) func([]inboxNote) bool {
		return func(notes []inboxNote) bool {
			for _, n := range notes {
				if n.Kind == kind && strings.Contains(n.Title+n.Body, text) {
					return true
				}
			}
			return false
		}
	}

	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	e.waitInbox(t, c.head, "the head is told", has("review", "等待部门审核"))
	e.fire(t, http.StatusOK, c.head, revID, "reject", "请补充所需材料")
	notes := e.waitInbox(t, c.editor, "the author hears of the rejection", has("decision", "请补充所需材料"))
	if !strings.Contains(notes[0].Title, title+"被退回") || notes[0].Link != "/console/revisions/"+strconv.FormatInt(revID, 10) {
		t.Errorf("rejection notice %+v", notes[0])
	}
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	e.fire(t, http.StatusOK, c.head, revID, "approve", "同意")
	e.waitInbox(t, c.leader, "the leader in charge is told", has("review", "等待领导签发"))
	e.waitInbox(t, c.editor, "the author hears of the approval", has("decision", "部门审核通过"))
	e.fire(t, http.StatusOK, c.leader, revID, "sign", "")
	e.waitInbox(t, c.director, "the director is told after the leader signed", has("review", "等待领导签发"))
	e.fire(t, http.StatusOK, c.director, revID, "sign", "")
	e.waitInbox(t, c.secrecy, "the secrecy reviewer is told", has("review", "等待保密审查"))
	e.fire(t, http.StatusOK, c.secrecy, revID, "clear", "")
	e.waitInbox(t, c.editor, "the author hears of the clearance", has("decision", "保密审查通过"))
	e.fire(t, http.StatusOK, c.publisher, revID, "publish", "")
	e.waitInbox(t, c.editor, "the author hears of the publication", has("decision", "已发布"))

	// Nobody outside the chain heard of it.
	for name, tok := range map[string]string{"another department's head": otherHead, "editor2": c.editor2} {
		if notes := of(e.inbox(t, tok), "review", "decision"); len(notes) != 0 {
			t.Errorf("%s was told %+v", name, notes)
		}
	}
	// The director was told once per stage of theirs, not of others'.
	if n := len(of(e.inbox(t, c.director), "review", "decision")); n != 1 {
		t.Errorf("the director has %d notifications, want 1", n)
	}

	e.fire(t, http.StatusOK, c.publisher, revID, "suspend", "内容被篡改")
	for name, tok := range map[string]string{"leader": c.leader, "director": c.director} {
		notes := e.waitInbox(t, tok, name+" hears of the suspension", has("incident", "内容被篡改"))
		if !strings.Contains(notes[0].Title, title) {
			t.Errorf("%s: %+v", name, notes[0])
		}
	}
	notes = e.waitInbox(t, officeLeader, "a leader of another department hears of it", has("incident", "已暂停发布"))
	if strings.Contains(notes[0].Title+notes[0].Body, "缴存登记") || strings.Contains(notes[0].Body, "内容被篡改") {
		t.Errorf("a leader who may not read the item learnt its title or the reason: %+v", notes[0])
	}
	if n := len(of(e.inbox(t, c.publisher), "incident")); n != 0 {
		t.Errorf("the publisher who suspended it was told of it too: %d notifications", n)
	}

	// The inbox: unread only, the count, marking some and all read.
	var unread struct {
		Unread int `json:"unread"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/notifications/unread-count", c.editor, nil).decode(t, &unread)
	all := e.inbox(t, c.editor)
	if unread.Unread != len(all) || len(all) < 4 {
		t.Fatalf("%d unread of %d", unread.Unread, len(all))
	}
	var marked struct {
		Marked int `json:"marked"`
		Unread int `json:"unread"`
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/notifications/read", c.editor, map[string]any{"ids": []int64{all[0].ID}}).decode(t, &marked)
	if marked.Marked != 1 || marked.Unread != len(all)-1 {
		t.Errorf("marked %+v", marked)
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/notifications/read", c.head, map[string]any{"ids": []int64{all[1].ID}}).decode(t, &marked)
	if marked.Marked != 0 {
		t.Errorf("someone else's notification was marked: %+v", marked)
	}
	var page struct {
		Notifications []inboxNote `json:"notifications"`
		Unread        int         `json:"unread"`
		NextCursor    *string     `json:"next_cursor"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/notifications?unread=true&limit=2", c.editor, nil).decode(t, &page)
	if len(page.Notifications) != 2 || page.NextCursor == nil || page.Notifications[0].ReadAt != nil || page.Notifications[0].ID == all[0].ID {
		t.Errorf("unread page %+v", page)
	}
	e.must(t, http.StatusOK, "POST", "/api/v1/notifications/read", c.editor, map[string]any{"all": true}).decode(t, &marked)
	if marked.Unread != 0 {
		t.Errorf("after marking all: %+v", marked)
	}
	for _, body := range []map[string]any{{}, {"all": true, "ids": []int64{1}}, {"ids": []int64{0}}} {
		e.must(t, http.StatusUnprocessableEntity, "POST", "/api/v1/notifications/read", c.editor, body)
	}
	if r := e.send(t, request{method: "GET", path: "/api/v1/notifications?unread=yes", token: c.editor, raw: true}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unread=yes: %d", r.Status)
	}
}

// of keeps the notifications of the kinds given.
func of(notes []inboxNote, kinds ...string) []inboxNote {
	var out []inboxNote
	for _, n := range notes {
		for _, k := range kinds {
			if n.Kind == k {
				out = append(out, n)
			}
		}
	}
	return out
}

// mailbox is an in-process SMTP server that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []mail
	addr string
}

type mail struct {
	From string
	To   []string
	Data string
}

type smtpSession struct {
	box  *mailbox
	cur  mail
	auth bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "cms" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.cur = mail{} }
func (s *smtpSession) Logout() error { return nil }

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: box}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box
}

func (b *mailbox) messages() []mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mail(nil), b.msgs...)
}

// robot is a local fake of a 企业微信 group robot: it answers like the real
// one ({"errcode":0}), refusing the first post with a rate limit.
type robot struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []map[string]any
	calls int
}

func newRobot(t *testing.T) *robot {
	t.Helper()
	rb := &robot{}
	rb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rb.mu.Lock()
		defer rb.mu.Unlock()
		rb.calls++
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "robot-key" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 93000, "errmsg": "invalid webhook url"})
			return
		}
		if rb.calls == 1 {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 45009, "errmsg": "api freq out of limit"})
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		rb.posts = append(rb.posts, body)
		json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "errmsg": "ok"})
	}))
	t.Cleanup(rb.srv.Close)
	return rb
}

func (rb *robot) received() []map[string]any {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return append([]map[string]any(nil), rb.posts...)
}

// TestNotificationChannels: a department head who chose e-mail and the
// 企业微信 robot for reviews gets the notice in the inbox, by e-mail through
// an SMTP server and in the department's group (after the robot's rate
// limit, retried); settings are validated.
func TestNotificationChannels(t *testing.T) {
	t.Parallel()
	box, rb := newMailbox(t), newRobot(t)
	e := eventsEnv(t, func(cfg *app.Config) {
		cfg.Events.SMTPURL = "smtp://cms:s3cret@" + box.addr + "?from=cms@example.gov.cn&tls=none"
		cfg.Events.WeComRobots = "collection=" + rb.srv.URL + "/cgi-bin/webhook/send?key=robot-key"
	})
	c := newChain(t, e)
	var st struct {
		Email          string                     `json:"email"`
		Kinds          map[string]map[string]bool `json:"kinds"`
		EmailAvailable bool                       `json:"email_available"`
		WeComAvailable bool                       `json:"wecom_available"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/me/notification-settings", c.head, nil).decode(t, &st)
	if !st.EmailAvailable || !st.WeComAvailable || !st.Kinds["incident"]["email"] || st.Kinds["review"]["email"] || len(st.Kinds) != 6 {
		t.Fatalf("defaults %+v", st)
	}
	e.must(t, http.StatusUnprocessableEntity, "PUT", "/api/v1/me/notification-settings", c.head, map[string]any{"email": "not an address"})
	e.must(t, http.StatusOK, "PUT", "/api/v1/me/notification-settings", c.head, map[string]any{"email": "head@example.gov.cn",
		"kinds": map[string]any{"review": map[string]bool{"inbox": true, "email": true, "wecom": true}}}).decode(t, &st)
	if st.Email != "head@example.gov.cn" || !st.Kinds["review"]["wecom"] || !st.Kinds["incident"]["email"] {
		t.Fatalf("after the change %+v", st)
	}

	_, revID := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	e.waitInbox(t, c.head, "the inbox", func(n []inboxNote) bool { return len(of(n, "review")) == 1 })
	var msgs []mail
	for deadline := time.Now().Add(10 * time.Second); len(msgs) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		msgs = box.messages()
	}
	if len(msgs) != 1 || msgs[0].To[0] != "head@example.gov.cn" || msgs[0].From != "cms@example.gov.cn" ||
		!strings.Contains(msgs[0].Data, "Subject:") || !strings.Contains(msgs[0].Data, "Auto-Submitted: auto-generated") {
		t.Fatalf("mail %+v", msgs)
	}
	var posts []map[string]any
	for deadline := time.Now().Add(10 * time.Second); len(posts) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		posts = rb.received()
	}
	if len(posts) != 1 || posts[0]["msgtype"] != "markdown" {
		t.Fatalf("robot posts %+v", posts)
	}
	if md := posts[0]["markdown"].(map[string]any)["content"].(string); !strings.Contains(md, "住房公积金缴存登记") || !strings.Contains(md, "归集科") {
		t.Errorf("robot markdown %q", md)
	}
}

// TestOverdueDigest: the daily digest lists revisions past their stage's
// limit to those who can act on them and their department's head, once a day.
func TestOverdueDigest(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, func(cfg *app.Config) {
		cfg.Events.DigestAt = 0
		cfg.StageLimits = map[cms.State]time.Duration{cms.StateDeptReview: time.Millisecond}
	})
	c := newChain(t, e)
	_, revID := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	time.Sleep(5 * time.Millisecond)
	ctx := t.Context()
	sent, err := e.svc.Notifications.SendDigest(ctx)
	if err != nil || !sent {
		t.Fatalf("digest: %v %v", sent, err)
	}
	if again, _ := e.svc.Notifications.SendDigest(ctx); again {
		t.Error("the digest went out twice in a day")
	}
	notes := e.waitInbox(t, c.head, "the digest", func(n []inboxNote) bool {
		for _, x := range n {
			if x.Kind == "overdue" {
				return true
			}
		}
		return false
	})
	for _, n := range notes {
		if n.Kind == "overdue" && (!strings.Contains(n.Body, "住房公积金缴存登记") || !strings.Contains(n.Body, "部门审核")) {
			t.Errorf("digest %+v", n)
		}
	}
	for _, n := range e.inbox(t, c.leader) {
		if n.Kind == "overdue" {
			t.Errorf("the leader got a digest of a revision not yet theirs: %+v", n)
		}
	}
}

// TestTamperIncidentIsReported: content changed in the database behind the
// workflow is taken offline at the next read, and the publishers, the
// leaders and the director are told at once (第十九条).
func TestTamperIncidentIsReported(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	c := newChain(t, e)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "published")
	// Search reads the title column; listings and the detail serve the
	// stored documents, which this change leaves alone.
	e.exec(t, "UPDATE public_items SET title = '【篡改】假通知' WHERE item_id = ?", itemID)
	e.send(t, request{method: "GET", path: "/content/v1/search?q=" + url.QueryEscape("缴存")})
	for name, tok := range map[string]string{"publisher": c.publisher, "leader": c.leader, "director": c.director} {
		notes := e.waitInbox(t, tok, name+" hears of the tampering", func(n []inboxNote) bool {
			for _, x := range n {
				if x.Kind == "incident" && strings.Contains(x.Title, "被篡改") {
					return true
				}
			}
			return false
		})
		if strings.Contains(notes[0].Title+notes[0].Body, "假通知") {
			t.Errorf("the notice repeats the forged text: %+v", notes[0])
		}
	}
	if n := of(e.inbox(t, c.head), "incident"); len(n) != 0 {
		t.Errorf("a department head was told of the incident: %+v", n)
	}
}

package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
)

type contactsBody struct {
	Department string `json:"department"`
	Contacts   []struct {
		UserID   int64  `json:"user_id"`
		Username string `json:"username"`
		Serving  bool   `json:"serving"`
	} `json:"contacts"`
}

func contactsPath(dept string) string { return "/api/v1/departments/" + dept + "/contacts" }

// designate makes users the department's contacts as the administrator.
func (e *env) designate(t testing.TB, dept string, users ...int64) contactsBody {
	t.Helper()
	var out contactsBody
	if users == nil {
		users = []int64{}
	}
	e.must(t, http.StatusOK, "PUT", contactsPath(dept), e.admin, map[string]any{"users": users}).decode(t, &out)
	return out
}

// TestDepartmentContactsAPI: every member of staff reads a department's
// contacts (专人, 第六条); only administrators designate them, and only
// enabled accounts of the department itself.
func TestDepartmentContactsAPI(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	colID, colTok := e.user(t, "col.contact", "collection", role{"editor", "collection"})
	finID, _ := e.user(t, "fin.contact", "finance", role{"editor", "finance"})
	zyID, _ := e.user(t, "zy.contact", "zongyang", role{"editor", "zongyang"})
	goneID, _ := e.user(t, "gone", "collection", role{"editor", "collection"})
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(goneID, 10), e.admin, map[string]any{"disabled": true})
	_, head := e.user(t, "col.head", "collection", role{"dept_head", "collection"})

	// Permissions: reading is for everyone signed in, designating for administrators.
	e.must(t, http.StatusUnauthorized, "GET", contactsPath("collection"), "", nil)
	var got contactsBody
	e.must(t, http.StatusOK, "GET", contactsPath("collection"), colTok, nil).decode(t, &got)
	if got.Department != "collection" || len(got.Contacts) != 0 {
		t.Fatalf("before any designation: %+v", got)
	}
	tokens := map[string]string{"editor": colTok, "dept_head": head}
	for _, r := range []role{{"leader", "collection"}, {"director", "office"}, {"secrecy_reviewer", "office"},
		{"publisher", "information"}, {"auditor", "office"}} {
		_, tokens[r.Role] = e.user(t, "x."+r.Role, r.Department, r)
	}
	for name, tok := range tokens {
		if r := e.call(t, "PUT", contactsPath("collection"), tok, map[string]any{"users": []int64{colID}}); r.Status != http.StatusForbidden {
			t.Errorf("%s designates: %d %s", name, r.Status, r.Body)
		}
		e.must(t, http.StatusOK, "GET", contactsPath("collection"), tok, nil)
	}
	// Problems: unknown department, unknown, disabled and other departments' accounts.
	e.must(t, http.StatusNotFound, "GET", contactsPath("nowhere"), colTok, nil)
	e.must(t, http.StatusNotFound, "PUT", contactsPath("nowhere"), e.admin, map[string]any{"users": []int64{colID}})
	if r := e.send(t, request{method: "PUT", path: contactsPath("collection"), token: e.admin, body: map[string]any{}, raw: true}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("no users: %d %s", r.Status, r.Body)
	}
	p := e.must(t, http.StatusUnprocessableEntity, "PUT", contactsPath("collection"), e.admin,
		map[string]any{"users": []int64{colID, 999999, goneID, finID}}).problem(t)
	for _, f := range []string{"users[1]", "users[2]", "users[3]"} {
		if !p.hasField(f) {
			t.Errorf("problem does not name %s: %+v", f, p)
		}
	}
	if p.hasField("users[0]") {
		t.Errorf("the department's own editor was refused: %+v", p)
	}
	if e.must(t, http.StatusOK, "GET", contactsPath("collection"), colTok, nil).decode(t, &got); len(got.Contacts) != 0 {
		t.Fatalf("a refused designation was stored: %+v", got)
	}

	got = e.designate(t, "collection", colID, colID)
	if len(got.Contacts) != 1 || got.Contacts[0].UserID != colID || !got.Contacts[0].Serving {
		t.Fatalf("designated: %+v", got)
	}
	// 管理部 as a group: a member department's staff work in it.
	e.designate(t, "branches", zyID)
	var list struct {
		Departments []struct {
			Slug     string `json:"slug"`
			Contacts []struct {
				Username string `json:"username"`
			} `json:"contacts"`
		} `json:"departments"`
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/departments", colTok, nil).decode(t, &list)
	named := map[string]string{}
	for _, d := range list.Departments {
		for _, c := range d.Contacts {
			named[d.Slug] += c.Username
		}
	}
	if named["collection"] != "col.contact" || named["branches"] != "zy.contact" || named["finance"] != "" {
		t.Errorf("the department listing names %v", named)
	}
	// The designation is audited and the designated person told.
	e.waitInbox(t, colTok, "the designation", func(n []inboxNote) bool {
		for _, x := range n {
			if x.Kind == "account" && strings.Contains(x.Title, "归集科的信息报送专人") {
				return true
			}
		}
		return false
	})
	before := e.eventTypes(t)[cms.ContactsChanged]
	e.designate(t, "collection", colID) // the same again changes nothing
	if after := e.eventTypes(t)[cms.ContactsChanged]; after != before || before != 2 {
		t.Errorf("contacts_changed events: %d then %d, want 2 and 2", before, after)
	}
	// A contact who leaves the department no longer serves.
	e.must(t, http.StatusOK, "PATCH", "/api/v1/users/"+strconv.FormatInt(colID, 10), e.admin, map[string]any{"department": "finance"})
	e.must(t, http.StatusOK, "GET", contactsPath("collection"), colTok, nil).decode(t, &got)
	if len(got.Contacts) != 1 || got.Contacts[0].Serving {
		t.Errorf("a contact who moved to finance still serves collection: %+v", got)
	}
	if got = e.designate(t, "collection"); len(got.Contacts) != 0 {
		t.Errorf("an empty list leaves %+v", got)
	}
}

// TestContactHearsOfPatrolFinding: a department's contact receives the
// patrol's finding in a column their department answers for, and the
// contacts of other departments do not (第六条, 第七条).
func TestContactHearsOfPatrolFinding(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, nil)
	c := newChain(t, e)
	colID, colTok := e.user(t, "col.contact", "collection", role{"editor", "collection"})
	brID, brTok := e.user(t, "br.contact", "branches", role{"editor", "branches"})
	finID, finTok := e.user(t, "fin.contact", "finance", role{"editor", "finance"})
	e.designate(t, "collection", colID)
	e.designate(t, "branches", brID) // 缴存类办事指南: 归集科、管理部
	e.designate(t, "finance", finID)
	itemID, revID := e.completeGuide(t, c.editor)
	e.toState(t, c, revID, "published")
	e.exec(t, "UPDATE public_items SET title = '【篡改】假通知' WHERE item_id = ?", itemID)
	if _, err := e.svc.Patrol.RunScheduled(t.Context()); err != nil {
		t.Fatal(err)
	}
	found := func(n []inboxNote) bool {
		for _, x := range n {
			if x.Kind == "incident" && strings.Contains(x.Title, "被篡改") && x.Subject == "item:"+strconv.FormatInt(itemID, 10) {
				return true
			}
		}
		return false
	}
	notes := e.waitInbox(t, colTok, "the collection contact hears of the finding", found)
	if !strings.Contains(notes[0].Title, "住房公积金缴存登记") {
		t.Errorf("the contact, an editor of the department, is not told which item: %+v", notes[0])
	}
	e.waitInbox(t, brTok, "the branches contact hears of the finding", found)
	e.waitInbox(t, c.publisher, "the publisher hears of the finding", found)
	// The notifications of one event are stored together: the others are in by now.
	if n := of(e.inbox(t, finTok), "incident"); len(n) != 0 {
		t.Errorf("finance's contact heard of collection's finding: %+v", n)
	}
	if n := of(e.inbox(t, c.editor), "incident"); len(n) != 0 {
		t.Errorf("an editor who is no contact heard of the finding: %+v", n)
	}
}

// TestContactGetsOverdueDigest: the daily digest of overdue revisions
// reaches the contacts of the revision's department and no other's.
func TestContactGetsOverdueDigest(t *testing.T) {
	t.Parallel()
	e := eventsEnv(t, func(cfg *app.Config) {
		cfg.Events.DigestAt = 0
		cfg.StageLimits = map[cms.State]time.Duration{cms.StateDeptReview: time.Millisecond}
	})
	c := newChain(t, e)
	colID, colTok := e.user(t, "col.contact", "collection", role{"editor", "collection"})
	finID, finTok := e.user(t, "fin.contact", "finance", role{"editor", "finance"})
	e.designate(t, "collection", colID)
	e.designate(t, "finance", finID)
	_, revID := e.completeGuide(t, c.editor)
	e.fire(t, http.StatusOK, c.editor, revID, "submit", "")
	time.Sleep(5 * time.Millisecond)
	if sent, err := e.svc.Notifications.SendDigest(t.Context()); err != nil || !sent {
		t.Fatalf("digest: %v %v", sent, err)
	}
	notes := of(e.inbox(t, colTok), "overdue")
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "住房公积金缴存登记") || !strings.Contains(notes[0].Body, "部门审核") {
		t.Fatalf("the collection contact's digest: %+v", notes)
	}
	if n := of(e.inbox(t, finTok), "overdue"); len(n) != 0 {
		t.Errorf("finance's contact got collection's overdue revision: %+v", n)
	}
}

// TestFormsAndReportsNameContacts: the archived approval form names the
// department's contacts designated when the revision was published, and
// the workflow report (JSON and CSV) those designated at the end of its
// period, for the departments the reader may see.
func TestFormsAndReportsNameContacts(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(cfg *app.Config) { cfg.Auth.SessionTTL = 30 * 24 * time.Hour })
	c := newChain(t, e)
	_, auditor := e.user(t, "auditor", "office", role{"auditor", "office"})
	aID, _ := e.user(t, "col.a", "collection", role{"editor", "collection"})
	bID, _ := e.user(t, "col.b", "collection", role{"editor", "collection"})
	_, fin := e.user(t, "fineditor", "finance", role{"editor", "finance"})
	e.designate(t, "collection", aID)
	var it createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "专人测试", "body": "正文"}).decode(t, &it)
	e.toState(t, c, it.Revision.ID, "published")
	e.clock.Advance(10 * 24 * time.Hour)
	e.designate(t, "collection", bID)

	r := e.must(t, http.StatusOK, "GET", "/api/v1/archive?from=2026-03-01&to=2026-03-31", auditor, nil)
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	form := ""
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/approval-1.html") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			form = string(b)
		}
	}
	if !strings.Contains(form, "部门专人</th><td colspan=\"3\">col.a<") || strings.Contains(form, "col.b") {
		t.Errorf("the archived approval form does not name the contact of the time of publication:\n%s", form)
	}

	// The API's approval form names them too, with the decisions of the chain.
	var apiForm struct {
		Contacts []struct {
			Username string `json:"username"`
		} `json:"contacts"`
		Stages []struct {
			Stage   string `json:"stage"`
			Signers []struct {
				Event string `json:"event"`
				Actor *struct {
					Username string `json:"username"`
				} `json:"actor"`
			} `json:"signers"`
		} `json:"stages"`
	}
	formPath := revisionPath(it.Revision.ID) + "/approval-form"
	e.must(t, http.StatusOK, "GET", formPath, c.editor, nil).decode(t, &apiForm)
	signers := ""
	for _, st := range apiForm.Stages {
		signers += "|" + st.Stage + ":"
		for _, sg := range st.Signers {
			signers += sg.Event + "/" + sg.Actor.Username
		}
	}
	if len(apiForm.Contacts) != 1 || apiForm.Contacts[0].Username != "col.a" ||
		signers != "|drafter:submit/editor|dept_review:approve/head|leader_review:sign/leader|director_signoff:sign/director|secrecy_review:clear/secrecy|publish:publish/publisher" {
		t.Errorf("the API's approval form: contacts %+v, boxes %s", apiForm.Contacts, signers)
	}
	e.must(t, http.StatusForbidden, "GET", formPath, fin, nil)
	e.must(t, http.StatusNotFound, "GET", revisionPath(999999)+"/approval-form", c.editor, nil)

	type report struct {
		Contacts []contactsBody `json:"contacts"`
	}
	named := func(rep report) map[string]string {
		out := map[string]string{}
		for _, d := range rep.Contacts {
			out[d.Department] += "|"
			for _, c := range d.Contacts {
				out[d.Department] += c.Username
			}
		}
		return out
	}
	var rep report
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-01&to=2026-03-02", auditor, nil).decode(t, &rep)
	if n := named(rep); n["collection"] != "|col.a" || n["finance"] != "|" || len(n) != 7 {
		t.Errorf("early March names %v", n)
	}
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-01&to=2026-03-11", auditor, nil).decode(t, &rep)
	if n := named(rep); n["collection"] != "|col.b" {
		t.Errorf("until today names %v", n)
	}
	rep = report{}
	e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-01&to=2026-03-11", fin, nil).decode(t, &rep)
	if n := named(rep); len(n) != 1 || n["finance"] != "|" {
		t.Errorf("a finance editor's report names %v", n)
	}
	csv := e.must(t, http.StatusOK, "GET", "/api/v1/reports/workflow?from=2026-03-01&to=2026-03-11&format=csv&table=contacts", auditor, nil)
	body := string(csv.Body)
	if !strings.Contains(body, "department,user_id,username,display_name,since") ||
		!strings.Contains(body, "collection,"+strconv.FormatInt(bID, 10)+",col.b,col.b,") || !strings.Contains(body, "\nfinance,,,,") {
		t.Errorf("CSV contacts:\n%s", body)
	}
}

package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// 签发流程 and 敏感词: what administrators configure of the chain (第九条:
// 分管领导审核 → 中心主任签发, per column) and of the secrecy scan (第十三条).

// signoffChoices are the sign-off chains a column may have, in words.
var signoffChoices = []signoffChoice{
	{Value: "leader,director", Label: "分管领导签发 → 中心主任签发"},
	{Value: "director", Label: "中心主任签发"},
	{Value: "leader", Label: "分管领导签发"},
	{Value: "director,leader", Label: "中心主任签发 → 分管领导签发"},
}

type signoffChoice struct{ Value, Label string }

// signoffData lists the authored columns with their chains.
type signoffData struct {
	Tabs    adminTabs
	Rows    []signoffRow
	Choices []signoffChoice
}

type signoffRow struct {
	Column cms.Column
	Chain  string // as a choice's value
}

// handleSignoff shows every authored column's sign-off chain to those who
// may configure the workflow.
func (c *Console) handleSignoff(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := c.adminTabs(r, u)
	if err != nil {
		return err
	}
	if !t.Signoff {
		return cms.Errorf(cms.EFORBIDDEN, "may not configure the workflow")
	}
	cols, err := c.columns(r, u)
	if err != nil {
		return err
	}
	d := signoffData{Tabs: t, Choices: signoffChoices}
	for _, col := range cols {
		if !col.Authored() {
			continue
		}
		chain, err := c.svc.Workflow.SignoffChain(r.Context(), u.p, col.Slug)
		if err != nil {
			return err
		}
		names := make([]string, len(chain))
		for i, role := range chain {
			names[i] = string(role)
		}
		d.Rows = append(d.Rows, signoffRow{Column: col, Chain: strings.Join(names, ",")})
	}
	return c.page(w, r, u, http.StatusOK, "signoff", view{Title: "签发流程", Active: "admin", Data: d})
}

// handleSignoffSave sets one column's chain.
func (c *Console) handleSignoffSave(w http.ResponseWriter, r *http.Request, u *user) error {
	column := r.PathValue("column")
	v := r.PostFormValue("chain")
	if !slices.ContainsFunc(signoffChoices, func(ch signoffChoice) bool { return ch.Value == v }) {
		return cms.Errorf(cms.EBADREQUEST, "not a chain the form offers")
	}
	var chain []cms.Role
	for _, s := range strings.Split(v, ",") {
		chain = append(chain, cms.Role(s))
	}
	if err := c.svc.Workflow.SetSignoffChain(r.Context(), u.p, column, chain); err != nil {
		return err
	}
	return c.redirect(w, r, "/console/signoff#col-"+column, "signoff_saved")
}

// wordsData is the sensitive-word list, one word a line per severity.
type wordsData struct {
	Tabs              adminTabs
	Blocking, Warning string
	Count             int
	Problems          problems
	Alert             string
}

// handleWords shows the sensitive words to those who keep them.
func (c *Console) handleWords(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := c.adminTabs(r, u)
	if err != nil {
		return err
	}
	ws, err := c.svc.Secrecy.SensitiveWords(r.Context(), u.p)
	if err != nil {
		return err
	}
	d := wordsData{Tabs: t, Count: len(ws)}
	var blocking, warning []string
	for _, w := range ws {
		if w.Severity == cms.SeverityBlocking {
			blocking = append(blocking, w.Word)
		} else {
			warning = append(warning, w.Word)
		}
	}
	d.Blocking, d.Warning = strings.Join(blocking, "\n"), strings.Join(warning, "\n")
	return c.page(w, r, u, http.StatusOK, "words", view{Title: "敏感词", Active: "admin", Data: d})
}

// handleWordsSave replaces the list; the secrecy service re-scans the
// content in review and released with it.
func (c *Console) handleWordsSave(w http.ResponseWriter, r *http.Request, u *user) error {
	d := wordsData{Blocking: r.PostFormValue("blocking"), Warning: r.PostFormValue("warning")}
	var ws []cms.SensitiveWord
	for _, list := range []struct{ text, severity string }{{d.Blocking, cms.SeverityBlocking}, {d.Warning, cms.SeverityWarning}} {
		for _, line := range strings.Split(list.text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				ws = append(ws, cms.SensitiveWord{Word: line, Severity: list.severity})
			}
		}
	}
	_, err := c.svc.Secrecy.SetSensitiveWords(r.Context(), u.p, ws)
	if cms.ErrorCode(err) == cms.EINVALID {
		d.Alert = "敏感词未保存：" + wordProblems(err, ws)
		var terr error
		if d.Tabs, terr = c.adminTabs(r, u); terr != nil {
			return terr
		}
		return c.page(w, r, u, http.StatusUnprocessableEntity, "words", view{Title: "敏感词", Active: "admin", Data: d})
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, "/console/words", "words_saved")
}

// wordProblems says which words the service refused and why.
func wordProblems(err error, ws []cms.SensitiveWord) string {
	var de *cms.Error
	if !asError(err, &de) {
		return errorMessage(err)
	}
	var out []string
	for _, f := range de.Fields {
		var i int
		if _, serr := fmt.Sscanf(f.Field, "words[%d]", &i); serr == nil && i < len(ws) {
			out = append(out, "“"+ws[i].Word+"”"+fieldMessage(f.Message))
		} else {
			out = append(out, fieldMessage(f.Message))
		}
	}
	return strings.Join(out, "；")
}

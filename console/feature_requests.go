package console

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

// 功能建议 (seed rule 第十六条): the departments suggest additions and
// changes to the functions of the WeChat account and the App; 信息科
// collects them, the centre's leaders approve or refuse them, and 信息科
// records them done once the software developer carried them out.

var featureStateLabels = map[string]string{
	cms.FeatureSubmitted: "待批准", cms.FeatureApproved: "已批准", cms.FeatureRefused: "未获批准", cms.FeatureDone: "已修改完善",
}

// featureStateCSS colours a state with the workflow's badges: waiting,
// approved and on its way, refused, finished.
var featureStateCSS = map[string]string{
	cms.FeatureSubmitted: "st-dept_review", cms.FeatureApproved: "st-scheduled", cms.FeatureRefused: "st-suspended",
	cms.FeatureDone: "st-published",
}

var featureChannelLabels = map[string]string{
	cms.FeatureChannelWeChat: "微信公众号", cms.FeatureChannelApp: "手机App", cms.FeatureChannelBoth: "微信公众号和手机App",
}

var featureNoteLabels = map[string]string{
	cms.NoteSubmitted: "提出建议", cms.NoteComment: "意见", cms.NoteApproved: "批准", cms.NoteRefused: "不予批准",
	cms.NoteDone: "已交软件开发单位修改完善",
}

// featureForm is the submission form's values and problems.
type featureForm struct {
	Department, Channel, Title, Description string
	Problems                                problems
	Alert                                   string
}

type featureListData struct {
	Requests    []cms.FeatureRequest
	Access      cms.FeatureAccess
	States      []string
	Departments []string // those whose requests the list may show
	State, Dept string   // the filter
	Form        featureForm
}

type featureData struct {
	Request                *cms.FeatureRequest
	Comment, Decide, Done  bool   // the actions the user may take now
	Alert                  string // why the last action was refused
	Op                     string // the form it came from: comments, decision or done
	Problems               problems
	CommentText            string // what the refused form held
	DecisionText, DoneText string
}

// handleFeatureRequests lists the requests the user may read, with the
// submission form for those who submit.
func (c *Console) handleFeatureRequests(w http.ResponseWriter, r *http.Request, u *user) error {
	return c.showFeatureRequests(w, r, u, http.StatusOK, featureForm{Channel: cms.FeatureChannelWeChat})
}

func (c *Console) showFeatureRequests(w http.ResponseWriter, r *http.Request, u *user, status int, form featureForm) error {
	acc, err := c.svc.FeatureRequests.Access(r.Context(), u.p)
	if err != nil {
		return err
	}
	d := &featureListData{Access: acc, States: cms.FeatureStates, State: r.URL.Query().Get("state"),
		Dept: r.URL.Query().Get("department"), Form: form}
	if !slices.Contains(cms.FeatureStates, d.State) {
		d.State = ""
	}
	if d.Requests, err = c.svc.FeatureRequests.Requests(r.Context(), u.p, cms.FeatureFilter{State: d.State, Department: d.Dept}); err != nil {
		return err
	}
	depts, err := c.svc.Structure.Departments(r.Context(), u.p)
	if err != nil {
		return err
	}
	for _, dep := range depts {
		d.Departments = append(d.Departments, dep.Slug)
	}
	if d.Form.Department == "" && len(acc.Submit) > 0 {
		d.Form.Department = acc.Submit[0]
	}
	return c.page(w, r, u, status, "feature_requests", view{Title: "功能建议", Active: "features", Data: d})
}

// handleFeatureSubmit records a department's suggestion.
func (c *Console) handleFeatureSubmit(w http.ResponseWriter, r *http.Request, u *user) error {
	f := featureForm{Department: r.PostFormValue("department"), Channel: r.PostFormValue("channel"),
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description")}
	got, err := c.svc.FeatureRequests.Submit(r.Context(), u.p, cms.FeatureRequest{Department: f.Department,
		Channel: f.Channel, Title: f.Title, Description: f.Description})
	if cms.ErrorCode(err) == cms.EINVALID {
		f.Problems, f.Alert = problemsOf(err), "建议未提交。"+errorMessage(err)
		return c.showFeatureRequests(w, r, u, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return c.redirect(w, r, featureLink(got.ID), "feature_submitted")
}

// handleFeatureRequest shows one request, its history and what the user
// may do with it now.
func (c *Console) handleFeatureRequest(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return c.showFeatureRequest(w, r, u, id, http.StatusOK, &featureData{})
}

func (c *Console) showFeatureRequest(w http.ResponseWriter, r *http.Request, u *user, id int64, status int, d *featureData) error {
	fr, err := c.svc.FeatureRequests.Request(r.Context(), u.p, id)
	if err != nil {
		return err
	}
	d.Request = fr
	if d.Comment, d.Decide, d.Done, err = c.svc.FeatureRequests.Actions(r.Context(), u.p, fr); err != nil {
		return err
	}
	return c.page(w, r, u, status, "feature_request", view{Title: fr.Title + " · 功能建议", Active: "features", Data: d})
}

// handleFeatureAction comments on, decides or records done a request.
func (c *Console) handleFeatureAction(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	comment, svc := r.PostFormValue("comment"), c.svc.FeatureRequests
	d := &featureData{Op: r.PathValue("op")}
	var flash string
	switch d.Op {
	case "comments":
		d.CommentText, flash = comment, "feature_commented"
		_, err = svc.Comment(r.Context(), u.p, id, comment)
	case "decision":
		d.DecisionText = comment
		// approve=true|false, as the API's decision body.
		approve, perr := strconv.ParseBool(r.PostFormValue("approve"))
		if perr != nil {
			return cms.Errorf(cms.EBADREQUEST, "approve must be true or false")
		}
		flash = map[bool]string{true: "feature_approved", false: "feature_refused"}[approve]
		_, err = svc.Decide(r.Context(), u.p, id, approve, comment)
	case "done":
		d.DoneText, flash = comment, "feature_done"
		_, err = svc.Done(r.Context(), u.p, id, comment)
	default:
		return cms.Errorf(cms.ENOTFOUND, "no such action")
	}
	switch cms.ErrorCode(err) {
	case "":
		return c.redirect(w, r, featureLink(id), flash)
	case cms.EINVALID, cms.ECONFLICT, cms.ETRANSITION:
		d.Problems, d.Alert = problemsOf(err), featureRefusal(err)
		return c.showFeatureRequest(w, r, u, id, statusOf[cms.ErrorCode(err)], d)
	}
	return err
}

// featureRefusal says why an action on a request was not taken.
func featureRefusal(err error) string {
	switch cms.ErrorCode(err) {
	case cms.ETRANSITION:
		return "操作未完成：该建议当前的状态不能进行此操作，可能已被他人处理，请查看最新记录。"
	case cms.ECONFLICT:
		return "操作未完成：该建议刚刚被他人处理过，请查看最新记录。"
	}
	return "操作未完成。" + errorMessage(err)
}

func featureLink(id int64) string { return "/console/feature-requests/" + strconv.FormatInt(id, 10) }

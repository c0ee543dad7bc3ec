package archive

import (
	"context"
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

//go:embed approval.html.tmpl
var approvalHTML string

// approvalTemplate renders 信息发布审批表. html/template escapes every value,
// titles and comments included, for the context it appears in.
var approvalTemplate = template.Must(template.New("approval").Parse(approvalHTML))

// approvalForm is what one approval form shows.
type approvalForm struct {
	Organization string
	BagName      string
	Generated    string
	Column       string
	Department   string
	// Contacts names the department's contacts (专人, 第六条) designated
	// when the revision was published, "" for none.
	Contacts     string
	Title        string
	Action       string
	ItemID       int64
	Number       int
	ApprovedHash string
	PublishedAt  string
	ExpireAt     string
	Stages       []stage
	Trail        []trailRow
}

// stage is one box of the form: who acted at a step of the chain.
type stage struct {
	Label   string
	Signers []signer
}

type signer struct {
	Name    string // display name, or the username, or the id
	Detail  string // username and role
	Time    string
	Opinion string
	Hash    string
	HashOK  bool // the content acted on is the approved content
}

// trailRow is one line of the revision's full history on the form.
type trailRow struct {
	Time, Event, Change, Actor, Comment string
}

func (f *approvalForm) write(w io.Writer) error { return approvalTemplate.Execute(w, f) }

// approvalForm builds the form of a published revision from its history
// (trs, with their actors resolved in recs at the same index). The signers
// are those of the cycle that ended in publication: from the last
// submission before it; the trail below them holds every transition.
func (x *exporter) approvalForm(ctx context.Context, it *cms.Item, rev *cms.Revision, trs []cms.Transition, recs []transitionRecord) (*approvalForm, error) {
	approved := or(rev.ApprovedHash, rev.ContentHash)
	f := &approvalForm{Organization: x.opt.Organization, BagName: Name(x.opt.From, x.opt.To), Generated: local(x.at),
		Column: or(x.columns[it.Column], it.Column), Department: or(x.departments[it.Department], it.Department),
		Title: rev.Title, Action: actionLabel(rev.Action), ItemID: it.ID, Number: rev.Number, ApprovedHash: approved,
		PublishedAt: local(rev.PublishedAt), ExpireAt: local(rev.ExpireAt)}
	for _, label := range stageLabels {
		f.Stages = append(f.Stages, stage{Label: label})
	}
	var err error
	if f.Contacts, err = x.contacts(ctx, it.Department, or2(rev.PublishedAt, x.at)); err != nil {
		return nil, err
	}
	start, end := cycle(rev, trs)
	for i := range trs {
		t, r := &trs[i], &recs[i]
		if t.RevisionID != rev.ID {
			continue
		}
		f.Trail = append(f.Trail, trailRow{Time: local(t.At), Event: eventLabel(t.Event),
			Change: stateLabel(t.From) + " → " + stateLabel(t.To), Actor: actorName(r), Comment: t.Comment})
		if s := stageOf(t); s >= 0 && i >= start && i <= end {
			f.Stages[s].Signers = append(f.Stages[s].Signers, signer{Name: actorName(r), Detail: actorDetail(r),
				Time: local(t.At), Opinion: t.Comment, Hash: t.ContentHash, HashOK: t.ContentHash == approved})
		}
	}
	if len(f.Stages[stageDrafter].Signers) > 0 || rev.AuthorID == 0 {
		return f, nil
	}
	// No submission on record (history older than the workflow): name the
	// author at least.
	u, err := x.user(ctx, rev.AuthorID)
	if err != nil {
		return nil, err
	}
	r := transitionRecord{ActorID: rev.AuthorID, ActorUsername: u.Username, ActorDisplayName: u.DisplayName, ActorRole: cms.RoleEditor}
	f.Stages[stageDrafter].Signers = []signer{{Name: actorName(&r), Detail: actorDetail(&r), Time: local(rev.CreatedAt),
		Hash: rev.ContentHash, HashOK: rev.ContentHash == approved}}
	return f, nil
}

// cycle returns the indexes in trs of the last submission of rev before
// its publication and of the publication (the last transition when the
// history has none).
func cycle(rev *cms.Revision, trs []cms.Transition) (start, end int) {
	end = publishTransition(rev, trs)
	if end < 0 {
		end = len(trs) - 1
	}
	for i := 0; i <= end; i++ {
		if trs[i].RevisionID == rev.ID && trs[i].Event == cms.EventSubmit {
			start = i
		}
	}
	return start, end
}

// Stages of the form, in the order of the chain: indexes in stageLabels.
const (
	stageDrafter = iota
	stageDept
	stageLeader
	stageDirector
	stageSecrecy
	stagePublished
)

var stageLabels = []string{"拟稿人", "科室审核", "分管领导审核", "中心主任签发", "保密审查", "发布"}

// stageOf places a transition of the approving cycle on the form, or
// returns -1 for those only in the trail (withdrawals, rejections).
func stageOf(t *cms.Transition) int {
	switch t.Event {
	case cms.EventSubmit:
		return stageDrafter
	case cms.EventApprove:
		return stageDept
	case cms.EventSign:
		if t.ActorRole == cms.RoleDirector {
			return stageDirector
		}
		return stageLeader
	case cms.EventClear:
		return stageSecrecy
	case cms.EventRelease, cms.EventPublish:
		// 信息科's decision on the time, and the publication (carried out
		// by the scheduler on that decision, or by the system itself under
		// CMS_AUTO_PUBLISH). A release that lapsed with its publisher
		// (a system transition) is in the trail only.
		if t.Event == cms.EventRelease && t.ActorRole == cms.RoleSystem {
			return -1
		}
		return stagePublished
	}
	return -1
}

func actorName(r *transitionRecord) string {
	switch {
	case r.ActorDisplayName != "":
		return r.ActorDisplayName
	case r.ActorUsername != "":
		return r.ActorUsername
	}
	return "用户 #" + strconv.FormatInt(r.ActorID, 10)
}

func actorDetail(r *transitionRecord) string {
	d := roleLabel(r.ActorRole)
	if r.ActorUsername != "" && r.ActorID != 0 {
		d = r.ActorUsername + " · " + d
	}
	return d
}

// or returns name, or slug when there is no name.
func or(name, slug string) string {
	if name == "" {
		return slug
	}
	return name
}

// local formats a time for people: Beijing time to the second, "" for none.
func local(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cms.China).Format("2006-01-02 15:04:05")
}

// contacts names a department's contacts designated at at, when the
// source keeps them.
func (x *exporter) contacts(ctx context.Context, dept string, at time.Time) (string, error) {
	src, ok := x.src.(Contacts)
	if !ok {
		return "", nil
	}
	cs, err := src.Contacts(ctx, at)
	if err != nil {
		return "", err
	}
	var names []string
	for _, c := range cs {
		if c.Department == dept {
			names = append(names, or(c.User.DisplayName, c.User.Username))
		}
	}
	return strings.Join(names, "、"), nil
}

// or2 returns t, or def when t is zero.
func or2(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

package workflow_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/render"
	"github.com/tlhpf/cms/storage"
	"github.com/tlhpf/cms/storage/storagetest"
	"github.com/tlhpf/cms/workflow"
)

// benchEnv wires the workflow service over a database of the test dialect
// (CMS_TEST_DB) with an editor and a department head of 归集科.
func benchEnv(b *testing.B) (*cms.WorkflowService, *cms.ItemService, *cms.Principal, *cms.Principal) {
	flow, items, editor, head, _ := benchEnvDB(b)
	return flow, items, editor, head
}

// benchEnvDB is benchEnv that also returns the database.
func benchEnvDB(b *testing.B) (*cms.WorkflowService, *cms.ItemService, *cms.Principal, *cms.Principal, *storage.DB) {
	b.Helper()
	ctx := context.Background()
	db := storagetest.Open(b)
	az, err := rbac.NewAuthorizer(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	clock := cms.SystemClock{}
	hasher := rbac.Hasher{Params: rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}
	users := &cms.UserService{Users: db, Structure: db, Hasher: hasher, Authorizer: az, Audit: db, Clock: clock}
	mk := func(name string, role cms.Role) *cms.Principal {
		u, err := users.AddFromCLI(ctx, cms.NewUser{Username: name, Password: "Bench-Passw0rd", Department: "collection",
			Roles: []cms.RoleBinding{{Role: role, Department: "collection"}}})
		if err != nil {
			b.Fatal(err)
		}
		return &cms.Principal{User: u}
	}
	editor, head := mk("editor", cms.RoleEditor), mk("head", cms.RoleDeptHead)
	items := &cms.ItemService{Items: db, Structure: db, Authorizer: az, Audit: db, Clock: clock}
	flow := &cms.WorkflowService{Items: db, Users: db, Flow: db, Machine: workflow.Machine{}, Structure: db,
		Authorizer: az, Audit: db, Clock: clock, Renderer: render.Renderer{}, Secrecy: db}
	return flow, items, editor, head, db
}

func newRevision(b *testing.B, items *cms.ItemService, editor *cms.Principal) int64 {
	b.Helper()
	title, body := "缴存基数调整通知", "自2026年7月1日起调整。"
	_, rev, err := items.Create(context.Background(), editor, cms.NewItem{Column: "news", Content: cms.Content{Title: &title, Body: &body}})
	if err != nil {
		b.Fatal(err)
	}
	return rev.ID
}

// BenchmarkTransition measures one workflow transition with its history row
// and hash-chained audit entry, committed in one transaction (submit and
// withdraw alternating on one revision).
func BenchmarkTransition(b *testing.B) {
	flow, items, editor, _ := benchEnv(b)
	ctx := context.Background()
	rev := newRevision(b, items, editor)
	events := []cms.Event{cms.EventSubmit, cms.EventWithdraw}
	start := time.Now()
	i := 0
	for b.Loop() {
		if _, _, err := flow.Fire(ctx, editor, rev, events[i%2], "", 0); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "transitions/s")
}

// BenchmarkTransitionParallel runs transitions on many revisions at once,
// as several reviewers would.
func BenchmarkTransitionParallel(b *testing.B) {
	flow, items, editor, _ := benchEnv(b)
	ctx := context.Background()
	var next atomic.Int64
	revs := make([]int64, 64)
	for i := range revs {
		revs[i] = newRevision(b, items, editor)
	}
	var n atomic.Int64
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		rev := revs[next.Add(1)%int64(len(revs))]
		events := []cms.Event{cms.EventSubmit, cms.EventWithdraw}
		i := 0
		for pb.Next() {
			if _, _, err := flow.Fire(ctx, editor, rev, events[i%2], "", 0); err != nil {
				b.Fatal(err)
			}
			i++
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "transitions/s")
}

// BenchmarkOutboxCost measures what recording each transition's events in
// the outbox costs. Blocks of 20 transitions with the outbox off and on
// alternate, and each pair of neighbouring blocks gives one ratio, so that
// the machine's changing load weighs on both alike; the median ratio is
// reported as the drop in transitions per second (the goal: under 10 %).
func BenchmarkOutboxCost(b *testing.B) {
	flow, items, editor, _, db := benchEnvDB(b)
	ctx := context.Background()
	rev := newRevision(b, items, editor)
	events := []cms.Event{cms.EventSubmit, cms.EventWithdraw}
	const block = 20
	var blocks [2][]time.Duration
	var spent [2]time.Duration
	var start time.Time
	i := 0
	for b.Loop() {
		on := i/block%2 == 1
		if i%block == 0 {
			db.SetOutbox(on)
			start = time.Now()
		}
		if _, _, err := flow.Fire(ctx, editor, rev, events[i%2], "", 0); err != nil {
			b.Fatal(err)
		}
		i++
		if i%block == 0 {
			k := map[bool]int{false: 0, true: 1}[on]
			d := time.Since(start)
			blocks[k] = append(blocks[k], d)
			spent[k] += d
		}
	}
	db.SetOutbox(true)
	n := min(len(blocks[0]), len(blocks[1]))
	if n == 0 {
		return
	}
	ratios := make([]float64, n)
	for j := range n {
		ratios[j] = blocks[1][j].Seconds() / blocks[0][j].Seconds()
	}
	slices.Sort(ratios)
	b.ReportMetric(float64(n*block)/spent[0].Seconds(), "transitions/s_without")
	b.ReportMetric(float64(n*block)/spent[1].Seconds(), "transitions/s_with")
	b.ReportMetric(100*(1-1/ratios[n/2]), "%drop_median")
}

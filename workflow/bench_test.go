package workflow_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/render"
	"github.com/tlhpf/cms/storage/storagetest"
	"github.com/tlhpf/cms/workflow"
)

// benchEnv wires the workflow service over a database of the test dialect
// (CMS_TEST_DB) with an editor and a department head of 归集科.
func benchEnv(b *testing.B) (*cms.WorkflowService, *cms.ItemService, *cms.Principal, *cms.Principal) {
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
	return flow, items, editor, head
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

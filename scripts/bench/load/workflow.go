package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// workflow walks publications one request at a time: any connection whose
// turn is a write takes the next step of a publication in flight, or
// starts one.
type workflow struct {
	hc     *http.Client
	base   string
	tokens map[string]string // account → bearer token

	mu       sync.Mutex
	waiting  []*publication // publications between two steps
	inFlight map[int64]bool // items with a publication under way
	serial   int            // numbers the revisions' titles
}

// publication is one new revision of a live item on its way to publication.
type publication struct {
	item, revision int64
	next           int // index into chainSteps; -1 before the revision exists
}

// chainSteps are the transitions from draft to published, with who fires
// them (cms.DefaultSignoffChain: a leader, then the director).
var chainSteps = []struct{ account, event string }{
	{"bench-writer", "submit"}, {"bench-head", "approve"}, {"bench-leader", "sign"},
	{"bench-director", "sign"}, {"bench-secrecy", "clear"}, {"bench-publisher", "publish"},
}

func newWorkflow(ctx context.Context, hc *http.Client, base, password string) (*workflow, error) {
	w := &workflow{hc: hc, base: base, tokens: map[string]string{}, inFlight: map[int64]bool{}}
	for _, a := range []string{"bench-writer", "bench-head", "bench-leader", "bench-director", "bench-secrecy", "bench-publisher"} {
		var out struct {
			Token string `json:"token"`
		}
		if _, err := send(ctx, hc, http.MethodPost, base+"/api/v1/auth/login", "",
			map[string]string{"username": a, "password": password}, &out); err != nil {
			return nil, fmt.Errorf("sign in as %s (seed with -chain-password): %w", a, err)
		}
		w.tokens[a] = out.Token
	}
	return w, nil
}

// step sends one workflow request: the next step of a waiting publication,
// or a new revision of an item pick chooses.
func (w *workflow) step(ctx context.Context, res *result, pick func() int64) error {
	p := w.take(pick)
	if p == nil {
		return nil // every pick was busy: nothing sent
	}
	err := w.advance(ctx, res, p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil || p.next == len(chainSteps) {
		delete(w.inFlight, p.item) // done, or given up
	} else {
		w.waiting = append(w.waiting, p)
	}
	return err
}

// take returns a waiting publication, or a new one of a free item.
func (w *workflow) take(pick func() int64) *publication {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.waiting); n > 0 {
		p := w.waiting[n-1]
		w.waiting = w.waiting[:n-1]
		return p
	}
	for range 10 {
		if id := pick(); !w.inFlight[id] {
			w.inFlight[id] = true
			return &publication{item: id, next: -1}
		}
	}
	return nil
}

func (w *workflow) advance(ctx context.Context, res *result, p *publication) error {
	if p.next < 0 {
		w.mu.Lock()
		w.serial++
		title := "基准测试修订稿 " + strconv.Itoa(w.serial)
		w.mu.Unlock()
		var rev struct {
			ID int64 `json:"id"`
		}
		status, err := send(ctx, w.hc, http.MethodPost, w.base+"/api/v1/items/"+strconv.FormatInt(p.item, 10)+"/revisions",
			w.tokens["bench-writer"], map[string]string{"action": "publish", "title": title}, &rev)
		if status == http.StatusConflict {
			res.conflicts.Add(1) // a revision of this item is under way already
		}
		if err != nil {
			return err
		}
		p.revision, p.next = rev.ID, 0
		return nil
	}
	s := chainSteps[p.next]
	revPath := w.base + "/api/v1/revisions/" + strconv.FormatInt(p.revision, 10)
	var after struct {
		State string `json:"state"`
	}
	status, err := send(ctx, w.hc, http.MethodPost, revPath+"/transitions", w.tokens[s.account], map[string]string{"event": s.event}, &after)
	if status == http.StatusConflict && s.event == "publish" {
		// The scheduler publishes a cleared revision without a publication
		// time by itself, and may have done so first.
		if _, gerr := send(ctx, w.hc, http.MethodGet, revPath, w.tokens[s.account], nil, &after); gerr == nil && after.State == "published" {
			status, err = http.StatusOK, nil
		}
	}
	if status == http.StatusConflict {
		res.conflicts.Add(1)
	}
	if err != nil {
		return err
	}
	if p.next++; after.State == "published" {
		p.next = len(chainSteps)
	}
	if p.next == len(chainSteps) {
		res.published.Add(1)
	}
	return nil
}

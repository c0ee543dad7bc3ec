// Command load is the content benchmark's mixed run (scripts/bench-content.sh):
// readers ask for published items spread over all of them with a Zipf
// distribution, while a share of the requests walks new revisions of items
// through the editorial workflow to publication, so that content changes
// under the readers' feet and the public cache is refilled as it would be
// in production.
//
//	load -base http://127.0.0.1:8080 -items 100000 -password … -debug http://127.0.0.1:6060
//
// Every one of -c connections runs a closed loop until -d has passed. Each
// request is a read (GET /content/v1/items/{id}) or, with probability
// -writes, one step of a publication: a new revision of a live item
// (POST /api/v1/items/{id}/revisions, action publish), then submit,
// approve, two signatures, the secrecy clearance and publish, each by the
// account whose turn it is (the chain the seeder creates with
// -chain-password). Item ids are 1…-items, as the seeder numbers them; the
// most popular is the newest. Publications pick their items by the same
// distribution, one publication per item at a time.
//
// It prints KEY=VALUE lines on stdout: reads and their rate, p50, p99 and
// maximum latency, how many reads took over 200 ms, the cache's hit ratio
// over the run (from the server's /debug/vars, when -debug is given), the
// publications completed and the workflow requests' p99 and maximum.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	base, debug, password string
	conns, items          int
	dur                   time.Duration
	writes, zipfS         float64
}

func run() error {
	var c config
	flag.StringVar(&c.base, "base", "", "base URL of the cms server, e.g. http://127.0.0.1:8080")
	flag.StringVar(&c.debug, "debug", "", "base URL of the server's CMS_DEBUG_ADDR, for the cache's hit ratio")
	flag.StringVar(&c.password, "password", "", "password of the seeded chain accounts (seed -chain-password)")
	flag.IntVar(&c.conns, "c", 64, "connections, each a closed loop")
	flag.IntVar(&c.items, "items", 0, "published items, numbered 1…items")
	flag.DurationVar(&c.dur, "d", 30*time.Second, "duration")
	flag.Float64Var(&c.writes, "writes", 0.05, "share of the requests that are workflow steps")
	flag.Float64Var(&c.zipfS, "zipf", 1.1, "the Zipf distribution's exponent s (> 1)")
	flag.Parse()
	if c.base == "" || c.items < 2 || c.conns < 1 || c.zipfS <= 1 || c.writes < 0 || c.writes >= 1 {
		return errors.New("usage: load -base URL -items N [-c 64] [-d 30s] [-writes 0.05] [-password P] [-debug URL]")
	}
	if c.writes > 0 && c.password == "" {
		return errors.New("-writes needs -password")
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: c.conns, MaxConnsPerHost: c.conns, DisableCompression: true}}
	ctx := context.Background()
	var w *workflow
	if c.writes > 0 {
		var err error
		if w, err = newWorkflow(ctx, hc, c.base, c.password); err != nil {
			return err
		}
	}
	before, err := cacheCounts(hc, c.debug)
	if err != nil {
		return err
	}
	res := drive(ctx, hc, c, w)
	after, err := cacheCounts(hc, c.debug)
	if err != nil {
		return err
	}
	res.print(c, before, after)
	return nil
}

// result gathers what the connections measured.
type result struct {
	mu           sync.Mutex
	reads, steps []time.Duration
	readErrors   int
	stepErrors   int
	published    atomic.Int64
	conflicts    atomic.Int64
	elapsed      time.Duration
}

func drive(ctx context.Context, hc *http.Client, c config, w *workflow) *result {
	res := &result{}
	start := time.Now()
	deadline := start.Add(c.dur)
	var wg sync.WaitGroup
	for i := range c.conns {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))
			zipf := rand.NewZipf(rng, c.zipfS, 1, uint64(c.items-1))
			var reads, steps []time.Duration
			var readErrs, stepErrs int
			for time.Now().Before(deadline) {
				if w != nil && rng.Float64() < c.writes {
					t0 := time.Now()
					if err := w.step(ctx, res, func() int64 { return int64(c.items) - int64(zipf.Uint64()) }); err != nil {
						stepErrs++
						if stepErrs <= 3 {
							fmt.Fprintln(os.Stderr, "load: workflow:", err)
						}
					}
					steps = append(steps, time.Since(t0))
					continue
				}
				id := int64(c.items) - int64(zipf.Uint64())
				t0 := time.Now()
				status, err := get(ctx, hc, c.base+"/content/v1/items/"+strconv.FormatInt(id, 10))
				reads = append(reads, time.Since(t0))
				if err != nil || status != http.StatusOK {
					readErrs++
				}
			}
			res.mu.Lock()
			res.reads = append(res.reads, reads...)
			res.steps = append(res.steps, steps...)
			res.readErrors += readErrs
			res.stepErrors += stepErrs
			res.mu.Unlock()
		}(uint64(i + 1))
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func get(ctx context.Context, hc *http.Client, url string) (int, error) {
	rq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	rs, err := hc.Do(rq)
	if err != nil {
		return 0, err
	}
	defer rs.Body.Close()
	_, err = io.Copy(io.Discard, rs.Body)
	return rs.StatusCode, err
}

// send sends a JSON request with a bearer token and decodes a JSON answer
// into out (when not nil).
func send(ctx context.Context, hc *http.Client, method, url, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	rq, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	rq.Header.Set("Content-Type", "application/json")
	if token != "" {
		rq.Header.Set("Authorization", "Bearer "+token)
	}
	rs, err := hc.Do(rq)
	if err != nil {
		return 0, err
	}
	defer rs.Body.Close()
	b, err := io.ReadAll(rs.Body)
	if err != nil {
		return rs.StatusCode, err
	}
	if rs.StatusCode/100 != 2 {
		return rs.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, rs.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return rs.StatusCode, json.Unmarshal(b, out)
	}
	return rs.StatusCode, nil
}

// cacheCounts reads the public cache's hits and misses from /debug/vars.
func cacheCounts(hc *http.Client, debug string) ([2]int64, error) {
	if debug == "" {
		return [2]int64{}, nil
	}
	var v struct {
		Cache struct{ Hits, Misses int64 } `json:"content_cache"`
	}
	if _, err := send(context.Background(), hc, http.MethodGet, debug+"/debug/vars", "", nil, &v); err != nil {
		return [2]int64{}, err
	}
	return [2]int64{v.Cache.Hits, v.Cache.Misses}, nil
}

func (r *result) print(c config, before, after [2]int64) {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }
	q := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[min(len(ds)-1, int(p*float64(len(ds))))]
	}
	slices.Sort(r.reads)
	slices.Sort(r.steps)
	slow := len(r.reads) - sortSearch(r.reads, 200*time.Millisecond)
	fmt.Printf("READS=%d\nREAD_RPS=%.0f\nREAD_P50_MS=%s\nREAD_P99_MS=%s\nREAD_MAX_MS=%s\nREADS_OVER_200MS=%d\nREAD_ERRORS=%d\n",
		len(r.reads), float64(len(r.reads))/r.elapsed.Seconds(), ms(q(r.reads, 0.5)), ms(q(r.reads, 0.99)), ms(q(r.reads, 1)), slow, r.readErrors)
	hits, misses := after[0]-before[0], after[1]-before[1]
	if c.debug != "" && hits+misses > 0 {
		fmt.Printf("HIT_RATIO=%.3f\n", float64(hits)/float64(hits+misses))
	}
	fmt.Printf("WORKFLOW_REQUESTS=%d\nWORKFLOW_P99_MS=%s\nWORKFLOW_MAX_MS=%s\nWORKFLOW_ERRORS=%d\nPUBLISHED=%d\nCONFLICTS=%d\n",
		len(r.steps), ms(q(r.steps, 0.99)), ms(q(r.steps, 1)), r.stepErrors, r.published.Load(), r.conflicts.Load())
}

// sortSearch is the index of the first duration in sorted ds that is at least d.
func sortSearch(ds []time.Duration, d time.Duration) int {
	i, _ := slices.BinarySearch(ds, d)
	return i
}

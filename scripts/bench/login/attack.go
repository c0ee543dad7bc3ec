package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The hostile clients run in a child process of this program at the lowest
// CPU priority (nice 19): a real attacker's machines do not share the
// server's cores, so on one box the attack must not be measured as the
// server's own slowness. The child prints what it was answered as JSON.

// attackStats counts the answers the hostile clients got.
type attackStats struct {
	mu       sync.Mutex
	Statuses map[int]int `json:"statuses"`
	Errors   int         `json:"errors"`
}

func (a *attackStats) add(status int, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.Errors++
		return
	}
	a.Statuses[status]++
}

// startAttack runs the attack in a niced child process for o.attack and
// returns a function that waits for it and returns the answers it got.
func (b *bench) startAttack() (func() (*attackStats, error), error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("nice", "-n", "19", self, "-attacker", b.base, "-victims", strings.Join(b.victims, ","),
		"-clients", strconv.Itoa(b.o.clients), "-attack", b.o.attack.String(), "-pace", b.o.pace.String(),
		"-control="+strconv.FormatBool(b.o.control))
	cmd.Stderr = os.Stderr
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the attacker: %w", err)
	}
	return func() (*attackStats, error) {
		if err := cmd.Wait(); err != nil {
			return nil, fmt.Errorf("attacker: %w", err)
		}
		var st attackStats
		if err := json.Unmarshal([]byte(out.String()), &st); err != nil {
			return nil, fmt.Errorf("attacker output %q: %w", out.String(), err)
		}
		return &st, nil
	}, nil
}

func (b *bench) get(c *http.Client, path string) (int, error) {
	res, err := c.Get(b.base + path)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

// runAttacker is the child: it attacks base for o.attack and prints the answers.
func runAttacker(o options, base, victims string) error {
	b := &bench{o: o, base: base, victims: strings.Split(victims, ",")}
	ctx, cancel := context.WithTimeout(context.Background(), o.attack)
	defer cancel()
	st := &attackStats{Statuses: map[int]int{}}
	b.attack(ctx, st)
	return json.NewEncoder(os.Stdout).Encode(st)
}

// attack runs the hostile clients until ctx ends. Each keeps a login in
// flight from its own address, starting one at most every pace and paying
// no attention to Retry-After: wrong passwords for the victims and for
// made-up usernames, half each.
func (b *bench) attack(ctx context.Context, stats *attackStats) {
	var wg sync.WaitGroup
	for i := range b.o.clients {
		ip := fmt.Sprintf("127.1.%d.%d", i/250, i%250+1)
		wg.Go(func() {
			c := clientFrom(ip, 1)
			r := rand.New(rand.NewPCG(uint64(i), 7))
			next := time.Now().Add(time.Duration(r.Int64N(int64(b.o.pace) + 1))) // spread the starts
			for ctx.Err() == nil {
				if d := time.Until(next); d > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(d):
					}
				}
				next = time.Now().Add(b.o.pace)
				name := b.victims[r.IntN(len(b.victims))]
				if r.IntN(2) == 0 {
					name = "nobody-" + strconv.FormatUint(r.Uint64(), 36)
				}
				pw := "Guess-" + strconv.FormatUint(r.Uint64(), 36)
				var status int
				var err error
				if b.o.control {
					status, err = b.get(c, "/healthz")
				} else {
					status, _, err = b.post(c, "/api/v1/auth/login", "", map[string]string{"username": name, "password": pw})
				}
				if ctx.Err() != nil {
					return
				}
				stats.add(status, err)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
}

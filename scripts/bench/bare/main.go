// Command bare is the ceiling the content API benchmark compares against: a
// plain net/http server that answers the benchmarked URLs with the exact
// bytes and caching headers the cms server gave for them.
//
// At start it fetches each URL once from the running cms server (a plain
// GET without Accept-Encoding, as wrk sends), keeps the body and the
// Content-Type, ETag and Cache-Control headers, and then serves them on
// -addr at the same paths and query strings. Anything else is 404.
//
//	bare -upstream http://127.0.0.1:8080 -addr 127.0.0.1:8081 \
//	     /content/v1/items/500 /content/v1/columns/news/items '/content/v1/search?q=%E6%8F%90%E5%8F%96'
//
// It prints "ready" on stdout once it listens, and stops on SIGINT/SIGTERM
// or after -max-lifetime, so that a benchmark never leaves it behind.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// copied are the response headers the ceiling writes as the cms does.
var copied = []string{"Content-Type", "ETag", "Cache-Control"}

type response struct {
	header http.Header
	body   []byte
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run() error {
	upstream := flag.String("upstream", "", "base URL of the running cms server, e.g. http://127.0.0.1:8080")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	lifetime := flag.Duration("max-lifetime", 30*time.Minute, "exit after this long whatever happens")
	flag.Parse()
	if *upstream == "" || flag.NArg() == 0 {
		return errors.New("usage: bare -upstream URL [-addr HOST:PORT] PATH...")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: only loopback addresses", *addr)
	}
	// No Accept-Encoding at all, as wrk sends: the transport must not add gzip.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	routes := map[string]*response{}
	for _, path := range flag.Args() {
		r, err := fetch(client, *upstream+path)
		if err != nil {
			return err
		}
		routes[path] = r
		fmt.Fprintf(os.Stderr, "bare: %s: %d bytes, ETag %s\n", path, len(r.body), r.header.Get("ETag"))
	}

	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, ok := routes[req.URL.RequestURI()]
		if !ok || req.Method != http.MethodGet {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		for k, v := range r.header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(r.body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Println("ready", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	return srv.Shutdown(sctx)
}

// fetch GETs url and keeps what the ceiling replays.
func fetch(client *http.Client, url string) (*response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, body)
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" {
		return nil, fmt.Errorf("GET %s: got Content-Encoding %s, want none", url, enc)
	}
	h := http.Header{}
	for _, k := range copied {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[http.CanonicalHeaderKey(k)] = v
		}
	}
	return &response{header: h, body: body}, nil
}

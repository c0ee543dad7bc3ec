package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server is a running `cms serve` and what it logged.
type server struct {
	base string
	log  *syncBuffer
}

// startServe runs `cms serve` until the test ends.
func startServe(t *testing.T, getenv func(string) string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{base: "http://" + getenv("CMS_ADDR"), log: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &bytes.Buffer{}, s.log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v\n%s", err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// call sends a JSON request and decodes the answer into out.
func (s *server) call(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// throttled yields its bytes a chunk at a time, one chunk per tick, and
// after stallAt bytes (when set) none until the test ends: a phone on a
// slow link, or one that lost its link.
type throttled struct {
	data    []byte
	chunk   int
	tick    time.Duration
	stallAt int
	stall   <-chan struct{}
	sent    int
}

func (r *throttled) Read(p []byte) (int, error) {
	if r.sent == len(r.data) {
		return 0, io.EOF
	}
	if r.stallAt > 0 && r.sent >= r.stallAt {
		<-r.stall
		return 0, io.ErrUnexpectedEOF
	}
	time.Sleep(r.tick)
	n := copy(p[:min(len(p), r.chunk)], r.data[r.sent:])
	r.sent += n
	return n, nil
}

// TestSlowTransfers runs `cms serve` with its timeouts scaled down (a
// second to read a request or write an answer, a second for a file
// transfer without a byte moving) and moves files over real sockets: a
// slow upload and a slow download that take longer than the read and
// write timeouts succeed; an upload that stops sending gets 408, and a
// download whose client stops reading is cut off, each logged as a
// timeout.
func TestSlowTransfers(t *testing.T) {
	getenv := testEnv(t, map[string]string{"CMS_ADDR": freeAddr(t), "CMS_ADMIN_PASSWORD": "Adm1n-Test-Passw0rd",
		"CMS_READ_TIMEOUT": "1s", "CMS_WRITE_TIMEOUT": "1s", "CMS_TRANSFER_IDLE_TIMEOUT": "1s", "CMS_CONTENT_RATE": "0",
		// The transfers are under test, not the password hash: a cheap one
		// keeps the login well inside the one-second write timeout on a
		// busy machine.
		"CMS_ARGON2_MEMORY_KIB": "1024", "CMS_ARGON2_TIME": "1"})
	if _, _, err := runCmd(t, getenv, "Editor-Passw0rd\n", "user", "add", "-username", "zhou", "-department", "collection", "-role", "editor:collection"); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, getenv)
	var login struct{ Token string }
	if st := s.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "zhou", "password": "Editor-Passw0rd"}, &login); st != 200 {
		t.Fatalf("login: %d", st)
	}
	var item struct{ Revision struct{ ID int64 } }
	if st := s.call(t, "POST", "/api/v1/items", login.Token, map[string]string{"column": "guides-deposit", "title": "慢速上传"}, &item); st != 201 {
		t.Fatalf("create item: %d", st)
	}
	uploadURL := fmt.Sprintf("%s/api/v1/revisions/%d/attachments", s.base, item.Revision.ID)
	upload := func(body io.Reader, size int, ct string) (*http.Response, time.Duration) {
		req, _ := http.NewRequest("POST", uploadURL, body)
		req.ContentLength = int64(size)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("upload: %v\n%s", err, s.log.String())
		}
		return res, time.Since(start)
	}
	stall := make(chan struct{})
	defer close(stall)

	// 300 KiB at about 100 KiB/s: three times the read timeout.
	body, ct, _ := pdfForm(t, 300<<10)
	res, took := upload(&throttled{data: body, chunk: 10 << 10, tick: 100 * time.Millisecond}, len(body), ct)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || took < 2*time.Second {
		t.Fatalf("slow upload: %d after %v\n%s", res.StatusCode, took, s.log.String())
	}

	// 64 KiB, then nothing: 408 once the idle timeout has passed, not the read timeout's 400.
	res, took = upload(&throttled{data: body, chunk: 16 << 10, tick: 10 * time.Millisecond, stallAt: 64 << 10, stall: stall}, len(body), ct)
	var p struct{ Code string }
	json.NewDecoder(res.Body).Decode(&p)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout || p.Code != "request_timeout" || took > 5*time.Second {
		t.Errorf("stalled upload: %d %q after %v", res.StatusCode, p.Code, took)
	}
	if !strings.Contains(s.log.String(), "upload timed out") {
		t.Errorf("no timeout in the log:\n%s", s.log.String())
	}

	// A file larger than the sockets' buffers, sent at full speed.
	big, ct, size := pdfForm(t, 24<<20)
	res, _ = upload(bytes.NewReader(big), len(big), ct)
	var att struct{ URL string }
	json.NewDecoder(res.Body).Decode(&att)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d", res.StatusCode)
	}

	// Read at about 12 MiB/s: twice the write timeout, and it all arrives.
	req, _ := http.NewRequest("GET", s.base+att.URL, nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	for buf := make([]byte, 256<<10); ; {
		n, err := io.ReadFull(res.Body, buf)
		got += int64(n)
		if err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.Body.Close()
	if got != int64(size) {
		t.Errorf("slow download: %d of %d bytes\n%s", got, size, s.log.String())
	}

	// A client with a small receive buffer that stops reading is cut off.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", att.URL, login.Token)
	time.Sleep(3 * time.Second)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _ := io.Copy(io.Discard, conn)
	if n >= int64(size) {
		t.Errorf("a client that stopped reading got the whole file (%d bytes)", n)
	}
	t.Logf("a client that stopped reading got %d of %d bytes", n, size)
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(s.log.String(), "download timed out"); {
		if time.Now().After(deadline) {
			t.Errorf("no download timeout in the log:\n%s", s.log.String())
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pdfForm is a multipart form with a PDF of about size bytes in the field
// "file", its content type and the PDF's exact size.
func pdfForm(t *testing.T, size int) ([]byte, string, int) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("file", "slow.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef\n"), size/17)...)
	part.Write(pdf)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType(), len(pdf)
}

package api

// Uploads and downloads of files may take as long as they need while bytes
// flow: a phone on a slow link sends 20 MiB in minutes, well past the
// server's read and write timeouts, which are meant for JSON. They fail
// only when nothing has moved for the idle timeout (Options.TransferIdle),
// and such a failure is reported as what it is: a timeout.

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// transfer pushes a connection's read and write deadlines forward as the
// bytes of a file move, so that only an idle spell ends it.
type transfer struct {
	rc   *http.ResponseController
	idle time.Duration
	next time.Time // when the deadlines are due to be pushed again
}

// newTransfer starts the idle clock of a request that moves a file.
func newTransfer(w http.ResponseWriter, idle time.Duration) *transfer {
	t := &transfer{rc: http.NewResponseController(w), idle: idle}
	t.progress()
	return t
}

// progress records that bytes moved. The deadlines are pushed at most
// every quarter of the idle time, so a transfer is cut after between
// three quarters of it and all of it without a byte.
func (t *transfer) progress() {
	now := time.Now()
	if now.Before(t.next) {
		return
	}
	t.next = now.Add(t.idle / 4)
	// Where the writer cannot set deadlines (a recorder in tests), there
	// are none to push.
	_ = t.rc.SetReadDeadline(now.Add(t.idle))
	_ = t.rc.SetWriteDeadline(now.Add(t.idle))
}

// answer gives the server time to write the answer to a transfer that
// ended, even one that ended because the deadlines passed.
func (t *transfer) answer() {
	_ = t.rc.SetWriteDeadline(time.Now().Add(t.idle))
}

// reader counts the bytes read from r as progress.
func (t *transfer) reader(r io.ReadCloser) io.ReadCloser { return &progressReader{r, t} }

type progressReader struct {
	io.ReadCloser
	t *transfer
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	if n > 0 {
		p.t.progress()
	}
	return n, err
}

// timedOut reports whether err is a connection's deadline passing.
func timedOut(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

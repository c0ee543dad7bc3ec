package storage

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// AnchorFile is the append-only file of audit anchors (cms.AnchorLog),
// kept beside the database but outside it: one line per anchor, written
// with O_APPEND and synced, never rewritten.
type AnchorFile struct {
	Path string
}

var _ cms.AnchorLog = AnchorFile{}

// AppendAnchor adds one line.
func (f AnchorFile) AppendAnchor(a cms.AuditAnchor) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	w, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := w.WriteString(a.String() + "\n"); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// Anchors reads every line; a missing file holds none. It also reads the
// Audit-Anchor tags of an archive's bag-info.txt, so that
// cms audit verify -anchors bag-info.txt checks an archive's anchor.
func (f AnchorFile) Anchors() ([]cms.AuditAnchor, error) {
	r, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []cms.AuditAnchor
	sc := bufio.NewScanner(r)
	name := filepath.Base(f.Path)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if label, value, ok := strings.Cut(line, ": "); ok {
			// A bag-info.txt: its Audit-Anchor tag is an anchor line, its
			// other tags are not anchors at all.
			if label != "Audit-Anchor" {
				continue
			}
			line = value
		}
		if line == "" {
			continue
		}
		a, err := cms.ParseAuditAnchor(line)
		if err != nil {
			a = cms.AuditAnchor{Invalid: err.Error()}
		}
		a.Source, a.Line = name, n
		out = append(out, a)
	}
	return out, sc.Err()
}

package cms

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// AuditEntryMAC is the keyed MAC of an appended entry: over its sequence
// number and chain hash, which covers its content and, through the previous
// hash, everything before it. Someone who rewrites the chain in the
// database can recompute every hash but not these.
func (k *Keys) AuditEntryMAC(e *AuditEntry) string {
	return k.auditMAC("audit_entry/v1", func(w *macWriter) { w.int(e.Seq); w.str(e.Hash) })
}

// AuditEpoch records where the keyed MACs of the audit chain begin: the
// entries before KeyedFrom were appended before the key existed and carry
// only their hashes; PrevHash, the hash of entry KeyedFrom-1, pins them.
// It is stored in the database with a MAC, so it cannot be moved without
// the key, and written to the anchor file when the key is installed.
type AuditEpoch struct {
	KeyedFrom int64
	PrevHash  string
	At        time.Time
	MAC       string
}

func (k *Keys) epochMAC(e *AuditEpoch) string {
	return k.auditMAC("audit_epoch/v1", func(w *macWriter) {
		w.int(e.KeyedFrom)
		w.str(e.PrevHash)
		w.int(e.At.UTC().UnixMicro())
	})
}

// SealEpoch sets the MAC of an epoch.
func (k *Keys) SealEpoch(e *AuditEpoch) { e.MAC = k.epochMAC(e) }

// AuditAnchor is the chain's head at a moment, written outside the
// database (the anchor file, the log, each archive's bag-info.txt) with a
// MAC: a later rewrite of the entries up to Seq, or their removal, no
// longer matches it, even by someone who holds the key afterwards.
type AuditAnchor struct {
	Seq  int64
	Hash string
	At   time.Time
	Kind string // AnchorEpoch, AnchorPeriodic or AnchorArchive
	MAC  string
	// Where it was read from, for reports: a file name and line, and why
	// the line could not be read, if it could not.
	Source  string
	Line    int
	Invalid string
}

// Kinds of anchors.
const (
	AnchorEpoch    = "epoch"    // the key was installed
	AnchorPeriodic = "periodic" // written by every patrol
	AnchorArchive  = "archive"  // written into an archive's bag-info.txt
)

func (k *Keys) anchorMAC(a *AuditAnchor) string {
	return k.auditMAC("audit_anchor/v1", func(w *macWriter) {
		w.int(a.Seq)
		w.str(a.Hash)
		w.int(a.At.UTC().Unix())
		w.str(a.Kind)
	})
}

// String formats an anchor as one line of the anchor file.
func (a AuditAnchor) String() string {
	return "at=" + a.At.UTC().Format(time.RFC3339) + " seq=" + strconv.FormatInt(a.Seq, 10) + " hash=" + a.Hash +
		" kind=" + a.Kind + " mac=" + a.MAC
}

// Where names where an anchor was read from, e.g. "audit.anchor line 3".
func (a AuditAnchor) Where() string {
	if a.Line == 0 {
		return a.Source
	}
	return a.Source + " line " + strconv.Itoa(a.Line)
}

// ParseAuditAnchor reads a line written by AuditAnchor.String.
func ParseAuditAnchor(line string) (AuditAnchor, error) {
	var a AuditAnchor
	seen := map[string]bool{}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || seen[k] {
			return a, errors.New("not an anchor line")
		}
		seen[k] = true
		var err error
		switch k {
		case "at":
			a.At, err = time.Parse(time.RFC3339, v)
		case "seq":
			a.Seq, err = strconv.ParseInt(v, 10, 64)
		case "hash":
			a.Hash = v
		case "kind":
			a.Kind = v
		case "mac":
			a.MAC = v
		}
		if err != nil {
			return a, errors.New("unreadable " + k)
		}
	}
	if len(seen) != 5 || a.Seq < 0 || len(a.Hash) != len(AuditGenesis) {
		return a, errors.New("not an anchor line")
	}
	return a, nil
}

// ErrKeyMismatch reports a key file that is not the one the database was
// sealed with.
var ErrKeyMismatch = errors.New("the key file is not the key this database was sealed with")

// InstallKeys makes sure the database is sealed with keys: the first time,
// it records their fingerprint and the audit chain's epoch, and anchors the
// chain's head; afterwards it checks that the fingerprint matches, so that
// a server with the wrong key refuses to start rather than take everything
// offline as tampered. It reports whether it installed the keys.
func InstallKeys(ctx context.Context, store KeyStore, keys *Keys, anchors AnchorLog, now time.Time) (bool, error) {
	fp, epoch, installed, err := store.InstallKey(ctx, keys.Fingerprint(), now, keys.SealEpoch)
	if err != nil {
		return false, err
	}
	if fp != keys.Fingerprint() {
		return false, ErrKeyMismatch
	}
	if installed && anchors != nil {
		a := AuditAnchor{Seq: epoch.KeyedFrom - 1, Hash: epoch.PrevHash, At: now, Kind: AnchorEpoch}
		a.MAC = keys.anchorMAC(&a)
		if err := anchors.AppendAnchor(a); err != nil {
			return true, err
		}
	}
	return installed, nil
}

// AnchorAudit writes the chain's head to the anchor log and returns the
// anchor, for the caller to put in its own records too (the log, a bag).
func AnchorAudit(ctx context.Context, log AuditLog, keys *Keys, anchors AnchorLog, kind string, now time.Time) (AuditAnchor, error) {
	seq, hash, err := log.AuditHead(ctx)
	if err != nil {
		return AuditAnchor{}, err
	}
	if seq == 0 {
		hash = AuditGenesis
	}
	a := AuditAnchor{Seq: seq, Hash: hash, At: now.UTC().Truncate(time.Second), Kind: kind}
	a.MAC = keys.anchorMAC(&a)
	if anchors != nil {
		if err := anchors.AppendAnchor(a); err != nil {
			return a, err
		}
	}
	return a, nil
}

package cms

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Audit actions: what an audit entry records.
const (
	AuditLogin            = "login"
	AuditLoginFailed      = "login_failed"
	AuditLogout           = "logout"
	AuditPasswordChanged  = "password_changed"
	AuditUserCreated      = "user_created"
	AuditUserUpdated      = "user_updated"
	AuditItemCreated      = "item_created"
	AuditRevisionCreated  = "revision_created"
	AuditRevisionEdited   = "revision_edited"
	AuditTransition       = "transition"
	AuditPermissionDenied = "permission_denied"
	AuditSignoffChain     = "signoff_chain_changed"
	AuditAccountUnlocked  = "account_unlocked"
	// Second factors.
	AuditOTPEnrolmentStarted = "otp_enrolment_started"
	AuditOTPEnabled          = "otp_enabled"
	AuditOTPReset            = "otp_reset"
	AuditRecoveryCodeUsed    = "otp_recovery_code_used"
)

// AuditEntry is one line of the tamper-evident audit log. The store assigns
// Seq and chains Hash to the previous entry's hash.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	ActorID  int64  // 0: the system or an anonymous caller
	Action   string // one of the Audit* constants
	Subject  string // what it is about, e.g. "revision:42", "user:7"
	Detail   string // canonical JSON object
	PrevHash string
	Hash     string
	// MAC is the keyed MAC of the entry (Keys.AuditEntryMAC), empty on
	// entries appended before the key was installed.
	MAC string
}

// NewAuditEntry builds an entry with its detail in canonical JSON
// (encoding/json sorts map keys).
func NewAuditEntry(at time.Time, actorID int64, action, subject string, detail map[string]any) AuditEntry {
	if detail == nil {
		detail = map[string]any{}
	}
	b, _ := json.Marshal(detail)
	return AuditEntry{At: at.UTC().Truncate(time.Microsecond), ActorID: actorID, Action: action, Subject: subject, Detail: string(b)}
}

// AuditGenesis is the previous hash of the first entry.
const AuditGenesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainHash returns the hash of e chained to prev: sha256 over prev and a
// canonical encoding of the entry's fields, so that editing, removing or
// reordering any entry breaks every hash after it.
func (e *AuditEntry) ChainHash(prev string) string {
	h := sha256.New()
	for _, part := range []string{prev, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		strconv.FormatInt(e.ActorID, 10), e.Action, e.Subject, e.Detail} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditProblem names the first entry where the chain breaks.
type AuditProblem struct {
	Seq    int64
	Kind   string // one of the Audit* problem kinds (VerifyAuditChain)
	Reason string
}

// VerifyAudit walks the whole chain and returns how many entries it checked
// and the first break, if any: a gap in the sequence (a deleted entry), a
// previous hash that does not match, or a hash that does not match the
// entry's content (an edited entry).
func VerifyAudit(ctx context.Context, log AuditLog) (int64, *AuditProblem, error) {
	prev, want, n := AuditGenesis, int64(1), int64(0)
	for {
		batch, err := log.AuditEntries(ctx, want-1, 1000)
		if err != nil {
			return n, nil, err
		}
		if len(batch) == 0 {
			seq, hash, err := log.AuditHead(ctx)
			if err != nil {
				return n, nil, err
			}
			if seq != want-1 || (seq > 0 && hash != prev) {
				return n, &AuditProblem{Seq: want, Kind: AuditTruncated, Reason: "the log ends at entry " + strconv.FormatInt(want-1, 10) +
					" but entry " + strconv.FormatInt(seq, 10) + " was the last appended (entries removed from the end)"}, nil
			}
			return n, nil, nil
		}
		for i := range batch {
			e := &batch[i]
			switch {
			case e.Seq != want:
				return n, &AuditProblem{Seq: want, Kind: AuditMissingEntry, Reason: "entry " + strconv.FormatInt(want, 10) + " is missing (next is " + strconv.FormatInt(e.Seq, 10) + ")"}, nil
			case e.PrevHash != prev:
				return n, &AuditProblem{Seq: e.Seq, Kind: AuditBrokenLink, Reason: "previous hash does not match the entry before it"}, nil
			case e.ChainHash(prev) != e.Hash:
				return n, &AuditProblem{Seq: e.Seq, Kind: AuditEditedEntry, Reason: "content does not match its hash (edited)"}, nil
			}
			prev, want, n = e.Hash, want+1, n+1
		}
	}
}

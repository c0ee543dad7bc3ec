package cms

import (
	"context"
	"io"
	"time"
)

// The persistence ports: what the services need kept, each implemented by
// package storage (bun on SQLite or PostgreSQL), and the blob stores
// (a local folder or S3). Every method that changes something takes the
// audit entry that records it and commits both in one transaction.

// UserStore persists users, their credentials, role bindings and sessions.
type UserStore interface {
	OTPStore
	// CreateUser stores u with its role bindings in effect, its password hash
	// and its pending grants (setting their ids, each audited as
	// requested), setting u.ID.
	CreateUser(ctx context.Context, u *User, passwordHash string, requests []Grant, audit AuditEntry) error
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserByUsername returns the user and their password hash.
	UserByUsername(ctx context.Context, username string) (*User, string, error)
	Users(ctx context.Context, f UserFilter) ([]User, error)
	CountUsers(ctx context.Context) (int, error)
	// UpdateUser applies an account change.
	UpdateUser(ctx context.Context, c *AccountChange) error
	// SetPassword replaces the hash with one its owner chose, records when it
	// changed, clears failed logins and the must-change flag. The hash joins
	// the account's history, which keeps PasswordHistoryLength.
	SetPassword(ctx context.Context, userID int64, hash string, changedAt time.Time, audit AuditEntry) error
	// PasswordHistory returns the hashes of the account's last n passwords, newest first.
	PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error)
	// ReserveAttempt counts a password check before it is made, in one
	// atomic step with the decision: it adds one to the user's failed-login
	// count unless the account is locked at now or threshold checks are
	// already counted. N is 0 when nothing was reserved; LockedUntil then
	// says whether the account is locked.
	ReserveAttempt(ctx context.Context, userID int64, threshold int, now time.Time) (Attempt, error)
	// ReleaseAttempt gives a reservation back (the check was not made, or it
	// proved the password without completing a login), recording audit when given.
	ReleaseAttempt(ctx context.Context, a Attempt, audit *AuditEntry) error
	// FailAttempt settles a reserved check that failed. When the count has
	// reached threshold it locks the account until lockUntil, restarts the
	// count and ends every session of the user, in the transaction of the
	// audit entry, and reports that it locked.
	FailAttempt(ctx context.Context, a Attempt, threshold int, lockUntil time.Time, audit AuditEntry) (bool, error)
	// UnlockUser clears the lock and the failed-login count.
	UnlockUser(ctx context.Context, userID int64, audit AuditEntry) error
	// CreateSession stores a new session, deletes the user's expired ones
	// and clears failed logins and the lock of its user: a successful login
	// settles its reservation.
	CreateSession(ctx context.Context, s *Session, audit AuditEntry) error
	SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Session, error)
	// TouchSession moves the end of a session to expiresAt (console sessions
	// end after a while without activity).
	TouchSession(ctx context.Context, id int64, expiresAt time.Time) error
	DeleteSession(ctx context.Context, id int64, audit AuditEntry) error
	// DeleteUserSessions revokes every session of a user except keep (0: all).
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
	// PurgeSessions deletes every session that expired at or before now
	// and returns how many.
	PurgeSessions(ctx context.Context, now time.Time) (int, error)
}

// GrantStore persists grants. Requests are stored with the account change
// that makes them (UserStore.CreateUser, UserStore.UpdateUser).
type GrantStore interface {
	Grants(ctx context.Context, f GrantFilter) ([]Grant, error)
	Grant(ctx context.Context, id int64) (*Grant, error)
	// DecideGrant stores g's decision if g is still pending (a conflict
	// otherwise) and, when confirmed, applies it: the role binding is
	// added, or the password replaced (one-time, every session ended).
	DecideGrant(ctx context.Context, g *Grant, audit AuditEntry) error
}

// OTPStore keeps the second factors.
type OTPStore interface {
	// OTPSecrets returns the sealed secret of the account ("" until
	// enrolment is confirmed) and of an enrolment under way.
	OTPSecrets(ctx context.Context, userID int64) (secret, pending string, err error)
	// StartOTP stores a pending secret unless the account has a second
	// factor already (conflict).
	StartOTP(ctx context.Context, userID int64, pending string, audit AuditEntry) error
	// EnableOTP makes pending the account's secret if it is still the
	// pending one (conflict otherwise), marks step used and replaces the
	// recovery codes with codeHashes.
	EnableOTP(ctx context.Context, userID int64, pending string, step int64, codeHashes []string, at time.Time, audit AuditEntry) error
	// UseOTPStep records that the code of step was used, unless a code of
	// that step or a later one was used already (false).
	UseOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// UseRecoveryCode marks an unused recovery code used (false when there
	// is none with that hash).
	UseRecoveryCode(ctx context.Context, userID int64, codeHash string, at time.Time, audit AuditEntry) (bool, error)
	// ResetOTP removes the second factor, its recovery codes and every
	// session of the account.
	ResetOTP(ctx context.Context, userID int64, audit AuditEntry) error
}

// ItemStore persists items and their revisions.
type ItemStore interface {
	// CreateItem stores a new item with its first revision, setting their IDs.
	CreateItem(ctx context.Context, it *Item, rev *Revision, audit AuditEntry) error
	Item(ctx context.Context, id int64) (*Item, error)
	// Items lists items newest first.
	Items(ctx context.Context, f ItemFilter) ([]Item, error)
	Revision(ctx context.Context, id int64) (*Revision, error)
	// Revisions lists the revisions of an item, oldest first.
	Revisions(ctx context.Context, itemID int64) ([]Revision, error)
	// UpdateRevision stores rev's content when its stored version is still
	// rev.Version-1 and it is in the same state; otherwise it returns a
	// precondition error and changes nothing. The audit entry's actor joins
	// the revision's editors in the same transaction.
	UpdateRevision(ctx context.Context, rev *Revision, audit AuditEntry) error
	// AddRevision stores a new head revision of it when the item's head is
	// still the one the caller saw; otherwise a conflict.
	AddRevision(ctx context.Context, it *Item, rev *Revision, prevHead int64, audit AuditEntry) error
	// RevisionEditors lists the users who changed a revision's content,
	// fields or attachments, its author first: every store method that
	// changes them records its actor in the change's transaction.
	RevisionEditors(ctx context.Context, revID int64) ([]int64, error)
	// EditorsOf is RevisionEditors for several revisions at once.
	EditorsOf(ctx context.Context, revIDs []int64) (map[int64][]int64, error)
}

// WorkflowStore persists transitions and the public projection they keep.
type WorkflowStore interface {
	ProjectionStore
	ApplyTransition(ctx context.Context, c *Change) error
	Transitions(ctx context.Context, f TransitionFilter) ([]Transition, error)
	// Pending returns in-flight revisions f selects, with their items and
	// files, oldest in their state first (by state_since, then id).
	Pending(ctx context.Context, f PendingFilter) ([]Pending, error)
	// CurrentCycles returns, for each revision, its transitions since its
	// last submission, oldest first.
	CurrentCycles(ctx context.Context, revIDs []int64) (map[int64][]Transition, error)
	// DueToPublish returns scheduled revisions a publisher released for a
	// time that has come and, when auto, unreleased ones whose publish_at
	// (if any) has come.
	DueToPublish(ctx context.Context, now time.Time, auto bool) ([]int64, error)
	// DueToArchive returns live revisions whose expire_at has come.
	DueToArchive(ctx context.Context, now time.Time) ([]int64, error)
	SignoffChain(ctx context.Context, column string) ([]Role, error)
	SetSignoffChain(ctx context.Context, column string, chain []Role, audit AuditEntry) error
}

// ProjectionStore finds projection rows that lack their HTML or their seal
// and rewrites them.
type ProjectionStore interface {
	// Unsealed returns up to limit visible items after item afterID, by
	// item id, whose projection row carries no MAC.
	Unsealed(ctx context.Context, afterID int64, limit int) ([]PublicItem, error)
	// Undocumented is Unsealed for rows that hold no stored documents.
	Undocumented(ctx context.Context, afterID int64, limit int) ([]PublicItem, error)
	// SaveDocuments stores the documents (Doc, Entry and their MACs) of
	// rows that still hold the revision and MAC of ps; it reports how many.
	SaveDocuments(ctx context.Context, ps []PublicItem) (int, error)
	// SaveProjection rewrites the item's row from p unless the item's live
	// revision is no longer p.RevisionID; it reports whether it did.
	SaveProjection(ctx context.Context, p *PublicItem) (bool, error)
}

// ContentStore reads the public projection.
type ContentStore interface {
	PublicItem(ctx context.Context, itemID int64) (*PublicItem, error)
	PublicItems(ctx context.Context, f PublicFilter) ([]PublicItem, error)
	// ItemDocument returns a visible item's stored detail document: only
	// ItemID, RevisionID, Doc and DocMAC are set.
	ItemDocument(ctx context.Context, itemID int64) (*PublicItem, error)
	// ListEntries lists visible items' stored listing entries as
	// PublicItems does: only ItemID, RevisionID, PublishedAt, Entry and
	// EntryMAC are set.
	ListEntries(ctx context.Context, f PublicFilter) ([]PublicItem, error)
	Search(ctx context.Context, phrases [][]string, f PublicFilter) ([]SearchHit, error)
	// Changes returns, for items changed after seq, each item's latest change, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]ContentChange, error)
	// ContentVersion is the sequence number of the latest public change.
	ContentVersion(ctx context.Context) (int64, error)
	// ColumnVersion is a column's version: the sequence number of the
	// latest change of one of its items or of the structure.
	ColumnVersion(ctx context.Context, column string) (int64, error)
	// ListingPage returns a column's stored first listing page if it was
	// built at the column's current version (ENOTFOUND otherwise).
	ListingPage(ctx context.Context, column string) (*ListingPage, error)
	// SaveListingPage stores a column's first listing page unless one of
	// a later version is stored.
	SaveListingPage(ctx context.Context, p *ListingPage) error
	Channel(ctx context.Context, slug string) (*Channel, error)
}

// StructureStore reads the organisational structure: departments, channels,
// menus and columns.
type StructureStore interface {
	Departments(ctx context.Context) ([]Department, error)
	Channels(ctx context.Context) ([]Channel, error)
	// Menu returns the flat entries of a channel's menu in tree order.
	Menu(ctx context.Context, channel string) ([]MenuEntry, error)
	Columns(ctx context.Context) ([]Column, error)
	Column(ctx context.Context, slug string) (*Column, error)
}

// MenuStore changes menus and channel maintenance notices.
type MenuStore interface {
	MenuEntry(ctx context.Context, id int64) (*MenuEntry, error)
	// SetMenuEntry stores every field of e and its MAC.
	SetMenuEntry(ctx context.Context, e *MenuEntry, audit AuditEntry) error
	Channel(ctx context.Context, slug string) (*Channel, error)
	// SetMaintenance stores a channel's name, place, maintenance notice
	// and MAC.
	SetMaintenance(ctx context.Context, ch *Channel, audit AuditEntry) error
}

// MediaStore persists attachments.
type MediaStore interface {
	// AddAttachment stores a to rev (a draft) and the revision's new version
	// and content hash, if the revision is still at rev.Version-1. The audit
	// entry's actor joins the revision's editors.
	AddAttachment(ctx context.Context, rev *Revision, a *Attachment, audit AuditEntry) error
	// RemoveAttachment removes one from rev likewise.
	RemoveAttachment(ctx context.Context, rev *Revision, attachmentID int64, audit AuditEntry) error
	// BlobReferenced reports whether any revision uses the blob.
	BlobReferenced(ctx context.Context, key string) (bool, error)
}

// Blob is an open stored file.
type Blob interface {
	io.ReadSeekCloser
	Size() int64
}

// BlobStore keeps file bytes by key (package storage: a local folder or S3).
type BlobStore interface {
	// Put stores r (size bytes) under key; storing an existing key again is a no-op.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (Blob, error)
	Stat(ctx context.Context, key string) (BlobInfo, error)
	Delete(ctx context.Context, key string) error
	Walk(ctx context.Context, fn func(BlobInfo) error) error
	// Presign returns a URL that fetches the blob directly for ttl, with
	// the given download name and type, or ErrNoPresign.
	Presign(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error)
}

// Pinger is a store that can tell cheaply whether it answers, for the
// readiness probe (the blob stores of package storage are).
type Pinger interface {
	Ping(ctx context.Context) error
}

// PatrolStore lists what is live and keeps patrol reports.
type PatrolStore interface {
	// LiveRevisions calls fn with the id of every published revision.
	LiveRevisions(ctx context.Context, fn func(revisionID int64) error) error
	// ProjectionRows returns up to limit whole projection rows after item
	// afterID, by item id.
	ProjectionRows(ctx context.Context, afterID int64, limit int) ([]PublicItem, error)
	SavePatrol(ctx context.Context, r *PatrolReport, audit AuditEntry) error
	Patrols(ctx context.Context, limit int) ([]PatrolReport, error)
}

// SecrecyStore keeps findings and the sensitive-word list.
type SecrecyStore interface {
	SensitiveWords(ctx context.Context) ([]SensitiveWord, error)
	// SetSensitiveWords replaces the list and, in the same transaction,
	// stores what the re-scan found that the revisions do not have yet.
	SetSensitiveWords(ctx context.Context, words []SensitiveWord, audit AuditEntry, rescan *Rescan) error
	Findings(ctx context.Context, revisionID int64) ([]FindingRecord, error)
	AcknowledgeFinding(ctx context.Context, f *FindingRecord, audit AuditEntry) error
	// RescanTargets returns up to limit revisions in RescanStates with ids
	// above afterID, in id order, with their attachments.
	RescanTargets(ctx context.Context, afterID int64, limit int) ([]RescanTarget, error)
	// ReleasedFindings lists findings of revisions in f.States, newest first.
	ReleasedFindings(ctx context.Context, f ReleasedFindingFilter) ([]ReleasedFinding, error)
}

// PreviewStore ends a revision's preview links.
type PreviewStore interface {
	// RevokePreviews moves a revision to its next preview generation, with
	// its audit entry, and returns the new generation.
	RevokePreviews(ctx context.Context, revisionID int64, audit AuditEntry) (int, error)
}

// IntegrityStore records incidents.
type IntegrityStore interface {
	// RecordTamper stores inc with its audit entry and, when report is not
	// nil, that patrol report, in one transaction, unless an incident with
	// the same subject and fingerprint is recorded already; it reports
	// whether it stored it. It carries out inc.DropItem either way.
	RecordTamper(ctx context.Context, inc *TamperIncident, report *PatrolReport, audit AuditEntry) (bool, error)
}

// SealStore is what sealing the structure needs of the store.
type SealStore interface {
	Annex(ctx context.Context) (*Annex, error)
	// AllMenuEntries returns the entries of every channel's menu.
	AllMenuEntries(ctx context.Context) ([]MenuEntry, error)
	// SealMenuEntry, SealChannel and SealColumn store a row's MAC if its
	// MAC is still old, and report whether they did.
	SealMenuEntry(ctx context.Context, id int64, old, mac string) (bool, error)
	SealChannel(ctx context.Context, slug, old, mac string) (bool, error)
	SealColumn(ctx context.Context, slug, old, mac string) (bool, error)
	// AuditByAction returns the entries of an action, in order.
	AuditByAction(ctx context.Context, action string) ([]AuditEntry, error)
}

// AuditLog appends standalone entries (those with no other change to ride
// with, such as a denied write) and walks the chain.
type AuditLog interface {
	Append(ctx context.Context, e AuditEntry) error
	// AuditEntries returns entries with Seq > after in order, at most limit.
	AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
	// AuditHead returns the sequence number and hash of the last entry as
	// recorded when it was appended, so that removing entries from the end
	// is detected too.
	AuditHead(ctx context.Context) (int64, string, error)
}

// AuditReader is an audit log that can also be searched by its readers.
type AuditReader interface {
	AuditLog
	// SearchAudit returns the entries f selects, newest first, at most f.Limit.
	SearchAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// AnchorLog is the append-only record of anchors kept outside the database.
type AnchorLog interface {
	AppendAnchor(a AuditAnchor) error
	// Anchors returns every line, in order; a line that cannot be read is
	// returned with Invalid set.
	Anchors() ([]AuditAnchor, error)
}

// KeyStore is what the database records of the keys: the master key's
// fingerprint and the audit chain's key epoch.
type KeyStore interface {
	// KeyFingerprint returns the recorded fingerprint, "" when none is.
	KeyFingerprint(ctx context.Context) (string, error)
	// InstallKey records fp and an epoch starting after the current head
	// of the audit chain, sealed by seal, unless a fingerprint is recorded
	// already; it returns the fingerprint recorded and the epoch, and
	// whether this call recorded them.
	InstallKey(ctx context.Context, fp string, at time.Time, seal func(*AuditEpoch)) (string, *AuditEpoch, bool, error)
	// AuditEpoch returns the recorded epoch, nil when none is.
	AuditEpoch(ctx context.Context) (*AuditEpoch, error)
}

// PolicyStore loads the authorization policy and tells when it changed.
type PolicyStore interface {
	PolicyVersion(ctx context.Context) (int64, error)
	Policy(ctx context.Context) (*Policy, error)
}

// OutboxStore reads the outbox and records what its dispatcher made of it.
type OutboxStore interface {
	// Events returns up to limit events with ids above after, in order.
	Events(ctx context.Context, after int64, limit int) ([]OutboxEvent, error)
	// Cursor returns the id of the last event the named consumer handled.
	Cursor(ctx context.Context, name string) (int64, error)
	// SaveDispatch stores the deliveries, notifications and messages of
	// the events after d.From up to d.To and moves the dispatch cursor
	// there, in one transaction, if the cursor is still at d.From (a
	// conflict otherwise: another process dispatched them).
	SaveDispatch(ctx context.Context, d *Dispatch) error
	// PurgeOutbox removes dispatched events, finished deliveries (with
	// their attempts) and messages created before, and notifications read
	// before, and returns how many rows it removed.
	PurgeOutbox(ctx context.Context, before time.Time) (int, error)
}

// WebhookStore keeps webhook endpoints and their deliveries.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, w *Webhook, audit AuditEntry) error
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// Webhooks lists every endpoint, oldest first.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// UpdateWebhook stores every field of w; turning it on clears why it
	// was switched off and when it began to fail.
	UpdateWebhook(ctx context.Context, w *Webhook, audit AuditEntry) error
	// DeleteWebhook removes the endpoint and its deliveries, so that
	// nothing more is sent to it.
	DeleteWebhook(ctx context.Context, id int64, audit AuditEntry) error
	// Deliveries lists an endpoint's deliveries newest first, with their
	// attempts, below id before when it is not 0.
	Deliveries(ctx context.Context, webhookID, before int64, limit int) ([]Delivery, error)
	Delivery(ctx context.Context, id int64) (*Delivery, error)
	// AddDelivery stores d (a redelivery) as pending, setting its id.
	AddDelivery(ctx context.Context, d *Delivery, audit AuditEntry) error
	// ClaimDeliveries leases up to limit pending deliveries of enabled
	// endpoints that are due at now and held by nobody (or whose lease
	// ran out) to owner until now+lease, counting an attempt of each, and
	// returns them with their endpoints. Each is held by one process at a
	// time, whichever processes share the database.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// FinishAttempt records an attempt of a delivery owner holds: the
	// attempt row, the delivery's new state (d.State, d.NextAt) and the
	// endpoint's failing streak. It returns when the endpoint began to
	// fail (zero after a success) and false when owner no longer held the
	// delivery, which then stays as it is.
	FinishAttempt(ctx context.Context, owner string, d *Delivery, a DeliveryAttempt) (time.Time, bool, error)
	// ReleaseDelivery gives a claimed delivery back without counting the
	// attempt (the process is stopping).
	ReleaseDelivery(ctx context.Context, owner string, id int64) error
	// DisableWebhook switches an enabled endpoint off with a reason and
	// reports whether it did.
	DisableWebhook(ctx context.Context, id int64, reason string, audit AuditEntry) (bool, error)
	// NextDeliveryAt returns when the earliest pending delivery is due.
	NextDeliveryAt(ctx context.Context) (time.Time, bool, error)
}

// ClientKeyStore keeps the content API's client keys; every change commits
// with its audit entry and is announced to the other server processes.
type ClientKeyStore interface {
	CreateClientKey(ctx context.Context, k *ClientKey, audit AuditEntry) error
	// ClientKeys lists every key, revoked ones too, newest first.
	ClientKeys(ctx context.Context) ([]ClientKey, error)
	ClientKey(ctx context.Context, id int64) (*ClientKey, error)
	RevokeClientKey(ctx context.Context, id int64, at time.Time, audit AuditEntry) error
}

// UsageStore keeps the usage statistics: counts per day, added to by every
// server process, summed for reports and purged past their retention.
type UsageStore interface {
	// AddUsage adds a batch to the stored counts in one transaction.
	AddUsage(ctx context.Context, b UsageBatch) error
	// PurgeUsage deletes the counts of days before the given one.
	PurgeUsage(ctx context.Context, before Day) (int64, error)
	// UsageFigures sums the counts a report shows.
	UsageFigures(ctx context.Context, q UsageQuery) (*UsageFigures, error)
	// StageHistory returns the transitions of every revision that entered
	// or left a review stage from since until before, and of every revision
	// in review now, with their items, ordered by revision and then id;
	// only items of depts, unless depts is nil.
	StageHistory(ctx context.Context, since, before time.Time, depts []string) ([]StageTransition, error)
}

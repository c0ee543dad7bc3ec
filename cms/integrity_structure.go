package cms

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Annex is the structure the regulation's annexes declare, as the binary
// embeds it: the approved channels, menus and columns. Menu entries carry
// no ids; they are known by channel and path.
type Annex struct {
	Channels []Channel
	Menu     []MenuEntry
	Columns  []Column
}

// Why structure rows are not served.
const (
	reasonMenuEntry = "the menu entry does not match its MAC (its title, switch, place or column were changed in the database); it is left out of the served menu"
	reasonChannel   = "the channel's settings (name, maintenance notice) do not match their MAC; its menu answers 503 until a publisher sets them again"
	reasonColumn    = "the column does not match its MAC (changed in the database); the menu entries that show it are left out of the served menu"
)

// menu returns a channel and the entries and columns of its menu that
// pass their checks, in tree order; an entry whose parent or column fails
// is left out with it. A channel whose own row fails is unavailable.
func (s *IntegrityService) menu(ctx context.Context, st StructureStore, channel string) (*Channel, []MenuEntry, map[string]*Column, error) {
	chs, err := st.Channels(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var ch *Channel
	for i := range chs {
		if chs[i].Slug == channel {
			ch = &chs[i]
		}
	}
	if ch == nil {
		return nil, nil, nil, Errorf(ENOTFOUND, "channel %q not found", channel)
	}
	if !s.Keys.channelOK(ch) {
		prob, fp := channelProblem(ch)
		if err := s.structureTampered(ctx, prob, fp, TriggerRead, channelDetail(ch)); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, Errorf(EUNAVAILABLE, "the channel's settings failed their integrity check; its menu is withheld until a publisher restores them")
	}
	entries, err := st.Menu(ctx, channel)
	if err != nil {
		return nil, nil, nil, err
	}
	cols, err := s.columns(ctx, st, TriggerRead)
	if err != nil {
		return nil, nil, nil, err
	}
	out, err := s.menuEntries(ctx, entries, cols)
	return ch, out, cols, err
}

// columns returns the columns that pass their check, by slug.
func (s *IntegrityService) columns(ctx context.Context, st StructureStore, trigger string) (map[string]*Column, error) {
	cols, err := st.Columns(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Column, len(cols))
	for i := range cols {
		c := &cols[i]
		if s.Keys.columnOK(c) {
			out[c.Slug] = c
			continue
		}
		prob, fp := columnProblem(c)
		if err := s.structureTampered(ctx, prob, fp, trigger, columnDetail(c)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// menuEntries keeps the entries (parents before children) that pass their
// check and whose parent and column were kept.
func (s *IntegrityService) menuEntries(ctx context.Context, entries []MenuEntry, cols map[string]*Column) ([]MenuEntry, error) {
	dropped := map[int64]bool{}
	out := entries[:0:0]
	for i := range entries {
		e := &entries[i]
		switch {
		case dropped[e.ParentID], e.Column != "" && cols[e.Column] == nil:
			dropped[e.ID] = true
		case !s.Keys.menuEntryOK(e):
			dropped[e.ID] = true
			prob, fp := menuEntryProblem(e)
			if err := s.structureTampered(ctx, prob, fp, TriggerRead, menuEntryDetail(e)); err != nil {
				return nil, err
			}
		default:
			out = append(out, *e)
		}
	}
	return out, nil
}

func menuEntryProblem(e *MenuEntry) (PatrolProblem, string) {
	return PatrolProblem{Subject: "menu_entry:" + itoa64(e.ID), Kind: "menu_entry", Detail: reasonMenuEntry},
		observed("menu_entry", e.MAC, menuEntryCanon(e))
}

func menuEntryDetail(e *MenuEntry) map[string]any {
	return map[string]any{"channel": e.Channel, "path": e.Path, "observed_title": clip(e.Title, 200), "observed_enabled": e.Enabled,
		"observed_column": e.Column}
}

func channelProblem(ch *Channel) (PatrolProblem, string) {
	return PatrolProblem{Subject: "channel:" + ch.Slug, Kind: "channel", Detail: reasonChannel},
		observed("channel", ch.MAC, channelCanon(ch))
}

func channelDetail(ch *Channel) map[string]any {
	return map[string]any{"observed_name": clip(ch.Name, 200), "observed_notice": clip(ch.Maintenance.Notice, 500)}
}

func columnProblem(c *Column) (PatrolProblem, string) {
	return PatrolProblem{Subject: "column:" + c.Slug, Kind: "column", Detail: reasonColumn},
		observed("column", c.MAC, columnCanon(c))
}

func columnDetail(c *Column) map[string]any {
	return map[string]any{"observed_title": clip(c.Title, 200), "observed_kind": c.Kind, "observed_content_type": c.ContentType}
}

// structureTampered records a structure row that failed its check. It is
// not changed: it is left out of what is served until a publisher sets it
// again through the menu service, or the seal at start finds it equal to
// its approved values.
func (s *IntegrityService) structureTampered(ctx context.Context, prob PatrolProblem, fp, trigger string, detail map[string]any) error {
	detail["kind"], detail["detail"], detail["trigger"], detail["fingerprint"] = prob.Kind, prob.Detail, trigger, fp
	inc := &TamperIncident{Subject: prob.Subject, Fingerprint: fp, Kind: prob.Kind, Detail: prob.Detail, At: s.Clock.Now()}
	return s.record(ctx, inc, prob, trigger, detail)
}

// CheckStructure checks every channel, menu entry and column for the
// patrol, records what fails and returns the problems and how many rows
// it checked.
func (s *IntegrityService) CheckStructure(ctx context.Context, st StructureStore, trigger string) ([]PatrolProblem, int, error) {
	var probs []PatrolProblem
	chs, err := st.Channels(ctx)
	if err != nil {
		return nil, 0, err
	}
	n := len(chs)
	for i := range chs {
		if !s.Keys.channelOK(&chs[i]) {
			p, fp := channelProblem(&chs[i])
			probs = append(probs, p)
			if err := s.structureTampered(ctx, p, fp, trigger, channelDetail(&chs[i])); err != nil {
				return nil, 0, err
			}
		}
	}
	cols, err := st.Columns(ctx)
	if err != nil {
		return nil, 0, err
	}
	n += len(cols)
	for i := range cols {
		if !s.Keys.columnOK(&cols[i]) {
			p, fp := columnProblem(&cols[i])
			probs = append(probs, p)
			if err := s.structureTampered(ctx, p, fp, trigger, columnDetail(&cols[i])); err != nil {
				return nil, 0, err
			}
		}
	}
	entries, err := s.Seals.AllMenuEntries(ctx)
	if err != nil {
		return nil, 0, err
	}
	n += len(entries)
	for i := range entries {
		if !s.Keys.menuEntryOK(&entries[i]) {
			p, fp := menuEntryProblem(&entries[i])
			probs = append(probs, p)
			if err := s.structureTampered(ctx, p, fp, trigger, menuEntryDetail(&entries[i])); err != nil {
				return nil, 0, err
			}
		}
	}
	return probs, n, nil
}

// approved holds the values the structure may hold: the annexes' as the
// binary embeds them, with the latest changes publishers made through the
// menu service, as the audit log records them.
type approved struct {
	channels map[string]Channel
	entries  map[[2]string]MenuEntry // by channel and path
	columns  map[string]Column
	changed  map[string]AuditEntry // latest trusted change per subject
}

// approvedValues loads the approved structure.
func (s *IntegrityService) approvedValues(ctx context.Context) (*approved, error) {
	annex, err := s.Seals.Annex(ctx)
	if err != nil {
		return nil, err
	}
	a := &approved{channels: map[string]Channel{}, entries: map[[2]string]MenuEntry{}, columns: map[string]Column{},
		changed: map[string]AuditEntry{}}
	for _, ch := range annex.Channels {
		a.channels[ch.Slug] = ch
	}
	for _, e := range annex.Menu {
		a.entries[[2]string{e.Channel, e.Path}] = e
	}
	for _, c := range annex.Columns {
		a.columns[c.Slug] = c
	}
	epoch, err := s.KeyStore.AuditEpoch(ctx)
	if err != nil {
		return nil, err
	}
	for _, action := range []string{AuditMenuChanged, AuditMaintenanceChanged} {
		es, err := s.Seals.AuditByAction(ctx, action)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if s.trustedAudit(&e, epoch) {
				a.changed[e.Subject] = e
			}
		}
	}
	return a, nil
}

// trustedAudit reports whether an audit entry may serve as an approved
// value: it carries a valid MAC, or predates the key.
func (s *IntegrityService) trustedAudit(e *AuditEntry, epoch *AuditEpoch) bool {
	if e.MAC != "" {
		return equalMAC(e.MAC, s.Keys.AuditEntryMAC(e))
	}
	return epoch != nil && e.Seq < epoch.KeyedFrom && equalMAC(epoch.MAC, s.Keys.epochMAC(epoch))
}

// menuEntry returns the approved values of e, by its channel and path, with
// the parent id of the entry at the parent path; false when the annexes
// declare no such entry.
func (a *approved) menuEntry(e *MenuEntry, ids map[[2]string]int64) (MenuEntry, bool) {
	d, ok := a.entries[[2]string{e.Channel, e.Path}]
	if !ok {
		return MenuEntry{}, false
	}
	want := MenuEntry{ID: e.ID, Channel: e.Channel, Path: e.Path, Slug: d.Slug, Title: d.Title, Column: d.Column,
		Position: d.Position, Enabled: true}
	if i := strings.LastIndex(e.Path, "/"); i > 0 {
		want.ParentID = ids[[2]string{e.Channel, e.Path[:i]}]
	}
	if c, ok := a.changed["menu_entry:"+itoa64(e.ID)]; ok {
		var d struct {
			Title   *string `json:"title"`
			Enabled *bool   `json:"enabled"`
		}
		if json.Unmarshal([]byte(c.Detail), &d) == nil && d.Title != nil && d.Enabled != nil {
			want.Title, want.Enabled = *d.Title, *d.Enabled
		}
	}
	return want, true
}

// channel returns the approved values of a channel.
func (a *approved) channel(slug string) (Channel, bool) {
	d, ok := a.channels[slug]
	if !ok {
		return Channel{}, false
	}
	want := Channel{Slug: slug, Name: d.Name, Position: d.Position}
	if c, ok := a.changed["channel:"+slug]; ok {
		var m struct {
			Notice   string `json:"notice"`
			StartsAt string `json:"starts_at"`
			EndsAt   string `json:"ends_at"`
		}
		if json.Unmarshal([]byte(c.Detail), &m) == nil {
			want.Maintenance.Notice = m.Notice
			want.Maintenance.StartsAt, _ = parseOptTime(m.StartsAt)
			want.Maintenance.EndsAt, _ = parseOptTime(m.EndsAt)
		}
	}
	return want, true
}

func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

// SealStructure seals, at start, every channel, menu entry and column that
// carries no valid MAC but holds exactly its approved values: rows written
// before the key existed, and rows the seed just brought in line with a
// changed annex. A row that differs from its approved values stays
// unsealed: it is not served and the patrol reports it. It returns how many
// rows it sealed.
func (s *IntegrityService) SealStructure(ctx context.Context, st StructureStore) (int, error) {
	chs, err := st.Channels(ctx)
	if err != nil {
		return 0, err
	}
	cols, err := st.Columns(ctx)
	if err != nil {
		return 0, err
	}
	entries, err := s.Seals.AllMenuEntries(ctx)
	if err != nil {
		return 0, err
	}
	var a *approved
	load := func() error {
		if a == nil {
			a, err = s.approvedValues(ctx)
		}
		return err
	}
	n := 0
	for i := range chs {
		ch := &chs[i]
		if s.Keys.channelOK(ch) {
			continue
		}
		if err := load(); err != nil {
			return n, err
		}
		want, ok := a.channel(ch.Slug)
		if !ok || observed("", "", channelCanon(&want)) != observed("", "", channelCanon(ch)) {
			continue
		}
		if ok, err := s.Seals.SealChannel(ctx, ch.Slug, ch.MAC, s.Keys.rowMAC("channel/v1", channelCanon(ch))); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	for i := range cols {
		c := &cols[i]
		if s.Keys.columnOK(c) {
			continue
		}
		if err := load(); err != nil {
			return n, err
		}
		want, ok := a.columns[c.Slug]
		if !ok || observed("", "", columnCanon(&want)) != observed("", "", columnCanon(c)) {
			continue
		}
		if ok, err := s.Seals.SealColumn(ctx, c.Slug, c.MAC, s.Keys.rowMAC("column/v1", columnCanon(c))); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	ids := make(map[[2]string]int64, len(entries))
	for _, e := range entries {
		ids[[2]string{e.Channel, e.Path}] = e.ID
	}
	for i := range entries {
		e := &entries[i]
		if s.Keys.menuEntryOK(e) {
			continue
		}
		if err := load(); err != nil {
			return n, err
		}
		want, ok := a.menuEntry(e, ids)
		if !ok || observed("", "", menuEntryCanon(&want)) != observed("", "", menuEntryCanon(e)) {
			continue
		}
		if ok, err := s.Seals.SealMenuEntry(ctx, e.ID, e.MAC, s.Keys.rowMAC("menu_entry/v1", menuEntryCanon(e))); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	return n, nil
}

// restoreMenuEntry returns the approved values of a menu entry that failed
// its check, for a publisher's change to start from: the structure the
// annexes declare, never what the tampered row held.
func (s *IntegrityService) restoreMenuEntry(ctx context.Context, e *MenuEntry) (*MenuEntry, error) {
	a, err := s.approvedValues(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.Seals.AllMenuEntries(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[[2]string]int64, len(entries))
	for _, x := range entries {
		ids[[2]string{x.Channel, x.Path}] = x.ID
	}
	want, ok := a.menuEntry(e, ids)
	if !ok {
		return nil, Errorf(ECONFLICT, "menu entry %d is not one the annexes declare; it cannot be restored through the API", e.ID)
	}
	return &want, nil
}

// restoreChannel returns the approved name and place of a channel whose
// settings failed their check.
func (s *IntegrityService) restoreChannel(ctx context.Context, ch *Channel) (*Channel, error) {
	a, err := s.approvedValues(ctx)
	if err != nil {
		return nil, err
	}
	want, ok := a.channel(ch.Slug)
	if !ok {
		return nil, Errorf(ECONFLICT, "channel %q is not one the annexes declare", ch.Slug)
	}
	return &want, nil
}

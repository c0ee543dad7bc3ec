package cms

// Usage statistics (运营分析): what the public reads, searches and
// downloads, counted in memory on the content API's path and added to the
// stored counts in one batched write now and then, so that several server
// processes merge. Nothing personal is counted: no address, no user, no
// request; only what was read, on which day (Beijing time), by which kind
// of client and under which client key.

import (
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// ClientKind is the kind of client a content API request says it comes
// from, in its X-Client header: the App, the WeChat account (its backend
// or its H5 pages), or anything else.
type ClientKind uint8

// The client kinds.
const (
	ClientOther ClientKind = iota
	ClientApp
	ClientWeChat
)

// ClientKinds lists the kinds in the order reports show them.
var ClientKinds = []ClientKind{ClientApp, ClientWeChat, ClientOther}

// String is the kind's name in the X-Client header and in reports.
func (k ClientKind) String() string {
	switch k {
	case ClientApp:
		return "app"
	case ClientWeChat:
		return "wechat"
	}
	return "other"
}

// ParseClientKind reads an X-Client header value: "app" or "wechat" (in
// any case); anything else, or nothing, is another client.
func ParseClientKind(h string) ClientKind {
	switch {
	case strings.EqualFold(h, "app"):
		return ClientApp
	case strings.EqualFold(h, "wechat"):
		return ClientWeChat
	}
	return ClientOther
}

// UsageKind is what a counted read read.
type UsageKind uint8

// The kinds of reads.
const (
	ReadItem       UsageKind = iota + 1 // an item's detail
	ReadColumn                          // a column's listing
	ReadMenu                            // a channel's menu
	ReadAttachment                      // a published item's file
)

// String names the kind in the store and in reports.
func (k UsageKind) String() string {
	switch k {
	case ReadItem:
		return "item"
	case ReadColumn:
		return "column"
	case ReadMenu:
		return "menu"
	case ReadAttachment:
		return "attachment"
	}
	return ""
}

// Day is a calendar day in Beijing time, counted from 1970-01-01.
type Day int32

// DayOf returns the Beijing day of t.
func DayOf(t time.Time) Day { return Day((t.Unix() + chinaOffset) / 86400) }

// chinaOffset is China's offset from UTC in seconds (see China).
const chinaOffset = 8 * 3600

// Start is the first instant of the day.
func (d Day) Start() time.Time { return time.Unix(int64(d)*86400-chinaOffset, 0).UTC() }

// String writes the day as 2006-01-02.
func (d Day) String() string { return d.Start().In(China).Format(time.DateOnly) }

// ParseDay reads a day written 2006-01-02.
func ParseDay(s string) (Day, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, China)
	if err != nil {
		return 0, err
	}
	return DayOf(t), nil
}

// UsageRead is one stored count of reads: of what, on which day, by which
// kind of client and client key (0: none).
type UsageRead struct {
	Day       Day
	Kind      UsageKind
	Client    ClientKind
	ClientKey int64
	ItemID    int64  // the item read, or whose file was downloaded
	RefID     int64  // the attachment downloaded
	Name      string // the column of a listing, the channel of a menu
	Count     int64
}

// UsageSearch is one stored count of searches for a term on a day: how
// many, how many found nothing, and how many results they found together
// (on their first page).
type UsageSearch struct {
	Day      Day
	Term     string
	Searches int64
	Misses   int64
	Results  int64
}

// UsageBatch is what one flush adds to the stored counts.
type UsageBatch struct {
	Reads    []UsageRead
	Searches []UsageSearch
}

// Empty reports whether the batch adds nothing.
func (b *UsageBatch) Empty() bool { return len(b.Reads) == 0 && len(b.Searches) == 0 }

// readKey is what a read is counted under in memory.
type readKey struct {
	day       Day
	kind      UsageKind
	client    ClientKind
	clientKey int64
	item, ref int64
	name      string
}

type searchKey struct {
	day  Day
	term string
}

type searchCount struct{ searches, misses, results int64 }

// usageShards spreads the counters over locks, so that concurrent
// requests rarely wait for one another.
const usageShards = 16

type usageShard struct {
	mu    sync.Mutex
	reads map[readKey]*int64
	_     [40]byte // keeps neighbouring shards' locks off one cache line
}

// MaxSearchTerms bounds the distinct search terms held between two
// flushes; searches for further new terms are counted as one term,
// TermOther, so that a flood of random queries cannot exhaust memory.
const MaxSearchTerms = 10000

// TermOther stands for the terms past MaxSearchTerms.
const TermOther = "(其他)"

// maxTermRunes is how much of a search term is kept.
const maxTermRunes = 64

// UsageCounter counts reads and searches in memory until Take hands them
// over. Counting a read already seen since the last flush takes one lock
// of sixteen and allocates nothing; the caller dates it with the time it
// already read for the request (the clock is not cheap on every machine).
// Its zero value is not usable: see NewUsageCounter. A nil counter counts
// nothing.
type UsageCounter struct {
	shards   [usageShards]usageShard
	searchMu sync.Mutex
	searches map[searchKey]*searchCount
}

// NewUsageCounter returns an empty counter.
func NewUsageCounter() *UsageCounter {
	u := &UsageCounter{searches: map[searchKey]*searchCount{}}
	for i := range u.shards {
		u.shards[i].reads = map[readKey]*int64{}
	}
	return u
}

// Read counts one read of kind at now: item (with ref, an attachment) or
// name (a column's slug, a channel's).
func (u *UsageCounter) Read(now time.Time, kind UsageKind, client ClientKind, clientKey, item, ref int64, name string) {
	if u == nil {
		return
	}
	k := readKey{day: DayOf(now), kind: kind, client: client, clientKey: clientKey, item: item, ref: ref, name: name}
	u.add(k, 1)
}

func (u *UsageCounter) add(k readKey, n int64) {
	s := &u.shards[(uint64(k.item)+uint64(k.ref)+uint64(len(k.name))+uint64(k.kind))%usageShards]
	s.mu.Lock()
	if c := s.reads[k]; c != nil {
		*c += n
	} else {
		k.name = strings.Clone(k.name) // the request's memory is not kept
		c = new(int64)
		*c = n
		s.reads[k] = c
	}
	s.mu.Unlock()
}

// Search counts one search for q (its first page) at now that found
// results.
func (u *UsageCounter) Search(now time.Time, q string, results int) {
	if u == nil {
		return
	}
	term := NormalizeTerm(q)
	if term == "" {
		return
	}
	u.addSearch(searchKey{day: DayOf(now), term: term}, searchCount{searches: 1, misses: b2i(results == 0), results: int64(results)})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (u *UsageCounter) addSearch(k searchKey, n searchCount) {
	u.searchMu.Lock()
	defer u.searchMu.Unlock()
	c := u.searches[k]
	if c == nil {
		if len(u.searches) >= MaxSearchTerms {
			k.term = TermOther
			c = u.searches[k]
		}
		if c == nil {
			c = &searchCount{}
			u.searches[k] = c
		}
	}
	c.searches += n.searches
	c.misses += n.misses
	c.results += n.results
}

// NormalizeTerm is the form a search term is counted in: spaces trimmed
// and collapsed, letters in lower case, control characters dropped, at
// most 64 characters.
func NormalizeTerm(q string) string {
	if normalTerm(q) {
		return q // most terms are: no copy
	}
	var b strings.Builder
	space, n := false, 0
	for _, r := range strings.TrimSpace(q) {
		if n >= maxTermRunes {
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r == utf8.RuneError || unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
		n++
	}
	return b.String()
}

// Take hands over every count made since the last Take and starts afresh.
func (u *UsageCounter) Take() UsageBatch {
	var b UsageBatch
	if u == nil {
		return b
	}
	for i := range u.shards {
		s := &u.shards[i]
		s.mu.Lock()
		reads := s.reads
		s.reads = make(map[readKey]*int64, len(reads))
		s.mu.Unlock()
		for k, n := range reads {
			b.Reads = append(b.Reads, UsageRead{Day: k.day, Kind: k.kind, Client: k.client, ClientKey: k.clientKey,
				ItemID: k.item, RefID: k.ref, Name: k.name, Count: *n})
		}
	}
	u.searchMu.Lock()
	searches := u.searches
	u.searches = make(map[searchKey]*searchCount, len(searches))
	u.searchMu.Unlock()
	for k, c := range searches {
		b.Searches = append(b.Searches, UsageSearch{Day: k.day, Term: k.term, Searches: c.searches, Misses: c.misses, Results: c.results})
	}
	return b
}

// Restore puts back counts that could not be stored, for the next flush.
func (u *UsageCounter) Restore(b UsageBatch) {
	if u == nil {
		return
	}
	for _, r := range b.Reads {
		u.add(readKey{day: r.Day, kind: r.Kind, client: r.Client, clientKey: r.ClientKey, item: r.ItemID, ref: r.RefID, name: r.Name}, r.Count)
	}
	for _, s := range b.Searches {
		u.addSearch(searchKey{day: s.Day, term: s.Term}, searchCount{searches: s.Searches, misses: s.Misses, results: s.Results})
	}
}

// normalTerm reports whether q is already in the form NormalizeTerm makes.
func normalTerm(q string) bool {
	n, space := 0, true // a leading space is not normal either
	for _, r := range q {
		n++
		isSpace := r == ' '
		if n > maxTermRunes || (isSpace && space) || r == utf8.RuneError || unicode.IsControl(r) ||
			(!isSpace && unicode.IsSpace(r)) || unicode.ToLower(r) != r {
			return false
		}
		space = isSpace
	}
	return !space || n == 0
}

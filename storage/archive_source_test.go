package storage_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/storage"
)

// publishedAt returns when the publish transition of rev happened.
func publishedAt(tb testing.TB, db *storage.DB, rev *cms.Revision) time.Time {
	tb.Helper()
	ts, err := db.Transitions(context.Background(), cms.TransitionFilter{RevisionID: rev.ID})
	if err != nil {
		tb.Fatal(err)
	}
	for _, tr := range ts {
		if tr.Event == cms.EventPublish {
			return tr.At
		}
	}
	tb.Fatalf("revision %d was never published", rev.ID)
	return time.Time{}
}

func TestArchivePublishedItems(t *testing.T) {
	t.Parallel()
	db, ed := openDB(t)
	src := storage.ArchiveSource{DB: db}
	ctx := context.Background()
	a, aRev := mustLive(t, db, ed, "news", "甲", "", tick())
	b, bRev := mustLive(t, db, ed, "news", "乙", "", tick())
	b2 := mustNewHead(t, db, b, bRev, "乙二")
	mustPublish(t, db, b, b2, tick()) // b published twice: listed once
	mustItem(t, db, ed, "news", "草稿", "")
	atA, atB, atB2 := publishedAt(t, db, aRev), publishedAt(t, db, bRev), publishedAt(t, db, b2)
	cases := []struct {
		name     string
		from, to time.Time
		want     []int64
	}{
		{"both", atA, atB2.Add(time.Millisecond), []int64{a.ID, b.ID}},
		{"from is inclusive", atB, atB2.Add(time.Millisecond), []int64{b.ID}},
		{"to is exclusive", atA, atB, []int64{a.ID}},
		{"empty period", atB2.Add(time.Millisecond), atB2.Add(time.Hour), nil},
	}
	for _, c := range cases {
		var got []int64
		err := src.PublishedItems(ctx, c.from, c.to, func(it cms.Item) error {
			got = append(got, it.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: items %v %v, want %v", c.name, got, err, c.want)
		}
		if n, err := src.CountPublishedItems(ctx, c.from, c.to); err != nil || n != len(c.want) {
			t.Errorf("%s: count %d %v, want %d", c.name, n, err, len(c.want))
		}
	}
	stop := errors.New("stop")
	if err := src.PublishedItems(ctx, atA, atB2.Add(time.Millisecond), func(cms.Item) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn: %v", err)
	}
	hist, err := src.Transitions(ctx, b.ID)
	if err != nil || len(hist) != 10 || hist[0].Event != cms.EventSubmit || hist[9].Event != cms.EventPublish || hist[9].RevisionID != b2.ID {
		t.Errorf("history of b: %d transitions %v", len(hist), err)
	}
	if u, err := src.User(ctx, ed.ID); err != nil || u.Username != ed.Username {
		t.Errorf("user %+v %v", u, err)
	}
}

func TestArchiveAuditRange(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	src := storage.ArchiveSource{DB: db}
	ctx := context.Background()
	// A period past everything the helpers write, with more entries than
	// one page of the reader.
	base := t0.Add(1000 * time.Hour)
	const n = 1003
	for i := range n {
		if err := db.Append(ctx, cms.NewAuditEntry(base.Add(time.Duration(i)*time.Second), 0, cms.AuditLogin, "user:"+itoa(int64(i)), nil)); err != nil {
			t.Fatal(err)
		}
	}
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }
	cases := []struct {
		name        string
		from, to    time.Time
		first, last int // subjects user:first … user:last; -1: none
	}{
		{"across pages", at(0), at(n), 0, n - 1},
		{"from inclusive, to exclusive", at(2), at(5), 2, 4},
		{"to at the end of a page", at(990), at(1001), 990, 1000},
		{"before everything", base.Add(-time.Hour), base.Add(-time.Minute), -1, -1},
		{"after everything", at(n), at(n + 10), -1, -1},
	}
	for _, c := range cases {
		var subjects []string
		var prev int64
		err := src.AuditRange(ctx, c.from, c.to, func(e cms.AuditEntry) error {
			if prev != 0 && e.Seq != prev+1 {
				t.Errorf("%s: entry %d after %d", c.name, e.Seq, prev)
			}
			prev = e.Seq
			subjects = append(subjects, e.Subject)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.first < 0 {
			if len(subjects) != 0 {
				t.Errorf("%s: %d entries, want none", c.name, len(subjects))
			}
			continue
		}
		if len(subjects) != c.last-c.first+1 || subjects[0] != "user:"+itoa(int64(c.first)) || subjects[len(subjects)-1] != "user:"+itoa(int64(c.last)) {
			t.Errorf("%s: %d entries from %v, want user:%d … user:%d", c.name, len(subjects), subjects[:min(len(subjects), 1)], c.first, c.last)
		}
	}
	stop := errors.New("stop")
	if err := src.AuditRange(ctx, at(0), at(n), func(cms.AuditEntry) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn: %v", err)
	}
}

func TestArchiveOpenBlob(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	blobs, err := storage.NewFolderStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	body := "公积金缴存证明"
	if err := blobs.Put(ctx, blobKey(body), strings.NewReader(body), int64(len(body)), "text/plain"); err != nil {
		t.Fatal(err)
	}
	src := storage.ArchiveSource{DB: db, Blobs: blobs}
	b, err := src.OpenBlob(ctx, blobKey(body))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, _ := io.ReadAll(b)
	if string(got) != body || b.Size() != int64(len(body)) {
		t.Errorf("blob %q (%d bytes), want %q", got, b.Size(), body)
	}
	_, err = src.OpenBlob(ctx, blobKey("missing"))
	wantCode(t, err, cms.ENOTFOUND)
}

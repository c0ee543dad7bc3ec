package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// downStore is a blob store that, while down, fails every call as the S3
// store reports an object store it cannot reach.
type downStore struct {
	cms.BlobStore
	down atomic.Bool
}

func (s *downStore) fault() error {
	if !s.down.Load() {
		return nil
	}
	return &cms.Error{Code: cms.EBLOBDOWN, Message: "the file store is unavailable; try again in a moment",
		RetryAfter: 5 * time.Second, Err: syscall.ECONNREFUSED}
}

func (s *downStore) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if err := s.fault(); err != nil {
		return err
	}
	return s.BlobStore.Put(ctx, key, r, size, ct)
}

func (s *downStore) Open(ctx context.Context, key string) (cms.Blob, error) {
	if err := s.fault(); err != nil {
		return nil, err
	}
	return s.BlobStore.Open(ctx, key)
}

func (s *downStore) Stat(ctx context.Context, key string) (cms.BlobInfo, error) {
	if err := s.fault(); err != nil {
		return cms.BlobInfo{}, err
	}
	return s.BlobStore.Stat(ctx, key)
}

// TestObjectStoreDown: while the object store is down, uploads and
// downloads answer 503 blob_store_unavailable with Retry-After; a
// revision whose files cannot be verified is not published (by the
// publisher or the scheduler) but waits, and is published once the store
// is back; the patrol records its files as unchecked and takes nothing
// offline.
func TestObjectStoreDown(t *testing.T) {
	t.Parallel()
	store := &downStore{}
	e := newEnvBlobs(t, nil, func(b cms.BlobStore) cms.BlobStore { store.BlobStore = b; return store })
	c := newChain(t, e)
	var it, draft createdItem
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "附件通知", "body": "见附件"}).decode(t, &it)
	var up uploaded
	e.upload(t, c.editor, it.Revision.ID, "表.pdf", pdfBytes).decode(t, &up)
	e.toState(t, c, it.Revision.ID, "scheduled")
	e.release(t, http.StatusOK, c.publisher, it.Revision.ID, e.clock.Now().Format(time.RFC3339)) // 第十条: the scheduler publishes on 信息科's release
	e.must(t, http.StatusCreated, "POST", "/api/v1/items", c.editor, map[string]any{"column": "news", "title": "另一则", "body": "正文"}).decode(t, &draft)

	store.down.Store(true)
	unavailable := func(what string, r *response) {
		t.Helper()
		if r.Status != http.StatusServiceUnavailable || r.problem(t).Code != cms.EBLOBDOWN || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s while the store is down: %d %v %s", what, r.Status, r.Header, r.Body)
		}
	}
	unavailable("upload", e.upload(t, c.editor, draft.Revision.ID, "表.pdf", pdfBytes))
	unavailable("staff download", e.call(t, "GET", fmt.Sprintf("%s/attachments/%d", revisionPath(it.Revision.ID), up.ID), c.editor, nil))
	unavailable("publish", e.call(t, "POST", revisionPath(it.Revision.ID)+"/transitions", c.publisher, map[string]string{"event": "publish"}))
	n, _, err := e.svc.Workflow.RunScheduler(context.Background())
	if n != 0 || cms.ErrorCode(err) != cms.EBLOBDOWN {
		t.Errorf("scheduler while the store is down: published %d, %v", n, err)
	}
	if _, state := e.itemState(t, c.editor, it.ID); state != "scheduled" {
		t.Fatalf("the revision is %s, want it still scheduled", state)
	}
	e.must(t, http.StatusNotFound, "GET", publicItemPath(it.ID), "", nil)

	store.down.Store(false)
	if n, _, err := e.svc.Workflow.RunScheduler(context.Background()); n != 1 || err != nil {
		t.Fatalf("scheduler once the store is back: published %d, %v", n, err)
	}
	e.must(t, http.StatusOK, "GET", publicItemPath(it.ID), "", nil)
	publicURL := fmt.Sprintf("/content/v1/items/%d/attachments/%d", it.ID, up.ID)
	e.must(t, http.StatusOK, "GET", publicURL, "", nil)

	store.down.Store(true)
	unavailable("public download", e.call(t, "GET", publicURL, "", nil))
	var rep struct {
		Attachments int `json:"attachments"`
		Problems    []struct {
			ItemID    int64  `json:"item_id"`
			Kind      string `json:"kind"`
			Suspended bool   `json:"suspended"`
		} `json:"problems"`
	}
	e.must(t, http.StatusCreated, "POST", "/api/v1/patrols", c.publisher, nil).decode(t, &rep)
	if rep.Attachments != 1 || len(rep.Problems) != 1 || rep.Problems[0].Kind != cms.KindUnchecked ||
		rep.Problems[0].Suspended || rep.Problems[0].ItemID != it.ID {
		t.Fatalf("patrol while the store is down: %+v", rep)
	}
	store.down.Store(false)
	e.must(t, http.StatusOK, "GET", publicItemPath(it.ID), "", nil)
	e.must(t, http.StatusOK, "GET", publicURL, "", nil)
	if _, state := e.itemState(t, c.editor, it.ID); state != "published" {
		t.Fatalf("after the patrol the item is %s, want published", state)
	}
}

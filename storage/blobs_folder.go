package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tlhpf/cms/cms"
)

// FolderStore keeps blobs in a local folder, sharded by the first bytes of
// their key: ROOT/ab/cd/abcd…. It is the embedded default.
type FolderStore struct{ root string }

var _ cms.BlobStore = (*FolderStore)(nil)

// NewFolderStore opens (and creates) a blob folder.
func NewFolderStore(root string) (*FolderStore, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("storage: blob folder: %w", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	return &FolderStore{root: abs}, nil
}

// path maps a key to its file. Only valid keys (64 hex digits) are mapped,
// so no key can reach outside the folder.
func (s *FolderStore) path(key string) (string, error) {
	if !cms.ValidBlobKey(key) {
		return "", cms.Errorf(cms.ENOTFOUND, "no such blob")
	}
	return filepath.Join(s.root, key[:2], key[2:4], key), nil
}

// Put writes the blob through a temporary file and a rename, so a reader
// never sees a partial file and a crash leaves none behind. A full disk
// or quota is insufficient storage; the partial file is removed.
func (s *FolderStore) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	return Classify(s.put(ctx, key, r, size, ct))
}

func (s *FolderStore) put(ctx context.Context, key string, r io.Reader, size int64, _ string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		// Already stored: refresh its time so that the garbage collector's
		// grace period starts again for the new reference.
		now := time.Now()
		return os.Chtimes(p, now, now)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, r)
	if err == nil && n != size {
		err = fmt.Errorf("storage: blob %s: wrote %d bytes, expected %d", key, n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

type fileBlob struct {
	*os.File
	size int64
}

func (b fileBlob) Size() int64 { return b.size }

// Open opens a blob for reading and seeking.
func (s *FolderStore) Open(_ context.Context, key string) (cms.Blob, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cms.Errorf(cms.ENOTFOUND, "no such blob")
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileBlob{File: f, size: st.Size()}, nil
}

// Stat describes a blob.
func (s *FolderStore) Stat(_ context.Context, key string) (cms.BlobInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return cms.BlobInfo{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return cms.BlobInfo{}, cms.Errorf(cms.ENOTFOUND, "no such blob")
	}
	if err != nil {
		return cms.BlobInfo{}, err
	}
	return cms.BlobInfo{Key: key, Size: st.Size(), ModTime: st.ModTime().UTC()}, nil
}

// Delete removes a blob; removing a missing one is not an error.
func (s *FolderStore) Delete(_ context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk calls fn for every blob.
func (s *FolderStore) Walk(ctx context.Context, fn func(cms.BlobInfo) error) error {
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !cms.ValidBlobKey(d.Name()) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(cms.BlobInfo{Key: d.Name(), Size: info.Size(), ModTime: info.ModTime().UTC()})
	})
}

// Root returns the folder.
func (s *FolderStore) Root() string { return s.root }

// Presign is not possible for a local folder: the server streams instead.
func (s *FolderStore) Presign(context.Context, string, string, string, time.Duration) (string, error) {
	return "", cms.ErrNoPresign
}

// Ping checks that the folder is there and takes files, for the
// readiness probe: a temporary file is made in it and removed.
func (s *FolderStore) Ping(context.Context) error {
	f, err := os.CreateTemp(s.root, ".ping-*")
	if err != nil {
		return fmt.Errorf("storage: blob folder: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

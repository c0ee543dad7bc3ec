package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tlhpf/cms/cms"
)

// S3Config locates an S3-compatible bucket (MinIO in production).
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
	TLS       bool
	// Timeout bounds how long the store may take to connect and to start
	// answering a request (0: 10s); a store slower than that is answered
	// 503 blob_store_unavailable. A transfer under way is not cut.
	Timeout time.Duration
}

// S3Store keeps blobs in an S3 bucket through minio-go, under
// blobs/ab/cd/<key>. The bucket stays private: the public reaches media
// only through the server or a short-lived presigned URL.
type S3Store struct {
	client *minio.Client
	bucket string
}

var _ cms.BlobStore = (*S3Store)(nil)

// NewS3Store connects to the bucket, creating it when missing.
func NewS3Store(ctx context.Context, c S3Config) (*S3Store, error) {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	tr, err := minio.DefaultTransport(c.TLS)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 transport: %w", err)
	}
	tr.DialContext = (&net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = c.Timeout
	// Three attempts, not ten: a store that is down is reported in
	// seconds, and the client retries after Retry-After.
	client, err := minio.New(c.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.TLS, Region: c.Region, BucketLookup: minio.BucketLookupPath, Transport: tr, MaxRetries: 3})
	if err != nil {
		return nil, fmt.Errorf("storage: S3 client: %w", err)
	}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: S3 bucket %s: %w", c.Bucket, err)
	}
	if !ok {
		if err := client.MakeBucket(ctx, c.Bucket, minio.MakeBucketOptions{Region: c.Region}); err != nil {
			return nil, fmt.Errorf("storage: create S3 bucket %s: %w", c.Bucket, err)
		}
	}
	return &S3Store{client: client, bucket: c.Bucket}, nil
}

func s3Key(key string) (string, error) {
	if !cms.ValidBlobKey(key) {
		return "", cms.Errorf(cms.ENOTFOUND, "no such blob")
	}
	return "blobs/" + key[:2] + "/" + key[2:4] + "/" + key, nil
}

// s3Error translates the store's errors: a missing object is not found,
// a full store insufficient storage, and a store that cannot be reached,
// times out or fails on its side (5xx) unavailable.
func s3Error(err error) error {
	if err == nil {
		return nil
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "NoSuchKey", "NotFound":
		return cms.Errorf(cms.ENOTFOUND, "no such blob")
	case "XMinioStorageFull", "StorageFull":
		return &cms.Error{Code: cms.ENOSPACE, Err: err, Message: "the file store is full; nothing was saved"}
	}
	var ne net.Error
	if resp.StatusCode >= 500 || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		resp.Code == "SlowDown" || resp.Code == "XMinioServerNotInitialized" {
		return &cms.Error{Code: cms.EBLOBDOWN, Err: err, RetryAfter: retryBlobs,
			Message: "the file store is unavailable; try again in a moment"}
	}
	return err
}

// Put uploads the blob unless it is already there (keys are content hashes).
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	k, err := s3Key(key)
	if err != nil {
		return err
	}
	// Uploading again when the key exists is harmless (same bytes) and
	// refreshes its time, which the garbage collector's grace period reads.
	_, err = s.client.PutObject(ctx, s.bucket, k, r, size, minio.PutObjectOptions{ContentType: contentType,
		PartSize: 16 << 20, UserMetadata: map[string]string{"sha256": key}})
	return s3Error(err)
}

type s3Blob struct {
	*minio.Object
	size int64
}

func (b s3Blob) Size() int64 { return b.size }

// Open opens a blob for reading and seeking (ranged reads on demand).
func (s *S3Store) Open(ctx context.Context, key string) (cms.Blob, error) {
	k, err := s3Key(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, k, minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Error(err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, s3Error(err)
	}
	return s3Blob{Object: obj, size: st.Size}, nil
}

// Stat describes a blob.
func (s *S3Store) Stat(ctx context.Context, key string) (cms.BlobInfo, error) {
	k, err := s3Key(key)
	if err != nil {
		return cms.BlobInfo{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, k, minio.StatObjectOptions{})
	if err != nil {
		return cms.BlobInfo{}, s3Error(err)
	}
	return cms.BlobInfo{Key: key, Size: st.Size, ModTime: st.LastModified.UTC()}, nil
}

// Delete removes a blob; removing a missing one is not an error.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	k, err := s3Key(key)
	if err != nil {
		return err
	}
	return s3Error(s.client.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{}))
}

// Walk calls fn for every blob in the bucket.
func (s *S3Store) Walk(ctx context.Context, fn func(cms.BlobInfo) error) error {
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: "blobs/", Recursive: true}) {
		if obj.Err != nil {
			return s3Error(obj.Err)
		}
		key := obj.Key[len(obj.Key)-min(64, len(obj.Key)):]
		if !cms.ValidBlobKey(key) {
			continue
		}
		if err := fn(cms.BlobInfo{Key: key, Size: obj.Size, ModTime: obj.LastModified.UTC()}); err != nil {
			return err
		}
	}
	return nil
}

// Presign returns a URL valid for ttl that downloads the blob under name.
func (s *S3Store) Presign(ctx context.Context, key, name, contentType string, ttl time.Duration) (string, error) {
	k, err := s3Key(key)
	if err != nil {
		return "", err
	}
	params := url.Values{}
	params.Set("response-content-disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	params.Set("response-content-type", contentType)
	u, err := s.client.PresignedGetObject(ctx, s.bucket, k, ttl, params)
	if err != nil {
		return "", s3Error(err)
	}
	return u.String(), nil
}

// Ping checks that the bucket answers, for the readiness probe.
func (s *S3Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: S3 bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("storage: S3 bucket %s does not exist", s.bucket)
	}
	return nil
}

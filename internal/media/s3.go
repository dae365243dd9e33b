package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Credentials are the S3 access keys. They are read from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and never printed.
type Credentials struct {
	AccessKey, SecretKey string
}

// S3 keeps objects in one bucket of an S3-compatible store.
type S3 struct {
	client   *minio.Client
	bucket   string
	endpoint string
	// putTimeout bounds a write; reads are bounded by the transport's
	// header timeout and then by the reader's own connection.
	putTimeout time.Duration
}

// Timeouts of the S3 client when the location does not set them. A
// reader waits at most defaultS3Timeout for a store that has stopped
// answering before getting a 503; no request is retried, for the same
// reason.
const (
	defaultS3Timeout = 10 * time.Second
	s3DialTimeout    = 3 * time.Second
	s3PutTimeout     = 30 * time.Second
)

// ParseLocation reads a --media-store value: "file:DIR", or
// "s3://BUCKET?endpoint=URL&region=R[&style=path|virtual][&timeout=10s]".
// An empty value means files in defaultDir.
func ParseLocation(loc, defaultDir string, creds Credentials) (Blobs, error) {
	switch {
	case loc == "":
		return NewFiles(defaultDir), nil
	case strings.HasPrefix(loc, "file:"):
		dir := strings.TrimPrefix(loc, "file:")
		if dir == "" {
			return nil, errors.New("file: needs a directory, as in file:/var/lib/newsroom/media")
		}
		return NewFiles(dir), nil
	case strings.HasPrefix(loc, "s3://"):
		return newS3(loc, creds)
	}
	return nil, errors.New("must be file:DIR or s3://BUCKET?endpoint=URL&region=R")
}

func newS3(loc string, creds Credentials) (*S3, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return nil, errors.New("not a valid s3:// URL")
	}
	if u.Host == "" || u.Path != "" && u.Path != "/" {
		return nil, errors.New("s3:// needs a bucket name and nothing after it, as in s3://newsroom-media?endpoint=https://s3.example.org&region=fr-par")
	}
	q := u.Query()
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	ep, err := url.Parse(endpoint)
	if err != nil || (ep.Scheme != "http" && ep.Scheme != "https") || ep.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", endpoint)
	}
	lookup := minio.BucketLookupAuto
	switch q.Get("style") {
	case "":
	case "path":
		lookup = minio.BucketLookupPath
	case "virtual":
		lookup = minio.BucketLookupDNS
	default:
		return nil, fmt.Errorf("style %q is not path or virtual", q.Get("style"))
	}
	timeout := defaultS3Timeout
	if t := q.Get("timeout"); t != "" {
		if timeout, err = time.ParseDuration(t); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("timeout %q is not a positive duration such as 10s", t)
		}
	}
	if creds.AccessKey == "" || creds.SecretKey == "" {
		return nil, errors.New("an S3 store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: s3DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   s3DialTimeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
	}
	client, err := minio.New(ep.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(creds.AccessKey, creds.SecretKey, ""),
		Secure:       ep.Scheme == "https",
		Transport:    tr,
		Region:       q.Get("region"),
		BucketLookup: lookup,
		MaxRetries:   1,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client: %w", err)
	}
	return &S3{client: client, bucket: u.Host, endpoint: ep.Scheme + "://" + ep.Host, putTimeout: s3PutTimeout}, nil
}

func (s *S3) String() string { return "s3://" + s.bucket + " at " + s.endpoint }

// classify turns a client error into ErrNotFound or ErrUnavailable.
// Nothing a store answers, nor a network failure, is our bug: a reader
// gets a 404 or a 503, never a 500.
func classify(op, name string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.Code == "NotFound" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket" {
		return ErrNotFound
	}
	return fmt.Errorf("%s media %s: %w: %w", op, name, ErrUnavailable, err)
}

func (s *S3) Put(ctx context.Context, name string, b []byte, contentType string) error {
	ctx, cancel := context.WithTimeout(ctx, s.putTimeout)
	defer cancel()
	if _, err := s.Stat(ctx, name); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, name, bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: contentType, CacheControl: "public, max-age=31536000, immutable"})
	if err != nil {
		return classify("write", name, err)
	}
	return nil
}

// Open starts the GET: its answer tells a missing object from a store
// that is down, before anything is sent to the reader. Seeking elsewhere
// makes the client ask for a range.
func (s *S3) Open(ctx context.Context, name string) (*Object, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, classify("read", name, err)
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, classify("read", name, err)
	}
	return &Object{ReadSeeker: obj, Closer: obj, Size: info.Size, ModTime: info.LastModified}, nil
}

func (s *S3) Stat(ctx context.Context, name string) (int64, error) {
	info, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return 0, classify("stat", name, err)
	}
	return info.Size, nil
}

func (s *S3) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if info.Err != nil {
			return classify("list", "", info.Err)
		}
		if err := fn(info.Key, info.Size); err != nil {
			return err
		}
	}
	return nil
}

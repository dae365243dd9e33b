package media

import (
	"context"
	"errors"
	"io"
	"time"
)

// Blobs keeps the bytes of images by name. Names are content hashes, so
// an object once written never changes: Put writes a name once, and a
// second Put of the same name is a no-op.
//
// Every instance of an installation must see the same Blobs: a directory
// serves one machine, an S3 bucket serves many.
type Blobs interface {
	// Put stores b under name unless the name is already there.
	Put(ctx context.Context, name string, b []byte, contentType string) error
	// Open returns the object for reading. The caller closes it.
	Open(ctx context.Context, name string) (*Object, error)
	// Stat returns the size of the object, for copying only what is
	// missing.
	Stat(ctx context.Context, name string) (int64, error)
	// Walk calls fn with the name and size of every object.
	Walk(ctx context.Context, fn func(name string, size int64) error) error
	// String names the store for logs and messages, never with secrets.
	String() string
}

// Errors of a Blobs. ErrNotFound is an object that does not exist: a
// reader gets a 404. ErrUnavailable is a store that cannot answer now
// (down, refusing connections or writes, too slow, out of space): a
// reader gets a 503 and comes back later, an editor is told to try again.
var (
	ErrNotFound    = errors.New("media object not found")
	ErrUnavailable = errors.New("media store unavailable")
)

// Object is an open stored object: seekable, so that HTTP range requests
// read only the part asked for.
type Object struct {
	io.ReadSeeker
	io.Closer
	Size    int64
	ModTime time.Time
}

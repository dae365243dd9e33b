package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files keeps objects as files in one directory: the default, for a
// single instance.
type Files struct {
	dir string
}

// NewFiles returns the directory store; the directory is made on the
// first write.
func NewFiles(dir string) *Files { return &Files{dir: dir} }

func (f *Files) String() string { return "file:" + f.dir }

// Put writes b through a temporary file and a rename, so a reader never
// sees half an image. The name is the content's hash: when the file
// exists it already holds these bytes.
func (f *Files) Put(_ context.Context, name string, b []byte, _ string) error {
	path := filepath.Join(f.dir, name)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return fmt.Errorf("media directory: %w: %w", ErrUnavailable, err)
	}
	if err := writeFile(path, b); err != nil {
		return fmt.Errorf("write media: %w: %w", ErrUnavailable, err)
	}
	return nil
}

func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Open opens the file; only regular files are objects.
func (f *Files) Open(_ context.Context, name string) (*Object, error) {
	file, err := os.Open(filepath.Join(f.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("open media %s: %w: %w", name, ErrUnavailable, err)
	}
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, ErrNotFound
	}
	return &Object{ReadSeeker: file, Closer: file, Size: st.Size(), ModTime: st.ModTime()}, nil
}

func (f *Files) Stat(_ context.Context, name string) (int64, error) {
	st, err := os.Stat(filepath.Join(f.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("stat media %s: %w: %w", name, ErrUnavailable, err)
	}
	return st.Size(), nil
}

// Walk lists the directory; temporary files of writes under way start
// with a dot and are skipped.
func (f *Files) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list media: %w", err)
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if err := fn(e.Name(), info.Size()); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// useTempDir makes dir the process's temporary directory, emptied first.
// The editor writes uploaded images to os.TempDir() (internal/editor,
// readMultipart) and removes them when the request ends; a process killed
// mid-upload leaves them behind. Kept under the data directory, they are removed at the next
// start. It is set for the whole process, which only the serve command of
// the real binary does.
func useTempDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data-dir (--data-dir / NEWSROOM_DATA_DIR): cannot create %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("data-dir (--data-dir / NEWSROOM_DATA_DIR): %w", err)
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("empty the temporary directory %s: %w", dir, err)
	}
	return os.Setenv("TMPDIR", dir)
}

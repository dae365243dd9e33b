package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// CopyProgress is reported after each object: how many of Total were
// looked at, and of those how many were copied and how many were already
// in the target.
type CopyProgress struct {
	Done, Total, Copied, Skipped int
}

// Copy copies every object of from into to. What the target already
// holds with the same size is skipped, so an interrupted copy resumes
// where it stopped: names are content hashes, so same name and size means
// same bytes.
func Copy(ctx context.Context, from, to Blobs, progress func(CopyProgress)) (CopyProgress, error) {
	type item struct {
		name string
		size int64
	}
	var items []item
	if err := from.Walk(ctx, func(name string, size int64) error {
		items = append(items, item{name, size})
		return nil
	}); err != nil {
		return CopyProgress{}, fmt.Errorf("list %s: %w", from, err)
	}
	p := CopyProgress{Total: len(items)}
	for _, it := range items {
		size, err := to.Stat(ctx, it.name)
		switch {
		case err == nil && size == it.size:
			p.Skipped++
		case err == nil, errors.Is(err, ErrNotFound):
			if err := copyOne(ctx, from, to, it.name, err == nil); err != nil {
				return p, err
			}
			p.Copied++
		default:
			return p, fmt.Errorf("look up %s in %s: %w", it.name, to, err)
		}
		p.Done++
		if progress != nil {
			progress(p)
		}
	}
	return p, nil
}

// copyOne reads one object whole (images are a few megabytes at most)
// and writes it. An object of another size in the target can only be a
// store that lost data; it is reported, never overwritten blindly.
func copyOne(ctx context.Context, from, to Blobs, name string, exists bool) error {
	if exists {
		return fmt.Errorf("%s holds %s with another size than %s: check that store", to, name, from)
	}
	obj, err := from.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", name, from, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return fmt.Errorf("read %s from %s: %w", name, from, err)
	}
	ct := TypeOf(strings.TrimPrefix(path.Ext(name), "."))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if err := to.Put(ctx, name, b, ct); err != nil {
		return fmt.Errorf("write %s to %s: %w", name, to, err)
	}
	return nil
}

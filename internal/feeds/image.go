package feeds

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// fetched is a remote image re-hosted, or the reason it was not.
type fetched struct {
	media *newsroom.Media
	err   error
}

// rehost fetches an image through the client and stores it through the
// media pipeline (type from the bytes, size, pixel and memory limits,
// re-encoded without metadata). An answer announcing more than an upload
// may hold is refused before its body is read. Results are kept in cache
// for the rest of the poll.
func (s *Service) rehost(ctx context.Context, src string, cache map[string]*fetched, progress Progress) *fetched {
	if im, ok := cache[src]; ok {
		return im
	}
	im := &fetched{}
	im.media, im.err = s.fetchImage(ctx, src)
	cache[src] = im
	if progress.Image != nil {
		progress.Image()
	}
	if im.err != nil {
		s.log.Warn("feed image dropped", "url", src, "reason", im.err)
	}
	return im
}

func (s *Service) fetchImage(ctx context.Context, src string) (*newsroom.Media, error) {
	r, err := s.get(ctx, src, "image/webp, image/png, image/jpeg, image/gif", media.MaxUploadBytes, nil)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, problem("image", "the image answered HTTP %d", r.status)
	}
	if t, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); !strings.HasPrefix(t, "image/") {
		return nil, problem("image", "the image is served as %q, not as an image", t)
	}
	m, err := s.media.Save(ctx, bytes.NewReader(r.body))
	if err != nil {
		return nil, problem("image", "the image cannot be used: %v", err)
	}
	return m, nil
}

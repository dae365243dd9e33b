package feeds

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("bad image address: %w", err)
	}
	req.Header.Set("Accept", "image/webp, image/png, image/jpeg, image/gif")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, problem("image", "the image answered HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > media.MaxUploadBytes {
		return nil, problem("image", "the image is %d bytes, more than the %d we accept", resp.ContentLength, media.MaxUploadBytes)
	}
	if t, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !strings.HasPrefix(t, "image/") {
		return nil, problem("image", "the image is served as %q, not as an image", t)
	}
	b := make([]byte, 0, 64<<10)
	buf := bytes.NewBuffer(b)
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, media.MaxUploadBytes+1))
	if err != nil {
		return nil, problem("image", "the connection broke while reading the image: %v", err)
	}
	if n > media.MaxUploadBytes {
		return nil, problem("image", "the image is more than the %d bytes we accept", media.MaxUploadBytes)
	}
	m, err := s.media.Save(ctx, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, problem("image", "the image cannot be used: %v", err)
	}
	return m, nil
}

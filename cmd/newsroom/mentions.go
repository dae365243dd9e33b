package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/soga/newsroom/federation/inbox"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// mentionResolver finds the accounts posts mention with the resolver the
// network service uses (WebFinger and a signed fetch of the actor, through
// the SSRF-safe client), and says which failures mean "no such account",
// which the publishing service tells the editor apart from a server that
// did not answer.
type mentionResolver struct{ r *inbox.Resolver }

func (m mentionResolver) Resolve(ctx context.Context, account string) (*newsroom.RemoteActor, error) {
	a, err := m.r.Resolve(ctx, account)
	var se *transport.StatusError
	if errors.Is(err, transport.ErrNoActor) ||
		(errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)) {
		return nil, fmt.Errorf("%w: %w", newsroom.ErrNotFound, err)
	}
	return a, err
}

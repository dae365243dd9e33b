package editor

import (
	"context"
	"fmt"

	"github.com/soga/newsroom/internal/view"
)

// people describes the actors of a page (followers, reply authors) from
// the actors cached when their signatures were checked, in one query.
func (h *Handler) people(ctx context.Context, actorIDs []string) (map[string]view.Person, error) {
	cached, err := h.store.RemoteActorsByIDs(ctx, actorIDs)
	if err != nil {
		return nil, fmt.Errorf("actors of the page: %w", err)
	}
	return view.People(actorIDs, cached), nil
}

package editor

import (
	"context"
	"net/http"
	"strconv"

	"github.com/soga/newsroom/internal/view"
)

// The replies and quotes pages list what other servers wrote about our
// posts, a page at a time, with their authors and our posts' titles.

// pageParam is the 1-based page number of a list's URL.
func pageParam(r *http.Request) int {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return max(page, 1)
}

// trimPage cuts the row read beyond a page, which says there is a next
// one, and gives the numbers of the next and previous pages (0: none).
func trimPage[T any](list []T, page, per int) (rows []T, next, prev int) {
	if len(list) > per {
		list, next = list[:per], page+1
	}
	if page > 1 {
		prev = page - 1
	}
	return list, next, prev
}

// authorsAndTitles looks up the people who wrote a page's rows and the
// titles of the posts of ours they are about.
func (h *Handler) authorsAndTitles(ctx context.Context, actorIDs, postIDs []string) (map[string]view.Person, map[string]string, error) {
	people, err := h.people(ctx, actorIDs)
	if err != nil {
		return nil, nil, err
	}
	titles := map[string]string{}
	for _, id := range postIDs {
		if _, ok := titles[id]; !ok {
			if p, err := h.store.PostByID(ctx, id); err == nil {
				titles[id] = p.Title
			}
		}
	}
	return people, titles, nil
}

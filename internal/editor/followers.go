package editor

import (
	"net/http"
	"strconv"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

const followersPerPage = 100

type followersPage struct {
	Org       *newsroom.Organisation
	Count     int
	Followers []followerRow
	Page      int
	Next      int // 0 when this is the last page
	Prev      int // 0 on the first page
}

type followerRow struct {
	newsroom.Follower
	Person view.Person
}

// Followers lists who follows an organisation, a hundred at a time.
func (h *Handler) Followers(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	count, err := h.store.CountFollowers(r.Context(), org.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	list, err := h.store.ListFollowers(r.Context(), org.ID, (page-1)*followersPerPage, followersPerPage)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	ids := make([]string, len(list))
	for i, f := range list {
		ids[i] = f.ActorID
	}
	people, err := h.people(r.Context(), ids)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := followersPage{Org: org, Count: count, Page: page}
	for _, f := range list {
		data.Followers = append(data.Followers, followerRow{Follower: f, Person: people[f.ActorID]})
	}
	if page*followersPerPage < count {
		data.Next = page + 1
	}
	if page > 1 {
		data.Prev = page - 1
	}
	p := h.page(r, "followers.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_followers", p)
}

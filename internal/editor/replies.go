package editor

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

type replyRow struct {
	ObjectID, ActorID, URL string
	Author                 view.Person
	PostID, PostTitle      string
	Content                template.HTML
	Published              time.Time
}

type repliesPage struct {
	Org        *newsroom.Organisation
	Status     string
	Statuses   []string
	Replies    []replyRow
	Next, Prev int // page numbers; 0 when there is none
}

// repliesPerPage keeps the moderation page light: replies are capped in
// size when they arrive, so a page stays under a megabyte.
const repliesPerPage = 50

// Replies lists an organisation's replies from the fediverse by
// moderation status, pending first: nothing shows publicly until an
// editor approves it.
func (h *Handler) Replies(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := newsroom.ReplyStatus(r.URL.Query().Get("status"))
	switch status {
	case newsroom.ReplyApproved, newsroom.ReplyHidden:
	default:
		status = newsroom.ReplyPending
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	list, err := h.store.ListReplies(r.Context(), org.ID, "", status, (page-1)*repliesPerPage, repliesPerPage+1)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	titles := map[string]string{}
	data := repliesPage{Org: org, Status: string(status), Statuses: []string{"pending", "approved", "hidden"}}
	if len(list) > repliesPerPage {
		list, data.Next = list[:repliesPerPage], page+1
	}
	if page > 1 {
		data.Prev = page - 1
	}
	ids := make([]string, len(list))
	for i, rep := range list {
		ids[i] = rep.ActorID
	}
	people, err := h.people(r.Context(), ids)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, rep := range list {
		if _, ok := titles[rep.PostID]; !ok {
			if p, err := h.store.PostByID(r.Context(), rep.PostID); err == nil {
				titles[rep.PostID] = p.Title
			}
		}
		data.Replies = append(data.Replies, replyRow{ObjectID: rep.ObjectID, ActorID: rep.ActorID, URL: rep.URL, Author: people[rep.ActorID],
			PostID: rep.PostID, PostTitle: titles[rep.PostID], Published: rep.Published,
			// Sanitised on arrival and once more here, with the policy
			// our own posts are published under.
			Content: template.HTML(h.replyPolicy.Sanitize(rep.ContentHTML))})
	}
	p := h.page(r, "replies.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_replies", p)
}

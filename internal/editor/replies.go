package editor

import (
	"html/template"
	"net/http"
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
	page := pageParam(r)
	list, err := h.store.ListReplies(r.Context(), org.ID, "", status, (page-1)*repliesPerPage, repliesPerPage+1)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := repliesPage{Org: org, Status: string(status), Statuses: []string{"pending", "approved", "hidden"}}
	list, data.Next, data.Prev = trimPage(list, page, repliesPerPage)
	actors, postIDs := make([]string, len(list)), make([]string, len(list))
	for i, rep := range list {
		actors[i], postIDs[i] = rep.ActorID, rep.PostID
	}
	people, titles, err := h.authorsAndTitles(r.Context(), actors, postIDs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, rep := range list {
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

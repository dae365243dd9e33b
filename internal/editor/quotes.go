package editor

import (
	"html/template"
	"net/http"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

type quoteRow struct {
	ID, URL           string
	Author            view.Person
	PostID, PostTitle string
	Content           template.HTML
	Created           time.Time
}

type quotesPage struct {
	Org        *newsroom.Organisation
	Status     string
	Statuses   []string
	Quotes     []quoteRow
	Next, Prev int
}

// Quotes lists the posts of other servers that quote an organisation's
// posts, by status, waiting ones first: like the replies page, and for
// the same people.
func (h *Handler) Quotes(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := newsroom.QuoteStatus(r.URL.Query().Get("status"))
	switch status {
	case newsroom.QuoteApproved, newsroom.QuoteRejected, newsroom.QuoteRevoked:
	default:
		status = newsroom.QuotePending
	}
	page := pageParam(r)
	list, err := h.store.ListQuotes(r.Context(), org.ID, "", status, (page-1)*repliesPerPage, repliesPerPage+1)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	data := quotesPage{Org: org, Status: string(status), Statuses: []string{"pending", "approved", "rejected", "revoked"}}
	list, data.Next, data.Prev = trimPage(list, page, repliesPerPage)
	actors, postIDs := make([]string, len(list)), make([]string, len(list))
	for i, q := range list {
		actors[i], postIDs[i] = q.ActorID, q.PostID
	}
	people, titles, err := h.authorsAndTitles(r.Context(), actors, postIDs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, q := range list {
		data.Quotes = append(data.Quotes, quoteRow{ID: q.ID, URL: q.URL, Author: people[q.ActorID],
			PostID: q.PostID, PostTitle: titles[q.PostID], Created: q.CreatedAt,
			Content: template.HTML(h.replyPolicy.Sanitize(q.ContentHTML))})
	}
	p := h.page(r, "quotes.title")
	p.Data = data
	h.render(w, r, http.StatusOK, "admin_quotes", p)
}

// ModerateQuote approves or refuses one waiting quote of a post of the
// organisation in the URL; the quoting server gets our answer.
func (h *Handler) ModerateQuote(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var approve bool
	var done string
	switch r.PostFormValue("decision") {
	case "approve":
		approve, done = true, "quote_approved"
	case "reject":
		done = "quote_rejected"
	default:
		http.Error(w, "unknown decision", http.StatusBadRequest)
		return
	}
	if err := h.audience.DecideQuote(r.Context(), org.ID, r.PostFormValue("quote_id"), approve); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+org.Handle+"/quotes", done)
}

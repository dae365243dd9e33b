package editor

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/soga/newsroom/internal/feeds"
	"github.com/soga/newsroom/internal/newsroom"
)

// feedForm is the form adding a website feed.
type feedForm struct {
	URL      string
	Review   bool
	Kind     string
	Backfill string
}

type feedsPage struct {
	Org     *newsroom.Organisation
	Sources []newsroom.FeedSource
	Form    feedForm
	// Problem says why the feed could not be added.
	Problem *feeds.Problem
	// Creator is the line for the member's site, which makes Mastodon
	// credit its link cards to the organisation's actor.
	Creator string
	Kinds   []newsroom.PostKind
}

// Feeds lists an organisation's website feeds with their state, and adds
// one: from the feed's address or a page of the site that announces it.
func (h *Handler) Feeds(w http.ResponseWriter, r *http.Request) {
	org, err := h.store.OrgByHandle(r.Context(), param(r, "handle"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form := feedForm{Kind: string(newsroom.KindArticle), Backfill: strconv.Itoa(feeds.DefaultBackfill)}
	var v newsroom.ValidationError
	var problem *feeds.Problem
	if r.Method == http.MethodPost {
		form = feedForm{URL: strings.TrimSpace(r.PostFormValue("url")), Review: r.PostFormValue("review") == "1",
			Kind: r.PostFormValue("kind"), Backfill: strings.TrimSpace(r.PostFormValue("backfill"))}
		backfill, err := strconv.Atoi(form.Backfill)
		if err != nil || backfill < 0 || backfill > feeds.MaxBackfill {
			v.Add("backfill", "invalid")
		}
		if form.URL == "" {
			v.Add("url", "required")
		}
		if v.Err() == nil {
			_, err := h.feeds.Add(r.Context(), feeds.AddInput{OrgID: org.ID, URL: form.URL, Review: form.Review,
				Kind: newsroom.PostKind(form.Kind), Backfill: backfill})
			switch {
			case err == nil:
				redirect(w, r, feedsPath(org), "feed_added")
				return
			case errors.As(err, &problem):
			default:
				h.fail(w, r, err)
				return
			}
		}
	}
	sources, err := h.feeds.List(r.Context(), org.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "feeds.title")
	p.Errors = v.Fields
	p.Data = feedsPage{Org: org, Sources: sources, Form: form, Problem: problem,
		Creator: `<meta name="fediverse:creator" content="@` + h.urls.Handle(org.Handle) + `">`,
		Kinds:   []newsroom.PostKind{newsroom.KindArticle, newsroom.KindPress}}
	status := formStatus(r, &v)
	if problem != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "admin_feeds", p)
}

func feedsPath(org *newsroom.Organisation) string { return "/admin/orgs/" + org.Handle + "/feeds" }

// sourceFor is the source named by the form's source_id, when it belongs
// to the organisation of the route.
func (h *Handler) sourceFor(r *http.Request) (*newsroom.Organisation, *newsroom.FeedSource, error) {
	org, err := h.store.OrgByHandle(r.Context(), param(r, "handle"))
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PostFormValue("source_id"), 10, 64)
	if err != nil {
		return nil, nil, newsroom.ErrNotFound
	}
	src, err := h.store.FeedSourceByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if src.OrgID != org.ID {
		return nil, nil, newsroom.ErrNotFound
	}
	return org, src, nil
}

package site

import (
	"net/http"
	"net/url"
	"time"
	"unicode"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// validTag reports whether key is what a hashtag may be: 1 to 100
// letters, marks, digits and underscores, as the fediverse writes them. A
// loop, not the regular expression it replaces: `[\p{L}\p{M}\p{N}_]{1,100}`
// compiles to a hundred copies of three Unicode tables, 2 MB held for the
// life of the process.
func validTag(key string) bool {
	n := 0
	for _, r := range key {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= 100
}

// Tag serves /tags/{key}: the posts with that tag, newest first. Tags are
// found by newsroom.TagKey, and shown as the newest post listed typed them.
func (h *Handler) Tag(w http.ResponseWriter, r *http.Request) { h.cached(w, r, h.tag) }

func (h *Handler) tag(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tag := httprouter.ParamsFromContext(r.Context()).ByName("tag")
	// The tag in any case, with spaces or decomposed accents, leads to
	// its key's page.
	key := newsroom.TagKey(tag)
	if !validTag(key) {
		h.NotFound(w, r)
		return
	}
	if key != tag {
		h.redirect(w, r, h.urls.Tag(key))
		return
	}
	before, ok := decodeCursor(r.URL.Query().Get("before"))
	if !ok {
		h.NotFound(w, r)
		return
	}
	orgs, err := h.orgIndex(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	posts, next, err := h.listPage(ctx, store.PostFilter{Tag: tag, Before: before}, pageSize)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	heading := "#" + typedTag(posts, tag)
	p := h.page(r)
	p.Title = heading
	p.Canonical = h.urls.Tag(tag)
	v := &listPage{Heading: heading, Items: h.items(ctx, posts, orgs, p.Lang), IsFirst: before == nil}
	if next != "" {
		v.Next = h.urls.Tag(tag) + "?before=" + url.QueryEscape(next)
		v.Head.link("next", v.Next, "", "")
	}
	v.Head.Description = h.view.Translate(p.Lang, "public.tag.description")
	v.Head.property("og:type", "website")
	v.Head.property("og:title", heading)
	v.Head.property("og:site_name", h.siteName(r))
	v.Head.property("og:url", h.urls.Tag(tag))
	p.Data = v
	status := http.StatusOK
	if len(v.Items) == 0 && v.IsFirst {
		status = http.StatusNotFound // no such tag (yet): keep it out of search engines
	}
	h.render(w, r, status, "site_tag", p, time.Time{})
}

// typedTag is the tag of key as the first of posts that has it was written,
// or key if none has.
func typedTag(posts []newsroom.Post, key string) string {
	for _, p := range posts {
		for _, t := range p.Tags {
			if newsroom.TagKey(t) == key {
				return t
			}
		}
	}
	return key
}

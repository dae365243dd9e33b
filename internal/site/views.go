package site

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/view"
)

// item is a post as lists show it.
type item struct {
	URL       string
	Title     string
	Summary   string
	Lang      string
	Kind      string // the kind's label, translated
	Date      string // publication date, as readers of the page write it
	OrgName   string
	OrgURL    string
	Published time.Time
	Event     *eventView
	// Past marks an event that ended (or, without an end, started) before
	// the page was made.
	Past      bool
	PastLabel string
	// Thumb is the post's first image, small; OrgIcon the organisation's.
	Thumb, OrgIcon *image
}

// eventView is an event's details, with times in the event's own zone.
type eventView = view.EventView

// orgIndex finds the organisation of a post without a query per post.
type orgIndex map[int64]*newsroom.Organisation

func (h *Handler) orgIndex(ctx context.Context) (orgIndex, error) {
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	idx := make(orgIndex, len(orgs))
	for i := range orgs {
		idx[orgs[i].ID] = &orgs[i]
	}
	return idx, nil
}

// items turns posts into list items, leaving out any whose organisation is
// unknown (it cannot have a URL). An image that cannot be read is left
// out of the list rather than failing it.
func (h *Handler) items(ctx context.Context, posts []newsroom.Post, orgs orgIndex, lang string) []item {
	out := make([]item, 0, len(posts))
	icons := map[int64]*image{}
	now := h.now()
	loc := h.site(ctx).Zone
	for i := range posts {
		p := &posts[i]
		org, ok := orgs[p.OrgID]
		if !ok {
			continue
		}
		it := item{
			URL: h.urls.Post(org.Handle, p.ID), Title: p.Title, Summary: summaryOf(p, 240),
			Lang: p.Lang, Kind: h.view.Translate(lang, "public.kind."+string(p.Kind)),
			Date: view.FormatDate(p.PublishedAt.In(loc), lang), OrgName: org.Name,
			OrgURL: h.urls.Org(org.Handle), Published: p.PublishedAt,
		}
		if p.Event != nil {
			it.Event = h.eventView(org.Handle, p, lang)
			end := p.Event.End
			if end.IsZero() {
				end = p.Event.Start
			}
			it.Past = end.Before(now)
			it.PastLabel = h.view.Translate(lang, "public.past")
		}
		if len(p.Media) > 0 {
			it.Thumb = h.listImage(ctx, p.Media[0].MediaID, p.Media[0].Alt)
		}
		icon, seen := icons[org.ID]
		if !seen {
			icon = h.listImage(ctx, org.IconMediaID, "")
			icons[org.ID] = icon
		}
		it.OrgIcon = icon
		out = append(out, it)
	}
	return out
}

// listImage is an image of a list, or nil when it cannot be read.
func (h *Handler) listImage(ctx context.Context, mediaID, alt string) *image {
	img, err := h.image(ctx, mediaID, alt)
	if err != nil {
		h.log.WarnContext(ctx, "list image left out", "media", mediaID, "err", err)
		return nil
	}
	return img
}

func (h *Handler) eventView(handle string, p *newsroom.Post, lang string) *eventView {
	v := view.NewEventView(p.Event, lang)
	v.ICS = h.urls.PostICS(handle, p.ID)
	return v
}

// zone loads an event's time zone, UTC when unknown.
func zone(name string) *time.Location { return view.EventZone(name) }

// published keeps only what the public may see: published posts.
func published(f store.PostFilter) store.PostFilter {
	f.Status = newsroom.StatusPublished
	return f
}

// listPage reads one page of f and the cursor of the next, if any.
func (h *Handler) listPage(ctx context.Context, f store.PostFilter, size int) ([]newsroom.Post, string, error) {
	f = published(f)
	f.Limit = size + 1
	posts, err := h.store.ListPosts(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(posts) > size {
		posts = posts[:size]
		next = encodeCursor(f.CursorAfter(posts[size-1]))
	}
	return posts, next, nil
}

// summaryOf is a post's plain-text summary, or the start of its body.
func summaryOf(p *newsroom.Post, max int) string {
	if s := strings.TrimSpace(p.Summary); s != "" {
		return truncate(s, max)
	}
	return truncate(htmltext.PlainText(p.BodyHTML), max)
}

// truncate cuts s to at most max bytes at a word boundary, adding an
// ellipsis when it cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > max/2 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " ,;:.") + "…"
}

// isWebURL accepts absolute http(s) URLs only, so that no javascript: or
// data: link reaches a page.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// ogLocales are the OpenGraph locales of the content languages.
var ogLocales = map[string]string{
	"fr": "fr_FR", "en": "en_GB", "de": "de_DE", "es": "es_ES", "it": "it_IT", "nl": "nl_NL", "pt": "pt_PT",
}

func ogLocale(lang string) string {
	if l, ok := ogLocales[lang]; ok {
		return l
	}
	return "en_GB"
}

// langNames name each content language in itself, as language switches
// should.
var langNames = map[string]string{
	"fr": "Français", "en": "English", "de": "Deutsch", "es": "Español", "it": "Italiano",
	"nl": "Nederlands", "pt": "Português",
}

func langName(lang string) string {
	if n, ok := langNames[lang]; ok {
		return n
	}
	return lang
}

// paragraphs splits plain text written by an administrator on blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

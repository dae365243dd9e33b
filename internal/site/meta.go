package site

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// head is what a page puts in <head> for link-card readers, feed readers
// and fediverse servers.
type head struct {
	Description string
	Meta        []metaTag
	Links       []linkTag
	JSONLD      template.JS // already JSON, with <, > and & escaped
}

// metaTag is <meta property=… content=…> (OpenGraph) or <meta name=…>.
type metaTag struct {
	Property, Name, Content string
}

// linkTag is a <link>.
type linkTag struct {
	Rel, Href, Type, Hreflang, Title string
}

func (hd *head) property(p, content string) {
	if content != "" {
		hd.Meta = append(hd.Meta, metaTag{Property: p, Content: content})
	}
}

func (hd *head) name(n, content string) {
	if content != "" {
		hd.Meta = append(hd.Meta, metaTag{Name: n, Content: content})
	}
}

func (hd *head) link(rel, href, typ, title string) {
	hd.Links = append(hd.Links, linkTag{Rel: rel, Href: href, Type: typ, Title: title})
}

// jsonLD encodes v for a <script type="application/ld+json">.
// json.Marshal escapes <, > and &, so the text cannot close the script.
func jsonLD(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

// image is a picture on a page, with what <img> and og:image need.
type image struct {
	URL, Alt, Type string
	Small          string // the variant at most media.SmallDimension on its longest side
	Width, Height  int
	SmallWidth     int // 0 when the small variant is as wide as the image
}

// HeightAt is the image's height when shown w pixels wide, for the width
// and height attributes that keep a list from jumping as images load.
func (i *image) HeightAt(w int) int {
	if i.Width == 0 {
		return w
	}
	return max(1, i.Height*w/i.Width)
}

// feedLinks advertises the feeds of a page to feed readers and calendars.
func (hd *head) feedLinks(title, atom, rss, ics string) {
	hd.link("alternate", atom, "application/atom+xml", title)
	hd.link("alternate", rss, "application/rss+xml", title)
	hd.link("alternate", ics, "text/calendar", title)
}

// postHead builds the metadata of a post page shown in lang (the post's
// language or its translation's).
func (h *Handler) postHead(v *postPage, siteName string) (head, error) {
	var hd head
	hd.Description = v.Description
	hd.property("og:type", "article")
	hd.property("og:site_name", siteName)
	hd.property("og:title", v.Title)
	hd.property("og:description", v.Description)
	hd.property("og:url", v.Canonical)
	hd.property("og:locale", ogLocale(v.Lang))
	for _, alt := range v.Alternates {
		if alt.Lang != v.Lang {
			hd.property("og:locale:alternate", ogLocale(alt.Lang))
		}
	}
	if img := v.CardImage; img != nil {
		hd.property("og:image", img.URL)
		hd.property("og:image:type", img.Type)
		if img.Width > 0 && img.Height > 0 {
			hd.property("og:image:width", strconv.Itoa(img.Width))
			hd.property("og:image:height", strconv.Itoa(img.Height))
		}
		hd.property("og:image:alt", img.Alt)
	}
	hd.property("article:published_time", rfc3339(v.Published))
	hd.property("article:modified_time", rfc3339(v.Updated))
	for _, t := range v.Tags {
		hd.property("article:tag", t.Name)
	}
	hd.name("fediverse:creator", v.Creator)
	for _, alt := range v.Alternates {
		hd.Links = append(hd.Links, linkTag{Rel: "alternate", Href: alt.URL, Hreflang: alt.Lang})
	}
	// The ActivityStreams version of this page is the post, not its
	// organisation: Mastodon, given a URL that answers HTML, follows the
	// first such link (FetchResourceService#process_html), so pasting a
	// post's address in its search finds the post.
	hd.link("alternate", v.ObjectID, "application/activity+json", "")
	var err error
	hd.JSONLD, err = jsonLD(h.postLD(v, siteName))
	return hd, err
}

// postLD is the schema.org description of a post: an Event for events, a
// NewsArticle otherwise (schema.org has no press release type).
func (h *Handler) postLD(v *postPage, siteName string) map[string]any {
	org := map[string]any{"@type": "Organization", "name": v.OrgName, "url": v.OrgURL}
	if v.OrgIcon != nil {
		org["logo"] = v.OrgIcon.URL
	}
	ld := map[string]any{
		"@context":    "https://schema.org",
		"url":         v.Canonical,
		"description": v.Description,
		"inLanguage":  v.Lang,
	}
	var images []string
	for _, img := range v.images {
		images = append(images, img.URL)
	}
	if len(images) == 0 && v.CardImage != nil {
		images = append(images, v.CardImage.URL)
	}
	if len(images) > 0 {
		ld["image"] = images
	}
	if ev := v.Event; ev != nil {
		ld["@type"] = "Event"
		ld["name"] = v.Title
		ld["startDate"] = rfc3339(ev.Start)
		if !ev.End.IsZero() {
			ld["endDate"] = rfc3339(ev.End)
		}
		ld["eventStatus"] = "https://schema.org/EventScheduled"
		if ev.Status == "CANCELLED" {
			ld["eventStatus"] = "https://schema.org/EventCancelled"
		}
		ld["organizer"] = org
		var places []any
		if ev.PlaceName != "" || len(ev.Place) > 0 {
			places = append(places, h.placeLD(v.event))
		}
		if ev.OnlineURL != "" {
			places = append(places, map[string]any{"@type": "VirtualLocation", "url": ev.OnlineURL})
		}
		switch {
		case len(places) == 2:
			ld["eventAttendanceMode"] = "https://schema.org/MixedEventAttendanceMode"
			ld["location"] = places
		case len(places) == 1 && ev.OnlineURL != "":
			ld["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
			ld["location"] = places[0]
		case len(places) == 1:
			ld["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
			ld["location"] = places[0]
		}
		return ld
	}
	ld["@type"] = "NewsArticle"
	ld["headline"] = v.Title
	ld["mainEntityOfPage"] = v.Canonical
	ld["datePublished"] = rfc3339(v.Published)
	if !v.Updated.IsZero() {
		ld["dateModified"] = rfc3339(v.Updated)
	}
	ld["author"] = org
	publisher := map[string]any{"@type": "Organization", "name": siteName, "url": h.urls.Base() + "/"}
	if v.SiteLogo != "" {
		publisher["logo"] = v.SiteLogo
	}
	ld["publisher"] = publisher
	if len(v.Tags) > 0 {
		names := make([]string, len(v.Tags))
		for i, t := range v.Tags {
			names[i] = t.Name
		}
		ld["keywords"] = strings.Join(names, ", ")
	}
	return ld
}

func (h *Handler) placeLD(ev *newsroom.Event) map[string]any {
	place := map[string]any{"@type": "Place"}
	if ev.PlaceName != "" {
		place["name"] = ev.PlaceName
	}
	addr := map[string]any{"@type": "PostalAddress"}
	for k, v := range map[string]string{
		"streetAddress": ev.Street, "postalCode": ev.PostalCode, "addressLocality": ev.Locality,
		"addressRegion": ev.Region, "addressCountry": ev.Country,
	} {
		if v != "" {
			addr[k] = v
		}
	}
	if len(addr) > 1 {
		place["address"] = addr
	}
	return place
}

// rfc3339 keeps the time's own offset, so an event reads in its zone.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

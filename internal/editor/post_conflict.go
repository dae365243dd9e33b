package editor

import (
	"context"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// conflict is what an editor needs to reconcile their form with a post
// someone else saved meanwhile.
type conflict struct {
	// saved holds, by form field, the saved value where it differs from
	// what the editor typed.
	saved map[string]string
}

// reconcile prepares f, refused because current was saved meanwhile, to be
// shown again: everything typed stays, the saved values that differ are
// listed, and the form now carries the current version, so that saving it
// again is a decision made knowing the other edit.
func (h *Handler) reconcile(ctx context.Context, f *postForm, current *newsroom.Post, org *newsroom.Organisation) (*conflict, error) {
	saved, err := h.postFormFrom(ctx, current, org, f.PublishTZ)
	if err != nil {
		return nil, err
	}
	f.Version = current.Version
	c := &conflict{saved: make(map[string]string)}
	differ := func(field, typed, stored string) {
		if typed != stored {
			c.saved[field] = stored
		}
	}
	differ("title", f.Title, saved.Title)
	differ("summary", f.Summary, saved.Summary)
	differ("body", text(f.Body), text(saved.Body))
	differ("content_warning", f.ContentWarning, saved.ContentWarning)
	if tags := strings.Join(posts.NormaliseTags(splitTags(f.Tags)), ", "); tags != saved.Tags {
		c.saved["tags"] = saved.Tags
	}
	differ("translation_lang", f.TrLang, saved.TrLang)
	differ("translation_title", f.TrTitle, saved.TrTitle)
	differ("translation_summary", f.TrSummary, saved.TrSummary)
	differ("translation_body", text(f.TrBody), text(saved.TrBody))
	// An article's form still holds the event fields' defaults: compare
	// them only when either side is an event.
	event := string(newsroom.KindEvent)
	if f.Kind == event || saved.Kind == event {
		e, s := f.Event, saved.Event
		differ("event_start", e.Start, s.Start)
		differ("event_end", e.End, s.End)
		differ("event_timezone", e.Timezone, s.Timezone)
		differ("event_place", e.Place, s.Place)
		differ("event_street", e.Street, s.Street)
		differ("event_postal_code", e.PostalCode, s.PostalCode)
		differ("event_locality", e.Locality, s.Locality)
		differ("event_region", e.Region, s.Region)
		differ("event_country", e.Country, s.Country)
		differ("event_online_url", e.OnlineURL, s.OnlineURL)
		differ("event_status", e.Status, s.Status)
	}
	return c, nil
}

// text is a multi-line value as compared: browsers send line ends as CRLF,
// and trailing blanks mean nothing.
func text(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r", ""), " \t\n")
}

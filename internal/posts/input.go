package posts

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/newsroom"
)

// Limits of what an editor may write. Mastodon keeps about four
// attachments and shows the rest as links, hence MaxMedia.
const (
	MaxTitle          = 200
	MaxSummary        = 1000
	MaxBody           = 100_000
	MaxContentWarning = 200
	MaxTags           = 10
	MaxTagLen         = 64
	MaxMedia          = 4
	MaxAlt            = 1500
	MaxPlaceField     = 200
	// MaxURL bounds a link: beyond 2,000 characters, browsers and servers
	// stop agreeing on what they accept.
	MaxURL = 2000
)

// PostInput is what an editor submits, from the form, the CLI or a file.
type PostInput struct {
	// ID names an existing draft or scheduled post to publish; "" makes a
	// new post. Update and Delete take the id as an argument instead.
	ID string
	// Version is the version of the post the editor loaded: a save over
	// a post changed since is refused with a *ConflictError. 0 saves
	// whatever the stored version, as the command line does.
	Version  int64
	OrgID    int64
	AuthorID int64 // 0 from the command line
	Kind     newsroom.PostKind
	Lang     string // "" = the organisation's default
	Title    string
	Summary  string // plain text
	Body     string // Markdown
	// Translation is the optional version in a second language.
	Translation    *TranslationInput
	Tags           []string // with or without '#', in the case and with the spaces to show
	ContentWarning string
	// ObjectType overrides the organisation's default: "", auto, Note or
	// Article. Events are always Event.
	ObjectType newsroom.ObjectType
	Event      *newsroom.Event // required for events, ignored otherwise
	Media      []newsroom.PostMedia
	// PublishAt schedules publication; zero or past means now.
	PublishAt time.Time
	// Policy overrides the organisation's interaction policy where set.
	Policy newsroom.InteractionPolicy

	// mentions are the accounts the texts mention, resolved by prepare.
	mentions mentionsOf
}

// TranslationInput is the second-language version of a post.
type TranslationInput struct {
	Lang    string
	Title   string
	Summary string
	Body    string // Markdown
}

// tagRE is what a hashtag may hold once its words are joined
// (newsroom.TagName): letters, digits and underscores, as Mastodon
// recognises them.
//
// Compiled when first used, not at start: its Unicode classes make a
// large program, held for good by a server that may never need it.
var tagRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[\p{L}\p{M}\p{N}_]+$`)
})

// NormaliseTags keeps tags as typed, cleaned by newsroom.CleanTag (NFC,
// trimmed, without '#', single spaces), drops blanks, and keeps the first
// of tags with the same newsroom.TagKey, in order: #Vie and vie are one
// tag, shown as typed first.
func NormaliseTags(tags []string) []string {
	seen := make(map[string]bool, len(tags))
	var out []string
	for _, t := range tags {
		t = newsroom.CleanTag(t)
		k := newsroom.TagKey(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// validate checks in as a whole, collecting every problem. For a draft
// only limits apply: what is missing may be written later.
func validate(in *PostInput, draft bool) error {
	var v newsroom.ValidationError
	required := func(field, value string) {
		if !draft && strings.TrimSpace(value) == "" {
			v.Add(field, "required")
		}
	}
	tooLong := func(field, value string, max int) {
		if utf8.RuneCountInString(value) > max {
			v.Add(field, "too_long")
		}
	}
	// A control character in a one-line field breaks the pages, feeds
	// and calendars it is copied into, and followers' apps show it as
	// garbage; the bodies may hold line breaks and tabs (prepare drops
	// carriage returns). validateEvent checks the place's fields; the
	// event's zone, link and status are refused by their own rules.
	oneLine := func(field string, values ...string) {
		for _, value := range values {
			if !plain(value, "") {
				v.Add(field, "invalid")
			}
		}
	}
	lines := func(field, value string) {
		if !plain(value, "\n\t") {
			v.Add(field, "invalid")
		}
	}
	oneLine("title", in.Title)
	oneLine("summary", in.Summary)
	lines("body", in.Body)
	oneLine("content_warning", in.ContentWarning)
	oneLine("tags", in.Tags...)
	for _, m := range in.Media {
		oneLine("media", m.Alt)
	}
	if tr := in.Translation; tr != nil {
		oneLine("translation_title", tr.Title)
		oneLine("translation_summary", tr.Summary)
		lines("translation_body", tr.Body)
	}

	switch in.Kind {
	case newsroom.KindArticle, newsroom.KindPress, newsroom.KindEvent:
	case "":
		v.Add("kind", "required")
	default:
		v.Add("kind", "invalid")
	}
	if !newsroom.ValidLang(in.Lang) {
		v.Add("lang", "invalid")
	}
	required("title", in.Title)
	tooLong("title", in.Title, MaxTitle)
	tooLong("summary", in.Summary, MaxSummary)
	required("body", in.Body)
	tooLong("body", in.Body, MaxBody)
	tooLong("content_warning", in.ContentWarning, MaxContentWarning)
	switch in.ObjectType {
	case "", newsroom.ObjectAuto, newsroom.ObjectNote, newsroom.ObjectArticle:
	default:
		v.Add("object_type", "invalid")
	}
	in.Policy.Validate(&v, true)
	if len(in.Tags) > MaxTags {
		v.Add("tags", "too_many")
	}
	// The fediverse sees a tag typed with spaces as one hashtag, its words
	// joined: the rules apply to that.
	for _, t := range in.Tags {
		if name := newsroom.TagName(t); utf8.RuneCountInString(name) > MaxTagLen {
			v.Add("tags", "too_long")
		} else if !tagRE().MatchString(name) {
			v.Add("tags", "tag_invalid")
		}
	}
	if len(in.Media) > MaxMedia {
		v.Add("media", "too_many")
	}
	for _, m := range in.Media {
		if strings.TrimSpace(m.Alt) == "" {
			v.Add("media", "alt_required")
		}
		tooLong("media", m.Alt, MaxAlt)
	}
	if tr := in.Translation; tr != nil {
		switch {
		case tr.Lang == "":
			// Even for a draft: a text in no language cannot be kept.
			v.Add("translation_lang", "required")
		case !newsroom.ValidLang(tr.Lang):
			v.Add("translation_lang", "invalid")
		case tr.Lang == in.Lang:
			v.Add("translation_lang", "same_lang")
		}
		required("translation_title", tr.Title)
		tooLong("translation_title", tr.Title, MaxTitle)
		tooLong("translation_summary", tr.Summary, MaxSummary)
		required("translation_body", tr.Body)
		tooLong("translation_body", tr.Body, MaxBody)
	}
	if in.Kind == newsroom.KindEvent {
		validateEvent(&v, in.Event, draft)
	}
	return v.Err()
}

// validateEvent checks every field of e, a missing start included, so
// that the form lists all that is wrong at once.
func validateEvent(v *newsroom.ValidationError, e *newsroom.Event, draft bool) {
	if e == nil {
		if !draft {
			v.Add("event_start", "required")
		}
		return
	}
	if e.Start.IsZero() {
		if !draft {
			v.Add("event_start", "required")
		}
	} else if !e.End.IsZero() && e.End.Before(e.Start) {
		v.Add("event_end", "end_before_start")
	}
	if e.Timezone == "" {
		if !draft {
			v.Add("event_timezone", "required")
		}
	} else if _, err := time.LoadLocation(e.Timezone); err != nil || e.Timezone == "Local" {
		v.Add("event_timezone", "invalid")
	}
	if utf8.RuneCountInString(e.OnlineURL) > MaxURL {
		v.Add("event_online_url", "too_long")
	} else if e.OnlineURL != "" {
		u, err := url.Parse(e.OnlineURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Add("event_online_url", "url_invalid")
		}
	}
	switch strings.ToUpper(e.Status) {
	case "", "CONFIRMED", "TENTATIVE", "CANCELLED":
	default:
		v.Add("event_status", "invalid")
	}
	for field, value := range map[string]string{
		"event_place": e.PlaceName, "event_street": e.Street, "event_postal_code": e.PostalCode,
		"event_locality": e.Locality, "event_region": e.Region, "event_country": e.Country,
	} {
		if utf8.RuneCountInString(value) > MaxPlaceField {
			v.Add(field, "too_long")
		} else if !plain(value, "") {
			v.Add(field, "invalid")
		}
	}
}

// plain reports whether s is valid UTF-8 without control characters other
// than those in allowed.
func plain(s, allowed string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			return false
		}
	}
	return true
}

// fill copies the editor's input into p, rendering Markdown. Fields that
// only the service sets (status, times, id) are left alone.
func (s *Service) fill(p *newsroom.Post, in *PostInput) error {
	// An imported post's body is its website's HTML, sanitised on import,
	// which the form shows as Markdown (markdownOf): handed back as it
	// was, the original HTML is kept; edited, it is rendered like any
	// Markdown.
	body := p.BodyHTML
	if p.SourceURL == "" || in.Body != p.BodyMD {
		var err error
		if body, err = s.render.RenderMentions(in.Body, in.mentions.byKey); err != nil {
			return err
		}
	}
	p.OrgID, p.AuthorID, p.Kind, p.Lang = in.OrgID, in.AuthorID, in.Kind, in.Lang
	p.Title = strings.TrimSpace(in.Title)
	p.Summary = strings.TrimSpace(in.Summary)
	p.BodyMD, p.BodyHTML = in.Body, body
	p.Tags = in.Tags
	p.ContentWarning = strings.TrimSpace(in.ContentWarning)
	p.ObjectType = in.ObjectType
	if p.ObjectType == "" {
		p.ObjectType = newsroom.ObjectAuto
	}
	p.Media = in.Media
	p.Policy = in.Policy
	p.Mentions = in.mentions.list
	p.Translation = nil
	if tr := in.Translation; tr != nil {
		trBody, err := s.render.RenderMentions(tr.Body, in.mentions.byKey)
		if err != nil {
			return err
		}
		p.Translation = &newsroom.Translation{Lang: tr.Lang, Title: strings.TrimSpace(tr.Title),
			Summary: strings.TrimSpace(tr.Summary), BodyMD: tr.Body, BodyHTML: trBody}
	}
	p.Event = nil
	if in.Kind == newsroom.KindEvent && in.Event != nil {
		e := *in.Event
		e.Status = strings.ToUpper(e.Status)
		if e.Status == "" {
			e.Status = "CONFIRMED"
		}
		e.Start, e.End = e.Start.UTC(), e.End.UTC()
		p.Event = &e
	}
	return nil
}

// fixType settles "auto" at first publication: followers' servers keep
// the type they first saw, and an Update must not change it.
func fixType(org *newsroom.Organisation, p *newsroom.Post) {
	if p.Kind != newsroom.KindEvent {
		p.ObjectType = newsroom.ObjectType(convert.Type(org, p))
	}
}

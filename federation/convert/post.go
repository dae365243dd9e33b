package convert

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// ActivityStreams types of posts beyond newsroom.ObjectType's Note and
// Article.
const (
	TypeEvent     = "Event"
	TypeTombstone = "Tombstone"
)

// NoteMaxText is the longest body, in characters of plain text, that the
// "auto" object type still sends as a Note: beyond it Mastodon timelines
// would show a wall of text, so the post goes as an Article with a card.
const NoteMaxText = 500

// articleSummaryMax bounds the summary made from the body when an Article
// has none: Mastodon shows it as the post's text under the title.
const articleSummaryMax = 300

// Type is the ActivityStreams type p is published as: Event for events,
// else the post's own choice, else the organisation's default, where
// "auto" picks Note for short posts and Article for long ones.
func Type(org *newsroom.Organisation, p *newsroom.Post) string {
	if p.Kind == newsroom.KindEvent {
		return TypeEvent
	}
	t := p.ObjectType
	if t == "" || t == newsroom.ObjectAuto {
		t = org.DefaultObjectType
	}
	switch t {
	case newsroom.ObjectNote, newsroom.ObjectArticle:
		return string(t)
	}
	if utf8.RuneCountInString(htmltext.PlainText(p.BodyHTML)) <= NoteMaxText {
		return string(newsroom.ObjectNote)
	}
	return string(newsroom.ObjectArticle)
}

// Object is the document served at the post's URL, with its @context.
func (c *Converter) Object(org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media) (map[string]any, error) {
	m, err := c.object(org, p, media)
	if err != nil {
		return nil, err
	}
	m["@context"] = postContext()
	return m, nil
}

// Tombstone is what a deleted post's URL answers with 410, and what a
// Delete carries.
func (c *Converter) Tombstone(org *newsroom.Organisation, p *newsroom.Post) (map[string]any, error) {
	m, err := c.tombstone(org, p)
	if err != nil {
		return nil, err
	}
	m["@context"] = postContext()
	return m, nil
}

// object builds the post's document without @context, ready to embed.
func (c *Converter) object(org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media) (map[string]any, error) {
	var (
		t   postObject
		typ = Type(org, p)
	)
	switch typ {
	case TypeEvent:
		t = streams.NewActivityStreamsEvent()
	case string(newsroom.ObjectArticle):
		t = streams.NewActivityStreamsArticle()
	default:
		t = streams.NewActivityStreamsNote()
	}
	var ip ap.IRIParser
	page := c.urls.Post(org.Handle, p.ID)
	t.SetJSONLDId(ap.IDProperty(ip.Parse(page)))
	attributedTo := streams.NewActivityStreamsAttributedToProperty()
	attributedTo.AppendIRI(ip.Parse(c.urls.Org(org.Handle)))
	t.SetActivityStreamsAttributedTo(attributedTo)
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(ip.Parse(readAt(page, p)))
	t.SetActivityStreamsUrl(u)
	c.address(t, org, &ip)
	if !p.PublishedAt.IsZero() {
		published := streams.NewActivityStreamsPublishedProperty()
		published.Set(p.PublishedAt.UTC())
		t.SetActivityStreamsPublished(published)
	}
	if !p.UpdatedAt.IsZero() {
		updated := streams.NewActivityStreamsUpdatedProperty()
		updated.Set(p.UpdatedAt.UTC())
		t.SetActivityStreamsUpdated(updated)
	}
	attachments, focus := c.attachments(p, media, &ip)
	if attachments.Len() > 0 {
		t.SetActivityStreamsAttachment(attachments)
	}

	texts := c.texts(typ, org, p)
	if len(texts.name) > 0 {
		name := streams.NewActivityStreamsNameProperty()
		name.AppendRDFLangString(texts.name)
		t.SetActivityStreamsName(name)
	}
	if len(texts.summary) > 0 {
		summary := streams.NewActivityStreamsSummaryProperty()
		summary.AppendRDFLangString(texts.summary)
		t.SetActivityStreamsSummary(summary)
	}
	content := streams.NewActivityStreamsContentProperty()
	content.AppendRDFLangString(texts.content)
	t.SetActivityStreamsContent(content)

	var eventExtra map[string]any
	if ev, ok := t.(vocab.ActivityStreamsEvent); ok {
		var err error
		if eventExtra, err = c.eventFields(ev, p, readAt(page, p), &ip); err != nil {
			return nil, err
		}
	}
	if ip.Err != nil {
		return nil, fmt.Errorf("object of post %s: %w", p.ID, ip.Err)
	}
	m, err := ap.Serialize(t)
	if err != nil {
		return nil, err
	}
	delete(m, "@context")
	// go-fed writes a language map alone as nameMap/contentMap. The
	// post's own language goes first in each map: Mastodon takes the
	// language from the first key. The bare content goes too, for the
	// servers that read nothing else (Misskey). Name and summary stay in
	// their maps only, unless the summary is a content warning: see
	// docs/federation.md and texts.
	m["content"] = texts.content[p.Lang]
	if p.ContentWarning != "" {
		m["summary"] = texts.summary[p.Lang]
	}
	for _, k := range []string{"contentMap", "nameMap", "summaryMap"} {
		if v, ok := m[k].(map[string]string); ok {
			m[k] = ap.LangMap{First: p.Lang, Values: v}
		}
	}
	m["sensitive"] = p.ContentWarning != ""
	if tags := c.tags(p); len(tags) > 0 {
		m["tag"] = tags
	}
	addMentions(m, p, true)
	for k, v := range eventExtra {
		m[k] = v
	}
	setFocalPoints(m, focus)
	m["interactionPolicy"] = c.interactionPolicy(org, p)
	return m, nil
}

// postObject is what Note, Article and Event have in common for us.
type postObject interface {
	vocab.Type
	SetActivityStreamsAttributedTo(vocab.ActivityStreamsAttributedToProperty)
	SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
	SetActivityStreamsUpdated(vocab.ActivityStreamsUpdatedProperty)
	SetActivityStreamsAttachment(vocab.ActivityStreamsAttachmentProperty)
	SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	SetActivityStreamsSummary(vocab.ActivityStreamsSummaryProperty)
	SetActivityStreamsContent(vocab.ActivityStreamsContentProperty)
}

// addressed is anything with to and cc: objects and activities.
type addressed interface {
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
}

// address makes t public: Public in to (Mastodon's "public" visibility),
// the followers collection in cc.
func (c *Converter) address(t addressed, org *newsroom.Organisation, ip *ap.IRIParser) {
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(ip.Parse(ap.Public))
	t.SetActivityStreamsTo(to)
	cc := streams.NewActivityStreamsCcProperty()
	cc.AppendIRI(ip.Parse(c.urls.OrgFollowers(org.Handle)))
	t.SetActivityStreamsCc(cc)
}

// texts are the language maps of a post's name, summary and content.
type texts struct {
	name, summary, content map[string]string
}

// texts fills name, summary and content for the object type, so that
// each kind reads whole on every major server (docs/federation.md):
//
//   - Mastodon shows a Note's content, its summary as a content warning,
//     but an Article's or Event's name, summary and link only;
//   - GoToSocial shows the content of every type, and makes the bare
//     summary, else the bare name, a content warning that folds the post;
//   - Misskey shows the bare content and makes the bare summary a
//     content warning.
//
// So content always starts with the title (and an event's date and
// place) and ends with the link, and an Article's or Event's name and
// summary are for Mastodon: in nameMap and summaryMap, which it reads and
// the others do not. A content warning replaces the summary everywhere.
func (c *Converter) texts(typ string, org *newsroom.Organisation, p *newsroom.Post) texts {
	t := texts{name: map[string]string{}, summary: map[string]string{}, content: map[string]string{}}
	page := readAt(c.urls.Post(org.Handle, p.ID), p)
	add := func(lang, title, summary, bodyHTML string) {
		switch typ {
		case string(newsroom.ObjectNote):
			t.content[lang] = postContent(title, "", bodyHTML, page)
		case TypeEvent:
			when := EventSummaryLine(p.Event, lang)
			t.name[lang] = title
			t.summary[lang] = joinLines(when, summaryOrExcerpt(summary, bodyHTML))
			t.content[lang] = postContent(title, when, bodyHTML, page)
		default:
			t.name[lang] = title
			t.summary[lang] = summaryOrExcerpt(summary, bodyHTML)
			t.content[lang] = postContent(title, "", bodyHTML, page)
		}
		if p.ContentWarning != "" {
			t.summary[lang] = p.ContentWarning
		}
	}
	add(p.Lang, p.Title, p.Summary, p.BodyHTML)
	if tr := p.Translation; tr != nil && tr.Lang != "" && tr.Lang != p.Lang {
		add(tr.Lang, tr.Title, tr.Summary, tr.BodyHTML)
	}
	return t
}

// readAt is where a reader goes for the whole post: the member's own
// article for a post imported from its website, so that links and
// Mastodon's card point where the news was written; our page otherwise.
func readAt(page string, p *newsroom.Post) string {
	if p.SourceURL != "" {
		return p.SourceURL
	}
	return page
}

// postContent puts the title in bold on top, as Mastodon users expect of
// news in a timeline, then an event's date and place, and a link to the
// full page at the end.
func postContent(title, when, bodyHTML, page string) string {
	var b strings.Builder
	b.WriteString("<p><strong>" + html.EscapeString(title) + "</strong></p>")
	if when != "" {
		b.WriteString("<p>" + html.EscapeString(when) + "</p>")
	}
	b.WriteString(bodyHTML)
	esc := html.EscapeString(page)
	b.WriteString(`<p><a href="` + esc + `">` + esc + `</a></p>`)
	return b.String()
}

// summaryOrExcerpt is the plain-text summary, or the start of the body
// when the editor wrote none: an Article without one shows only a title.
func summaryOrExcerpt(summary, bodyHTML string) string {
	if s := strings.TrimSpace(summary); s != "" {
		return s
	}
	return htmltext.Excerpt(htmltext.PlainText(bodyHTML), articleSummaryMax)
}

func joinLines(lines ...string) string {
	var kept []string
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n\n")
}

// tags are the post's hashtags, linking to our tag pages. A hashtag's name
// keeps the tag's case, its words joined (newsroom.TagName), and links to
// the page of its key. go-fed has no Hashtag type, so they are plain maps.
func (c *Converter) tags(p *newsroom.Post) []any {
	tags := make([]any, 0, len(p.Tags))
	for _, tag := range p.Tags {
		tags = append(tags, map[string]any{"type": "Hashtag", "name": "#" + newsroom.TagName(tag),
			"href": c.urls.Tag(newsroom.TagKey(tag))})
	}
	return tags
}

// attachments describe the post's images as Mastodon's own do: alt text
// as name, width, height, blurhash, and the focal points by image URL,
// which go-fed has no term for (setFocalPoints adds them). A media row
// that is missing or of a type we do not serve is left out rather than
// failing the whole post.
func (c *Converter) attachments(p *newsroom.Post, rows []newsroom.Media, ip *ap.IRIParser) (vocab.ActivityStreamsAttachmentProperty, map[string][]float64) {
	byID := make(map[string]newsroom.Media, len(rows))
	for _, m := range rows {
		byID[m.ID] = m
	}
	prop := streams.NewActivityStreamsAttachmentProperty()
	focus := map[string][]float64{}
	for _, pm := range p.Media {
		m, ok := byID[pm.MediaID]
		if !ok {
			continue
		}
		img, ok := c.Image(m, ip)
		if !ok {
			continue
		}
		if pm.Alt != "" {
			name := streams.NewActivityStreamsNameProperty()
			name.AppendXMLSchemaString(pm.Alt)
			img.SetActivityStreamsName(name)
		}
		if m.Blurhash != "" {
			bh := streams.NewTootBlurhashProperty()
			bh.Set(m.Blurhash)
			img.SetTootBlurhash(bh)
		}
		if file, ok := media.URLName(m); ok {
			focus[c.urls.Media(file)] = []float64{m.FocusX, m.FocusY}
		}
		prop.AppendActivityStreamsImage(img)
	}
	return prop, focus
}

// setFocalPoints gives each serialised image attachment its focalPoint,
// [x, y] in -1..1, found by the image's URL.
func setFocalPoints(m map[string]any, focus map[string][]float64) {
	set := func(a any) {
		att, ok := a.(map[string]any)
		if !ok {
			return
		}
		if u, ok := att["url"].(string); ok && focus[u] != nil {
			att["focalPoint"] = focus[u]
		}
	}
	switch v := m["attachment"].(type) {
	case []any:
		for _, a := range v {
			set(a)
		}
	default:
		set(v)
	}
}

// tombstone is {id, type: Tombstone, formerType, deleted}.
func (c *Converter) tombstone(org *newsroom.Organisation, p *newsroom.Post) (map[string]any, error) {
	var ip ap.IRIParser
	t := streams.NewActivityStreamsTombstone()
	t.SetJSONLDId(ap.IDProperty(ip.Parse(c.urls.Post(org.Handle, p.ID))))
	former := streams.NewActivityStreamsFormerTypeProperty()
	former.AppendXMLSchemaString(Type(org, p))
	t.SetActivityStreamsFormerType(former)
	if !p.DeletedAt.IsZero() {
		deleted := streams.NewActivityStreamsDeletedProperty()
		deleted.Set(p.DeletedAt.UTC())
		t.SetActivityStreamsDeleted(deleted)
	}
	if ip.Err != nil {
		return nil, fmt.Errorf("tombstone of post %s: %w", p.ID, ip.Err)
	}
	m, err := ap.Serialize(t)
	if err != nil {
		return nil, err
	}
	delete(m, "@context")
	return m, nil
}

// timeIn is t in the named zone, or in UTC when the name is unknown.
func timeIn(t time.Time, zone string) time.Time {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return t.In(loc)
	}
	return t.UTC()
}

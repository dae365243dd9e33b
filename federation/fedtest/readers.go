package fedtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/soga/newsroom/internal/htmltext"
)

// Shown is what a reader sees of a post on one server: the rules that
// server's code applies to an incoming object, applied to what we sent.
// The rules are in docs/federation.md with the source files they come
// from; each reader function names its own.
type Shown struct {
	Server   string
	Stored   bool   // false when the server drops objects of this type
	Title    string // shown as a heading; "" when the server shows none
	Text     string // the plain text shown in the timeline
	CW       string // the content warning the post is folded behind; "" when open
	Language string // the language the post is labelled with; "" when none
	Images   []ShownImage
	InFeed   bool   // whether it appears in followers' home timelines
	Card     string // the page its link card is made from (Mastodon); "" when none
}

// ShownImage is one attachment as the server keeps it.
type ShownImage struct {
	URL, Alt, Blurhash string
	Focus              []float64 // nil when the server reads none
	Width, Height      int
}

// Readers is what Mastodon, GoToSocial, Misskey and Pixelfed show of
// the object, in that order. object is its JSON as received, whose key
// order Mastodon reads.
func Readers(object []byte) ([]Shown, error) {
	o, err := parseObject(object)
	if err != nil {
		return nil, err
	}
	return []Shown{o.mastodon(), o.goToSocial(), o.misskey(), o.pixelfed()}, nil
}

// ObjectJSON is the activity's object as it was received, keys in order.
func (r Received) ObjectJSON() ([]byte, error) {
	var act map[string]json.RawMessage
	if err := json.Unmarshal(r.Raw, &act); err != nil {
		return nil, err
	}
	obj, ok := act["object"]
	if !ok || len(obj) == 0 || obj[0] != '{' {
		return nil, fmt.Errorf("%s: no embedded object", r.Type())
	}
	return obj, nil
}

type object struct {
	m   map[string]any
	raw map[string]json.RawMessage
}

func parseObject(b []byte) (object, error) {
	var o object
	if err := json.Unmarshal(b, &o.m); err != nil {
		return o, fmt.Errorf("object: %w", err)
	}
	if err := json.Unmarshal(b, &o.raw); err != nil {
		return o, fmt.Errorf("object: %w", err)
	}
	return o, nil
}

func (o object) typ() string { s, _ := o.m["type"].(string); return s }

// bare is a property written as a plain string, "" otherwise.
func (o object) bare(k string) string { s, _ := o.m[k].(string); return s }

// first is the first entry of a language map, in the order it was sent.
func (o object) first(k string) (lang, value string) {
	raw, ok := o.raw[k]
	if !ok {
		return "", ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", ""
	}
	t, err := dec.Token()
	if err != nil {
		return "", ""
	}
	lang, _ = t.(string)
	if err := dec.Decode(&value); err != nil {
		return "", ""
	}
	return lang, value
}

// bareOrFirst is Mastodon's reading: the plain value, else the first of
// the map.
func (o object) bareOrFirst(k string) string {
	if s := o.bare(k); s != "" {
		return s
	}
	_, v := o.first(k + "Map")
	return v
}

func (o object) attachments() []map[string]any { return asMaps(o.m["attachment"]) }

// asMaps is a property holding one object or a list of them.
func asMaps(v any) []map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		var out []map[string]any
		for _, a := range v {
			if m, ok := a.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// files are the attachments that are not links, as GoToSocial and
// Misskey keep them; focus says whether the server reads focalPoint.
func (o object) files(focus bool) []ShownImage {
	var out []ShownImage
	for _, a := range o.attachments() {
		if str(a["type"]) == "Link" || str(a["url"]) == "" {
			continue
		}
		out = append(out, shownImage(a, focus))
	}
	return out
}

func shownImage(a map[string]any, focus bool) ShownImage {
	img := ShownImage{URL: str(a["url"]), Alt: str(a["name"]), Blurhash: str(a["blurhash"])}
	w, _ := a["width"].(float64)
	h, _ := a["height"].(float64)
	img.Width, img.Height = int(w), int(h)
	if fp, ok := a["focalPoint"].([]any); ok && focus && len(fp) == 2 {
		x, okx := fp[0].(float64)
		y, oky := fp[1].(float64)
		if okx && oky && x >= -1 && x <= 1 && y >= -1 && y <= 1 {
			img.Focus = []float64{x, y}
		}
	}
	return img
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case map[string]any: // a Link
		return str(s["href"])
	case []any:
		if len(s) > 0 {
			return str(s[0])
		}
	}
	return ""
}

func plain(html string) string { return strings.TrimSpace(htmltext.PlainText(html)) }

// mastodon: app/lib/activitypub/activity/create.rb and
// parser/status_parser.rb (4.x). Note and Question are native: content
// (else the first of contentMap) is the text, summary (else the first of
// summaryMap) the content warning. Article, Page, Image, Audio, Video and
// Event are converted: "<h2>name</h2>", the summary as text and a link
// to url; content is dropped and there is no content warning. The
// language is the first key of contentMap, else nameMap, else
// summaryMap. Four attachments are kept, with name as description,
// blurhash and focalPoint. The link card is made from the page card
// names.
func (o object) mastodon() Shown {
	s := Shown{Server: "Mastodon", Stored: true, InFeed: true}
	switch o.typ() {
	case "Note", "Question":
		s.Text = plain(o.bareOrFirst("content"))
		s.CW = o.bareOrFirst("summary")
	case "Article", "Page", "Image", "Audio", "Video", "Event":
		s.Title = o.bareOrFirst("name")
		link := str(o.m["url"])
		if link == "" {
			link = str(o.m["id"])
		}
		s.Text = strings.TrimSpace(o.bareOrFirst("summary") + "\n\n" + link)
	default:
		return Shown{Server: "Mastodon"}
	}
	for _, k := range []string{"contentMap", "nameMap", "summaryMap"} {
		if lang, _ := o.first(k); lang != "" {
			s.Language = lang
			break
		}
	}
	for _, a := range o.attachments() {
		if str(a["url"]) == "" || len(s.Images) == 4 {
			continue
		}
		if mt := str(a["mediaType"]); mt != "" && !strings.HasPrefix(mt, "image/") && !strings.HasPrefix(mt, "video/") && !strings.HasPrefix(mt, "audio/") {
			continue
		}
		s.Images = append(s.Images, shownImage(a, true))
	}
	s.Card = o.card()
	return s
}

// card is the page Mastodon makes a status's link card from. Since 4.7
// (FEP-8967, mastodon/mastodon#36104): the href of the first attachment
// that has one (a Link); the LinkCrawlWorker crawls that. Without one,
// FetchLinkCardService#parse_urls: the first link of the status's text
// that is not a hashtag (rel="tag"), a mention (class u-url or h-card,
// or the href of a Mention tag) or a URL without an http(s) scheme and a
// host. A Note's text is its content; a converted type's is its name,
// summary and url joined, linkified. Whether Mastodon links the plain
// URLs of the summary there is not checked: this reader does, the
// stricter reading, so a URL in an event's date line counts before url.
func (o object) card() string {
	for _, a := range o.attachments() {
		if h, ok := a["href"].(string); ok && h != "" {
			return h
		}
	}
	var hrefs []string
	switch o.typ() {
	case "Note", "Question":
		hrefs = o.contentLinks()
	default:
		hrefs = plainURLs.FindAllString(o.bareOrFirst("summary"), -1)
		link := str(o.m["url"])
		if link == "" {
			link = str(o.m["id"])
		}
		hrefs = append(hrefs, link)
	}
	for _, h := range hrefs {
		if u, err := url.Parse(h); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return h
		}
	}
	return ""
}

// plainURLs finds the URLs Mastodon's linkify would link in plain text,
// near enough for our own text: an http(s) URL up to a space.
var plainURLs = regexp.MustCompile(`https?://[^\s<>"]+`)

// contentLinks are the hrefs of the content's links, in order, but for
// hashtags and mentions (FetchLinkCardService#skip_link?).
func (o object) contentLinks() []string {
	doc, err := html.Parse(strings.NewReader(o.bareOrFirst("content")))
	if err != nil {
		return nil
	}
	mentioned := map[string]bool{}
	for _, t := range asMaps(o.m["tag"]) {
		if str(t["type"]) == "Mention" {
			mentioned[str(t["href"])] = true
		}
	}
	var hrefs []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "a" {
			continue
		}
		var href, rel, class string
		for _, at := range n.Attr {
			switch at.Key {
			case "href":
				href = at.Val
			case "rel":
				rel = at.Val
			case "class":
				class = at.Val
			}
		}
		if slices.Contains(strings.Fields(rel), "tag") || strings.Contains(class, "u-url") ||
			strings.Contains(class, "h-card") || mentioned[href] || href == "" {
			continue
		}
		hrefs = append(hrefs, href)
	}
	return hrefs
}

// goToSocial: internal/typeutils/astointernal.go ASStatusToStatus and
// internal/ap/extract.go (0.20). Every statusable type (Note, Article,
// Page, Event, Document, Image, Video, Place, Profile, Question) shows
// its content; the content warning is the summary, else the name, each
// read only as a plain string (summaryMap and nameMap are not read), and
// a post with one is folded behind it. The language is the contentMap
// key whose value is the content. Attachments keep name, blurhash and a
// valid focalPoint.
func (o object) goToSocial() Shown {
	s := Shown{Server: "GoToSocial", Stored: true, InFeed: true}
	if !slices.Contains([]string{"Note", "Article", "Document", "Image", "Video", "Page", "Event", "Place", "Profile", "Question"}, o.typ()) {
		return Shown{Server: "GoToSocial"}
	}
	content := o.bare("content")
	if cm, ok := o.m["contentMap"].(map[string]any); ok {
		for lang, v := range cm {
			if v == content {
				s.Language = lang
			}
		}
	}
	s.Text = plain(content)
	if s.CW = o.bare("summary"); s.CW == "" {
		s.CW = o.bare("name")
	}
	s.Images = o.files(true)
	return s
}

// misskey: packages/backend/src/core/activitypub/models/ApNoteService.ts
// createNote (Misskey 2024–2025, Sharkey the same): the plain content,
// converted by ApMfmService.htmlToMfm, is the text; the plain summary is
// the content warning ("cw"); name is read for poll votes only; no
// language. Attachments keep name as the file's comment.
func (o object) misskey() Shown {
	s := Shown{Server: "Misskey", Stored: true, InFeed: true}
	if !slices.Contains([]string{"Note", "Question", "Article", "Audio", "Document", "Image", "Page", "Video", "Event"}, o.typ()) {
		return Shown{Server: "Misskey"}
	}
	s.Text = plain(o.bare("content"))
	s.CW = o.bare("summary")
	s.Images = o.files(false)
	return s
}

// pixelfed: app/Util/ActivityPub/Inbox.php handleCreateActivity and
// Helpers.php storeStatus, createOrUpdateStatus, getSensitive and
// verifyAttachments. Only a Note (or a Question) is taken. The plain
// content is the caption; the summary is a content warning only when
// sensitive is true; attachments are kept only when every one is an
// Image, Document or Video with a url, an image media type, and width
// and height up to 5000; only a post with media enters home timelines.
func (o object) pixelfed() Shown {
	s := Shown{Server: "Pixelfed"}
	if t := o.typ(); t != "Note" && t != "Question" {
		return s
	}
	s.Stored = true
	s.Text = plain(o.bare("content"))
	if sensitive, _ := o.m["sensitive"].(bool); sensitive {
		s.CW = o.bare("summary")
		if s.CW == "" {
			s.CW = "Sensitive"
		}
	}
	atts := o.attachments()
	valid := len(atts) > 0
	for _, a := range atts {
		w, _ := a["width"].(float64)
		h, _ := a["height"].(float64)
		bh := str(a["blurhash"])
		if t := str(a["type"]); (t != "Image" && t != "Document" && t != "Video") || str(a["url"]) == "" ||
			!strings.HasPrefix(str(a["mediaType"]), "image/") || w > 5000 || h > 5000 ||
			(bh != "" && (len(bh) < 6 || len(bh) > 164)) {
			valid = false
		}
	}
	if valid {
		for _, a := range atts {
			s.Images = append(s.Images, shownImage(a, false))
		}
	}
	s.InFeed = len(s.Images) > 0
	return s
}

// Expect is what every reader should see of one of our posts.
type Expect struct {
	Title  string // as a heading or at the top of the text
	Body   string // a phrase of the body, shown wherever content is
	Teaser string // shown instead of the body where only the summary is (Mastodon's converted types)
	When   string // an event's date line, shown everywhere
	CW     string // the content warning; "" when the post must not be folded
	Lang   string // the language Mastodon labels it with
	Images int    // how many images every server keeps
	Card   string // the page Mastodon's link card is made from; unchecked when ""
}

// Problems lists where a reader does not see what e says.
func (e Expect) Problems(shown []Shown) []string {
	var out []string
	bad := func(s Shown, format string, args ...any) {
		out = append(out, s.Server+": "+fmt.Sprintf(format, args...))
	}
	for _, s := range shown {
		if !s.Stored {
			if s.Server != "Pixelfed" { // a photo server, for posts with images
				bad(s, "not stored")
			}
			continue
		}
		converted := s.Title != ""
		if s.Title != e.Title && !strings.HasPrefix(s.Text, e.Title) {
			bad(s, "title %q not shown (title %q, text %q)", e.Title, s.Title, s.Text)
		}
		switch {
		case converted && e.CW != "":
			// Mastodon has no warning on converted types: the warning
			// takes the summary's place under the title.
			if !strings.Contains(s.Text, e.CW) {
				bad(s, "warning %q not in the text %q", e.CW, s.Text)
			}
		case converted:
			if e.Teaser != "" && !strings.Contains(s.Text, e.Teaser) {
				bad(s, "teaser %q not in %q", e.Teaser, s.Text)
			}
		case !strings.Contains(s.Text, e.Body):
			bad(s, "body %q not in %q", e.Body, s.Text)
		}
		if !converted && s.CW != e.CW {
			bad(s, "folded behind %q, want %q", s.CW, e.CW)
		}
		if e.When != "" && !strings.Contains(s.Text, e.When) {
			bad(s, "date line %q not in %q", e.When, s.Text)
		}
		if s.Server == "Mastodon" && s.Language != e.Lang {
			bad(s, "language %q, want %q", s.Language, e.Lang)
		}
		if s.Server == "Mastodon" && e.Card != "" && s.Card != e.Card {
			bad(s, "link card from %q, want %q", s.Card, e.Card)
		}
		if len(s.Images) != e.Images {
			bad(s, "%d images, want %d", len(s.Images), e.Images)
		}
		if s.Server == "Pixelfed" && e.Images > 0 && !s.InFeed {
			bad(s, "not in home timelines")
		}
	}
	return out
}

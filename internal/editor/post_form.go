package editor

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/view"
)

// postForm is the compose and edit form as the browser sent it. Values
// stay strings so that a form that fails validation comes back exactly as
// it was typed.
type postForm struct {
	Org            string // handle, chosen when composing
	Kind           string
	Lang           string
	Title          string
	Summary        string
	Body           string
	TrLang         string // "" = no second language
	TrTitle        string
	TrSummary      string
	TrBody         string
	Tags           string
	ContentWarning string
	ObjectType     string
	Policy         policyForm
	Images         []imageSlot // always posts.MaxMedia slots
	PublishAt      string      // datetime-local, for "schedule"
	PublishTZ      string
	Event          eventForm
	Action         string // preview, draft, publish, schedule or save
	// Version is the version of the post the form was filled from, sent
	// back so that a save over someone else's is refused; 0 when composing.
	Version int64
}

// eventForm holds the event fields, named event_* in the form as in the
// publishing service's validation errors.
type eventForm struct {
	Start, End, Timezone                                 string
	Place, Street, PostalCode, Locality, Region, Country string
	OnlineURL, Status                                    string
}

// imageSlot is one image of the form: either a stored image (MediaID set,
// shown with its thumbnail) or an empty slot with a file input.
type imageSlot struct {
	N       int // 0-based index in the form's field names
	Num     int // 1-based, for people
	MediaID string
	Alt     string
	Thumb   string
}

// newPostForm is an empty form for org, its times in zone.
func newPostForm(org *newsroom.Organisation, zone string) postForm {
	return postForm{Org: org.Handle, Kind: string(newsroom.KindArticle), Lang: org.DefaultLang,
		ObjectType: string(org.DefaultObjectType),
		PublishTZ:  zone, Event: eventForm{Timezone: zone}, Images: slots(nil)}
}

// slots pads images to posts.MaxMedia numbered slots.
func slots(images []imageSlot) []imageSlot {
	out := make([]imageSlot, posts.MaxMedia)
	for i := range out {
		if i < len(images) {
			out[i] = images[i]
		}
		out[i].N, out[i].Num = i, i+1
	}
	return out
}

// postFormFrom is the form showing the stored post p, its publication
// time in zone.
func (h *Handler) postFormFrom(ctx context.Context, p *newsroom.Post, org *newsroom.Organisation, zone string) (postForm, error) {
	f := postForm{Org: org.Handle, Kind: string(p.Kind), Lang: p.Lang, Title: p.Title, Summary: p.Summary,
		Body: p.BodyMD, Tags: strings.Join(p.Tags, ", "), ContentWarning: p.ContentWarning,
		ObjectType: string(p.ObjectType), PublishTZ: zone, Event: eventForm{Timezone: zone},
		Version: p.Version, Policy: policyFormFrom(p.Policy)}
	if tr := p.Translation; tr != nil {
		f.TrLang, f.TrTitle, f.TrSummary, f.TrBody = tr.Lang, tr.Title, tr.Summary, tr.BodyMD
	}
	if p.Status == newsroom.StatusScheduled {
		f.PublishAt = formatLocal(p.PublishAt, zone)
	}
	if e := p.Event; e != nil {
		f.Event = eventForm{Start: formatLocal(e.Start, e.Timezone), End: formatLocal(e.End, e.Timezone),
			Timezone: e.Timezone, Place: e.PlaceName, Street: e.Street, PostalCode: e.PostalCode,
			Locality: e.Locality, Region: e.Region, Country: e.Country, OnlineURL: e.OnlineURL, Status: e.Status}
	}
	var images []imageSlot
	for _, pm := range p.Media {
		slot := imageSlot{MediaID: pm.MediaID, Alt: pm.Alt}
		if m, err := h.store.MediaByID(ctx, pm.MediaID); err == nil {
			slot.Thumb = h.urls.Media(media.SmallName(*m))
		} else if !errors.Is(err, newsroom.ErrNotFound) {
			return f, fmt.Errorf("media %s: %w", pm.MediaID, err)
		}
		images = append(images, slot)
	}
	f.Images = slots(images)
	return f, nil
}

// Compiled when first used, not at start: its counted repetition
// compiles to 64 copies of the class, held for good by a server that
// may never need it.
var mediaIDRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-f]{64}$`)
})

// parsePostForm reads the submitted form. Uploaded files are handled by
// takeUploads.
func parsePostForm(r *http.Request) postForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := postForm{Org: v("org"), Kind: v("kind"), Lang: v("lang"), Title: v("title"), Summary: oneLine(v("summary")),
		// The body keeps its leading spaces: they mean code in Markdown.
		Body:   strings.TrimRight(r.PostFormValue("body"), " \t\r\n"),
		TrLang: v("translation_lang"), TrTitle: v("translation_title"), TrSummary: oneLine(v("translation_summary")),
		TrBody: strings.TrimRight(r.PostFormValue("translation_body"), " \t\r\n"),
		Tags:   v("tags"), ContentWarning: v("content_warning"), ObjectType: v("object_type"),
		PublishAt: v("publish_at"), PublishTZ: v("publish_tz"), Action: v("action"), Policy: parsePolicyForm(r),
		Event: eventForm{Start: v("event_start"), End: v("event_end"), Timezone: v("event_timezone"),
			Place: v("event_place"), Street: v("event_street"), PostalCode: v("event_postal_code"),
			Locality: v("event_locality"), Region: v("event_region"), Country: v("event_country"),
			OnlineURL: v("event_online_url"), Status: v("event_status")},
	}
	// A form without a version, or with one that does not parse, saves
	// unconditionally, as before the field existed.
	f.Version, _ = strconv.ParseInt(v("version"), 10, 64)
	var images []imageSlot
	for i := 0; i < posts.MaxMedia; i++ {
		n := strconv.Itoa(i)
		slot := imageSlot{MediaID: v("media_" + n + "_id"), Alt: oneLine(v("media_" + n + "_alt"))}
		if !mediaIDRE().MatchString(slot.MediaID) || r.PostFormValue("media_"+n+"_remove") != "" {
			slot.MediaID = ""
		}
		images = append(images, slot)
	}
	f.Images = slots(images)
	return f
}

// takeUploads stores the images uploaded with the form into their slots,
// so that they survive a form coming back with errors, and records the
// ones refused.
func (h *Handler) takeUploads(r *http.Request, f *postForm, v *newsroom.ValidationError) error {
	for i := range f.Images {
		field := "media_" + strconv.Itoa(i)
		u := uploaded(r, field+"_file")
		if u == nil || u.size == 0 {
			continue
		}
		if u.file == nil {
			v.Add(field, "image_too_large")
			continue
		}
		m, err := h.media.Save(r.Context(), u.file)
		switch code := h.uploadRefused(err); {
		case code != "":
			v.Add(field, code)
		case err != nil:
			return err
		default:
			f.Images[i].MediaID = m.ID
			f.Images[i].Thumb = h.urls.Media(media.SmallName(*m))
		}
	}
	return nil
}

// uploadsDropped marks, next to their fields, the images sent with a form
// shown again without storing anything (notSavedSession): their file
// inputs come back empty, and the editor must choose them again.
func uploadsDropped(r *http.Request, v *newsroom.ValidationError) {
	for i := range posts.MaxMedia {
		field := "media_" + strconv.Itoa(i)
		if u := uploaded(r, field+"_file"); u != nil && u.size > 0 {
			v.Add(field, "image_again")
		}
	}
}

// uploadRefused names the form error of an upload media.Store.Save
// refused, or returns "" for success and for failures of ours. A store
// that cannot take the image is the editor's to know: the form comes back
// with the error, and nothing is published without its images.
func (h *Handler) uploadRefused(err error) string {
	switch {
	case errors.Is(err, media.ErrNotImage):
		return "image_type"
	case errors.Is(err, media.ErrTooLarge):
		return "image_too_large"
	case errors.Is(err, media.ErrUnavailable):
		h.log.Warn("editor: an image could not be stored", "err", err)
		return "image_store"
	}
	return ""
}

// thumbs fills the thumbnails of images kept from an earlier submission.
func (h *Handler) thumbs(ctx context.Context, f *postForm) {
	for i, s := range f.Images {
		if s.MediaID == "" || s.Thumb != "" {
			continue
		}
		if m, err := h.store.MediaByID(ctx, s.MediaID); err == nil {
			f.Images[i].Thumb = h.urls.Media(media.SmallName(*m))
		}
	}
}

// parseErrors records what the publishing service cannot check because
// it never sees it: times that do not parse, and a "schedule" action
// without a time to come. The service checks the rest (addErrors).
func (f *postForm) parseErrors(now time.Time, v *newsroom.ValidationError) {
	if f.Action == "schedule" {
		at, ok := parseLocal(f.PublishAt, f.PublishTZ)
		switch {
		case f.PublishAt == "":
			v.Add("publish_at", "required")
		case !ok:
			v.Add("publish_at", "datetime_invalid")
		case !at.After(now):
			v.Add("publish_at", "schedule_past")
		}
	}
	if f.Kind == string(newsroom.KindEvent) {
		if _, ok := newsroom.LoadZone(f.Event.Timezone); !ok {
			v.Add("event_timezone", "required")
		} else {
			if _, ok := parseLocal(f.Event.Start, f.Event.Timezone); !ok {
				v.Add("event_start", "datetime_invalid")
			}
			if _, ok := parseLocal(f.Event.End, f.Event.Timezone); !ok {
				v.Add("event_end", "datetime_invalid")
			}
		}
	}
}

// addErrors adds the publishing service's objections in err to v and
// reports whether err was one. The service speaks of the images as a
// whole; the form shows a missing description next to each image
// lacking one.
func (f *postForm) addErrors(v *newsroom.ValidationError, err error) bool {
	if !mergeErrors(v, err) {
		return false
	}
	if v.Fields["media"] == "alt_required" {
		for _, s := range f.Images {
			if s.MediaID != "" && s.Alt == "" {
				v.Add("media_"+strconv.Itoa(s.N), "alt_required")
			}
		}
	}
	return true
}

// checkPost adds to v what the publishing service would refuse in in,
// without writing: a form with fields that do not parse is not
// submitted, but shows every problem at once.
func (h *Handler) checkPost(r *http.Request, f *postForm, in posts.PostInput, v *newsroom.ValidationError) error {
	err := h.posts.Validate(r.Context(), in, f.Action == "draft")
	if err == nil || f.addErrors(v, err) {
		return nil
	}
	return err
}

// input is the form as the publishing service takes it.
func (f *postForm) input(orgID, authorID int64) posts.PostInput {
	in := posts.PostInput{OrgID: orgID, AuthorID: authorID, Kind: newsroom.PostKind(f.Kind), Lang: f.Lang,
		Title: f.Title, Summary: f.Summary, Body: f.Body, Tags: splitTags(f.Tags),
		ContentWarning: f.ContentWarning, ObjectType: newsroom.ObjectType(f.ObjectType), Policy: f.Policy.policy()}
	if f.TrLang != "" || f.TrTitle != "" || f.TrSummary != "" || f.TrBody != "" {
		in.Translation = &posts.TranslationInput{Lang: f.TrLang, Title: f.TrTitle, Summary: f.TrSummary, Body: f.TrBody}
	}
	for _, s := range f.Images {
		if s.MediaID != "" {
			in.Media = append(in.Media, newsroom.PostMedia{MediaID: s.MediaID, Alt: s.Alt})
		}
	}
	if f.Action == "schedule" {
		in.PublishAt, _ = parseLocal(f.PublishAt, f.PublishTZ)
	}
	if in.Kind == newsroom.KindEvent {
		e := f.Event
		start, _ := parseLocal(e.Start, e.Timezone)
		end, _ := parseLocal(e.End, e.Timezone)
		in.Event = &newsroom.Event{Start: start, End: end, Timezone: e.Timezone, PlaceName: e.Place,
			Street: e.Street, PostalCode: e.PostalCode, Locality: e.Locality, Region: e.Region,
			Country: e.Country, OnlineURL: e.OnlineURL, Status: e.Status}
	}
	return in
}

// splitTags reads the tag field: tags are separated by commas and line
// breaks, so "inclusion numérique" is one tag; a '#' at the start of a word
// also starts a tag, so "#vie #assos" is two. Each may keep its '#', which
// the service drops.
func splitTags(s string) []string {
	var tags []string
	for _, chunk := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		var words []string
		for _, w := range strings.Fields(chunk) {
			if strings.HasPrefix(w, "#") && len(words) > 0 {
				tags = append(tags, strings.Join(words, " "))
				words = nil
			}
			words = append(words, w)
		}
		if len(words) > 0 {
			tags = append(tags, strings.Join(words, " "))
		}
	}
	return tags
}

// preview is what the post will look like, rendered by the same code that
// publishes it.
type preview struct {
	Lang, Title, Summary, ContentWarning string
	Body                                 template.HTML
	Tags                                 []string
	Images                               []imageSlot
	Translation                          *preview
	// Event is what the post page will show of the event, in the words
	// of the editor's interface, as a reader using it would see.
	Event *view.EventView
}

func (h *Handler) preview(r *http.Request, f *postForm, org *newsroom.Organisation) (*preview, error) {
	lang := f.Lang
	if lang == "" {
		lang = org.DefaultLang
	}
	body, err := h.markdown.Render(f.Body)
	if err != nil {
		return nil, err
	}
	p := &preview{Lang: lang, Title: f.Title, Summary: f.Summary, ContentWarning: f.ContentWarning,
		// The renderer's output went through the publishing policy: it is
		// exactly the HTML followers will receive.
		Body: template.HTML(body), Tags: posts.NormaliseTags(splitTags(f.Tags))}
	for _, s := range f.Images {
		if s.MediaID != "" {
			p.Images = append(p.Images, s)
		}
	}
	if f.Kind == string(newsroom.KindEvent) {
		if ev := f.input(org.ID, 0).Event; !ev.Start.IsZero() {
			p.Event = view.NewEventView(ev, h.uiLang(r))
		}
	}
	if f.TrLang != "" {
		trBody, err := h.markdown.Render(f.TrBody)
		if err != nil {
			return nil, err
		}
		p.Translation = &preview{Lang: f.TrLang, Title: f.TrTitle, Summary: f.TrSummary, Body: template.HTML(trBody)}
	}
	return p, nil
}

// postPage is what the compose and edit templates receive.
type postPage struct {
	Form    postForm
	Org     *newsroom.Organisation
	Orgs    []newsroom.Organisation // choices when composing
	Post    *newsroom.Post          // nil when composing
	Preview *preview
	Action  string // where the form posts
	Langs   []langOption
	Zones   []string
	Kinds   []newsroom.PostKind
	Limits  map[string]int
	// Images shows the stored images and one empty slot; MoreImages
	// holds the other empty slots, folded away.
	Images, MoreImages []imageSlot
	ObjectTypes        []string
	Policy             policyView
	EventStatuses      []string
	Here               string // the tab of the organisation's menu
	// Conflict says that someone else saved the post meanwhile; Saved
	// holds, by field name, their saved value where it differs from the
	// form's.
	Conflict bool
	Saved    map[string]string
	// NotSaved, when set, is why the form came back though nothing in it
	// is wrong: notSavedFailure or notSavedSession, the message shown at
	// its top.
	NotSaved string
}

// Why a post form comes back with everything typed though nothing in it
// is wrong (postPage.NotSaved): the message at its top.
const (
	// notSavedFailure: saving failed on our side (saveFailed).
	notSavedFailure = "post.save_failed"
	// notSavedSession: the form's token is an earlier session's
	// (RequireUserKeepingForm). Nothing was stored; the form's new token
	// lets the editor send it again.
	notSavedSession = "post.session_changed"
)

// status is the HTTP status of the page: 500 when saving failed, 403 for
// a form of an earlier session, 409 for a conflict, else as formStatus
// says.
func (p *postPage) status(r *http.Request, v *newsroom.ValidationError) int {
	switch {
	case p.NotSaved == notSavedFailure:
		return http.StatusInternalServerError
	case p.NotSaved == notSavedSession:
		return http.StatusForbidden
	case p.Conflict:
		return http.StatusConflict
	}
	return formStatus(r, v)
}

// saveFailed reports whether err, met while saving a post form, is a
// failure of ours, such as the database or the disk refusing a write: it
// is logged, and the form comes back with everything typed
// (notSavedFailure), for the editor to try again. A refusal the error page explains (not found, forbidden,
// gone, not editable) is answered here, and saveFailed reports false.
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	if httperr.Status(err) != http.StatusInternalServerError {
		h.fail(w, r, err)
		return false
	}
	h.log.Error("editor: saving a post failed", "path", r.URL.Path, "err", err)
	return true
}

// SavedAny reports whether a saved value differs in a field whose name
// starts with prefix, so that a folded group with one opens.
func (p *postPage) SavedAny(prefix string) bool {
	for k := range p.Saved {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

type langOption struct{ Code, Name string }

// contentLangs names each content language in itself, as language pickers
// do, so nobody needs a translation to find their own.
func contentLangs() []langOption {
	names := map[string]string{"fr": "Français", "en": "English", "de": "Deutsch", "es": "Español",
		"it": "Italiano", "nl": "Nederlands", "pt": "Português"}
	out := make([]langOption, 0, len(newsroom.SupportedLangs))
	for _, l := range newsroom.SupportedLangs {
		out = append(out, langOption{Code: l, Name: names[l]})
	}
	return out
}

func (h *Handler) newPostPage(f postForm, org *newsroom.Organisation, action string) *postPage {
	zones := timeZones()
	for _, z := range []string{f.Event.Timezone, f.PublishTZ} {
		if z != "" && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	var shown, more []imageSlot
	empty := false
	for _, s := range f.Images {
		switch {
		case s.MediaID != "":
			shown = append(shown, s)
		case !empty:
			shown, empty = append(shown, s), true
		default:
			more = append(more, s)
		}
	}
	return &postPage{Form: f, Org: org, Action: action, Langs: contentLangs(), Zones: zones,
		Images: shown, MoreImages: more, Here: "compose", Policy: newPolicyView(f.Policy, org),
		ObjectTypes:   []string{string(newsroom.ObjectAuto), string(newsroom.ObjectNote), string(newsroom.ObjectArticle)},
		EventStatuses: []string{"CONFIRMED", "TENTATIVE", "CANCELLED"},
		Kinds:         []newsroom.PostKind{newsroom.KindArticle, newsroom.KindPress, newsroom.KindEvent},
		Limits: map[string]int{"title": posts.MaxTitle, "summary": posts.MaxSummary, "alt": posts.MaxAlt,
			"cw": posts.MaxContentWarning, "place": posts.MaxPlaceField, "url": posts.MaxURL}}
}

// mergeErrors adds the fields of a service's ValidationError to v and
// reports whether err was one.
func mergeErrors(v *newsroom.ValidationError, err error) bool {
	var ve *newsroom.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for k, msg := range ve.Fields {
		v.Add(k, msg)
	}
	return true
}

// oneLine joins the lines of a field typed in a text area but published
// as one line (a summary, an image description): pressing Enter there is
// natural, and the service refuses line breaks in one-line fields.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

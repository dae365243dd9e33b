package editor

import (
	"slices"
	"strconv"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/view"
)

// formField is a field of a form as its error summary names it: the
// field's name in errors, its label's message id, and the id of the
// element the summary links to when that is not the name (a group of
// radio buttons, a file input).
type formField struct{ Name, Label, Target string }

// setErrors gives p every error in v, next to each field and together
// in a summary at the top in the order of fields, so that one submission
// shows everything to fix. An error of a field not in fields still
// appears, after the others, under its message alone.
func setErrors(p *view.Page, v *newsroom.ValidationError, fields []formField) {
	p.Errors = v.Fields
	if len(v.Fields) == 0 {
		return
	}
	seen := make(map[string]bool, len(v.Fields))
	for _, f := range fields {
		if _, ok := v.Fields[f.Name]; !ok {
			continue
		}
		seen[f.Name] = true
		target := f.Target
		if target == "" {
			target = f.Name
		}
		p.Summary = append(p.Summary, view.FieldError{ID: target, Label: f.Label, Field: f.Name})
	}
	var rest []string
	for name := range v.Fields {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		p.Summary = append(p.Summary, view.FieldError{ID: name + "-error", Field: name})
	}
}

// postFields are the post form's fields in the order it shows them.
var postFields = func() []formField {
	f := []formField{{"org", "post.field.org", ""}, {"kind", "post.field.kind", "kind-error"},
		{"event_start", "post.field.event_start", ""}, {"event_end", "post.field.event_end", ""},
		{"event_timezone", "post.field.timezone", ""}, {"event_place", "post.field.event_place", ""},
		{"event_street", "post.field.event_street", ""}, {"event_postal_code", "post.field.event_postal_code", ""},
		{"event_locality", "post.field.event_locality", ""}, {"event_region", "post.field.event_region", ""},
		{"event_country", "post.field.event_country", ""}, {"event_online_url", "post.field.event_online_url", ""},
		{"event_status", "post.field.event_status", ""}, {"event", "post.event.title", "event-fields"},
		{"lang", "post.field.lang", ""}, {"title", "post.field.title", ""}, {"summary", "post.field.summary", ""},
		{"body", "post.field.body", ""}, {"tags", "post.field.tags", ""}, {"media", "post.field.images", "media-error"}}
	for i := range posts.MaxMedia {
		n := "media_" + strconv.Itoa(i)
		f = append(f, formField{n, "post.field.images", n + "_alt"})
	}
	return append(f, formField{"content_warning", "post.field.cw", ""}, formField{"object_type", "post.field.object_type", ""},
		policyFields[0], policyFields[1], policyFields[2], policyFields[3],
		formField{"translation_lang", "post.field.translation_lang", ""}, formField{"translation_title", "post.field.title", ""},
		formField{"translation_summary", "post.field.summary", ""}, formField{"translation_body", "post.field.body", ""},
		formField{"publish_at", "post.field.publish_at", ""}, formField{"publish_tz", "post.field.timezone", ""})
}()

// orgFields are the organisation form's.
var orgFields = []formField{{"handle", "org.field.handle", ""}, {"name", "org.field.name", ""}, {"bio", "org.field.bio", ""},
	{"website", "org.field.website", ""}, {"contact", "org.field.contact", ""}, {"default_lang", "org.field.default_lang", ""},
	{"default_object_type", "org.field.default_object_type", ""}, {"actor_type", "org.field.actor_type", ""},
	policyFields[0], policyFields[1], policyFields[2], policyFields[3],
	{"icon", "org.field.icon", "icon_file"}, {"banner", "org.field.banner", "banner_file"}}

// userFields are the user form's.
var userFields = []formField{{"email", "field.email", ""}, {"name", "field.name", ""}, {"password", "users.field.password", ""},
	{"lang", "account.lang.label", ""}, {"orgs", "users.field.orgs", "orgs-error"}}

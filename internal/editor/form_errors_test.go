package editor

import (
	"reflect"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/view"
)

// The summary lists every error in the order of the form, links each to
// its field (or to the element that stands for it), and keeps errors of
// fields it does not know, after the others.
func TestSetErrorsCollectsEveryField(t *testing.T) {
	var v newsroom.ValidationError
	for _, f := range []string{"zzz", "contact", "icon", "handle", "website"} {
		v.Add(f, "invalid")
	}
	p := &view.Page{}
	setErrors(p, &v, orgFields)
	want := []view.FieldError{{ID: "handle", Label: "org.field.handle", Field: "handle"},
		{ID: "website", Label: "org.field.website", Field: "website"},
		{ID: "contact", Label: "org.field.contact", Field: "contact"},
		{ID: "icon_file", Label: "org.field.icon", Field: "icon"},
		{ID: "zzz-error", Field: "zzz"}}
	if !reflect.DeepEqual(p.Summary, want) {
		t.Errorf("summary %+v\nwant %+v", p.Summary, want)
	}
	if len(p.Errors) != 5 {
		t.Errorf("errors next to fields: %v", p.Errors)
	}
	p = &view.Page{}
	setErrors(p, &newsroom.ValidationError{}, orgFields)
	if p.Summary != nil || len(p.Errors) != 0 {
		t.Errorf("a form without errors has a summary: %+v", p.Summary)
	}
}

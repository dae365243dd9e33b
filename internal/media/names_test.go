package media

import (
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestNames(t *testing.T) {
	for mime, want := range map[string]string{"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
		"image/webp": "webp", "image/avif": "avif"} {
		if got, ok := Extension(mime); !ok || got != want {
			t.Errorf("Extension(%s) = %q, %v", mime, got, ok)
		}
		if got := TypeOf(want); got != mime {
			t.Errorf("TypeOf(%s) = %q", want, got)
		}
		if got, ok := URLName(newsroom.Media{ID: "abc", MIMEType: mime}); !ok || got != "abc."+want {
			t.Errorf("URLName(%s) = %q, %v", mime, got, ok)
		}
	}
	if _, ok := Extension("image/svg+xml"); ok {
		t.Error("svg is served")
	}
	if TypeOf("svg") != "" {
		t.Error("svg has a type")
	}
	if _, ok := URLName(newsroom.Media{MIMEType: "image/png"}); ok {
		t.Error("a row without id has a name")
	}
	if _, ok := URLName(newsroom.Media{ID: "abc", MIMEType: "text/html"}); ok {
		t.Error("html has a name")
	}
	m := newsroom.Media{ID: "abc", MIMEType: "image/png"}
	if FileName(m) != "abc.png" || SmallName(m) != "abc-w400.png" {
		t.Errorf("names of a PNG: %s, %s", FileName(m), SmallName(m))
	}
}

package view

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestCatalogueTranslates(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/en.json": {Data: []byte(`{"plain": "Hello", "count": "Followers: {{.N}}",
			"cond": "Code {{.Code}}{{if .Meaning}}: {{.Meaning}}{{end}}", "only.en": "English only", "broken": "{{.N"}`)},
		"i18n/fr.json": {Data: []byte(`{"plain": "Bonjour", "count": "Abonnés : {{.N}}", "cond": "Code {{.Code}}", "broken": "{{.N"}`)},
	}
	en, err := loadCatalogue(fsys, "en", nil)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := loadCatalogue(fsys, "fr", en)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		c    *catalogue
		id   string
		data map[string]any
		want string
	}{
		{en, "plain", nil, "Hello"},
		{fr, "plain", nil, "Bonjour"},
		{en, "count", map[string]any{"N": 12}, "Followers: 12"},
		{fr, "count", map[string]any{"N": 3}, "Abonnés : 3"},
		{en, "cond", map[string]any{"Code": 404, "Meaning": "not found"}, "Code 404: not found"},
		{en, "cond", map[string]any{"Code": 500, "Meaning": ""}, "Code 500"},
		{fr, "only.en", nil, "English only"}, // missing in French: English, not the id
		{en, "unknown.id", nil, "unknown.id"},
		{fr, "broken", map[string]any{"N": 1}, "broken"}, // a message that does not parse shows its id
	}
	for _, c := range cases {
		if got := c.c.translate(c.id, c.data); got != c.want {
			t.Errorf("translate(%q, %v) = %q, want %q", c.id, c.data, got, c.want)
		}
	}
	if err := fr.check(); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("check() = %v, want the broken message named", err)
	}
}

// Page.T passes its alternating name, value arguments to the message, in
// both catalogues shipped.
func TestPageTWithArguments(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"en": "Followers: 42", "fr": "Abonnés\u202f: 42"}
	for lang, w := range want {
		if got := e.Translate(lang, "followers.count", "N", 42); got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
}

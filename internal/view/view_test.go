package view

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/soga/newsroom/web"
)

// Every message id must exist in every catalogue, or a page would show a
// raw id to French or English readers.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	keys := map[string]map[string]string{}
	for _, l := range Langs {
		b, err := fs.ReadFile(web.I18n, "i18n/"+l.String()+".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		keys[l.String()] = m
	}
	for lang, m := range keys {
		for other, om := range keys {
			for k := range m {
				if _, ok := om[k]; !ok {
					t.Errorf("%q is in %s but not in %s", k, lang, other)
				}
			}
		}
	}
}

func TestRenderTranslatesAndEscapes(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr"} {
		var buf bytes.Buffer
		p := &Page{Lang: lang, CSRF: "tok", Data: map[string]string{"Email": `"><script>alert(1)</script>`, "Name": ""}}
		if err := e.Render(&buf, "setup", p); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "<script>alert") {
			t.Errorf("%s: user input not escaped", lang)
		}
		if strings.Contains(out, "setup.title") {
			t.Errorf("%s: untranslated id in page", lang)
		}
		if !strings.Contains(out, `<html lang="`+lang+`">`) {
			t.Errorf("%s: html lang missing", lang)
		}
		if !strings.Contains(out, "/static/style.") {
			t.Errorf("%s: hashed stylesheet missing", lang)
		}
	}
}

func TestPickLang(t *testing.T) {
	cases := []struct{ user, accept, want string }{
		{"", "fr-FR,fr;q=0.9,en;q=0.5", "fr"},
		{"", "de-DE", "en"},
		{"", "", "en"},
		{"en", "fr", "en"},
		{"fr", "en", "fr"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", c.accept)
		if got := PickLang(c.user, r); got != c.want {
			t.Errorf("PickLang(%q, %q) = %q, want %q", c.user, c.accept, got, c.want)
		}
	}
}

// The catalogues are read on first use, once, whichever of the server's
// goroutines comes first; New reads none.
func TestCataloguesReadOnFirstUse(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if e.cat.locs != nil {
		t.Fatal("catalogues read by New")
	}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			if i%2 == 0 {
				got[i] = e.Translate("fr", "site.name")
				return
			}
			var buf bytes.Buffer
			if err := e.Render(&buf, "setup", &Page{Lang: "fr", Data: map[string]string{"Email": "", "Name": ""}}); err != nil {
				t.Error(err)
			}
			got[i] = e.Translate("fr", "site.name")
		})
	}
	wg.Wait()
	for i, s := range got {
		if s == "" || s == "site.name" {
			t.Errorf("goroutine %d: site.name translated as %q", i, s)
		}
	}
	if len(e.cat.locs) != len(Langs) {
		t.Fatalf("%d localizers, want one per language", len(e.cat.locs))
	}
}

// Pages are parsed when first rendered; a broken one must still fail the
// tests rather than the first reader.
func TestEveryPageParses(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.pages) < 20 {
		t.Fatalf("%d pages found, want every page of web/templates", len(e.pages))
	}
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}
	for name, pt := range e.pages {
		if pt.t == nil {
			t.Errorf("page %s not parsed by Check", name)
		}
	}
}

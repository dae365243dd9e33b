// Package view renders the embedded templates in the reader's language.
// Each page is the layout plus its own file, so pages cannot clash on block
// names. A page is parsed when first rendered: parsed all at start, the
// pages held 3.5 MB of parse trees that an instance serving only public
// pages never uses (the editor's pages are most of them).
package view

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/soga/newsroom/web"
)

// Langs are the interface languages, the first being the fallback.
var Langs = []language.Tag{language.English, language.French}

var matcher = language.NewMatcher(Langs)

// Engine holds parsed templates, catalogues and hashed asset names.
type Engine struct {
	pages  map[string]*pageTemplate // every page, parsed or not
	bundle *i18n.Bundle
	locs   map[string]*i18n.Localizer
	assets map[string]asset // by plain name, e.g. "style.css"
	byPath map[string]asset // by hashed name, e.g. "style.3f2a9c1b.css"
}

// pageTemplate is one page's template set, parsed once, when first needed.
type pageTemplate struct {
	file string
	once sync.Once
	t    *template.Template
	err  error
}

type asset struct {
	hashed string
	body   []byte
	ctype  string
}

// New parses everything embedded in package web.
func New() (*Engine, error) {
	e := &Engine{pages: make(map[string]*pageTemplate), locs: make(map[string]*i18n.Localizer),
		assets: make(map[string]asset), byPath: make(map[string]asset)}
	if err := e.loadCatalogues(); err != nil {
		return nil, err
	}
	if err := e.loadAssets(); err != nil {
		return nil, err
	}
	if err := e.loadTemplates(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) loadCatalogues() error {
	e.bundle = i18n.NewBundle(language.English)
	e.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, tag := range Langs {
		b := tag.String()
		if _, err := e.bundle.LoadMessageFileFS(web.I18n, "i18n/"+b+".json"); err != nil {
			return fmt.Errorf("view: catalogue %s: %w", b, err)
		}
		e.locs[b] = i18n.NewLocalizer(e.bundle, b)
	}
	return nil
}

func (e *Engine) loadAssets() error {
	return fs.WalkDir(web.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a := asset{hashed: hashed, body: body, ctype: contentType(ext)}
		e.assets[name] = a
		e.byPath[hashed] = a
		return nil
	})
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string {
			if a, ok := e.assets[name]; ok {
				return "/static/" + a.hashed
			}
			return "/static/" + name
		},
		"date": func(t time.Time, lang string) string { return FormatDate(t, lang) },
		"datetime": func(t time.Time, lang string) string {
			return FormatDate(t, lang) + " " + t.Format("15:04")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// dict passes several values to a partial: dict "Name" value ...
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

func (e *Engine) loadTemplates() error {
	entries, err := fs.ReadDir(web.Templates, "templates")
	if err != nil {
		return err
	}
	for _, en := range entries {
		name := strings.TrimSuffix(en.Name(), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		e.pages[name] = &pageTemplate{file: en.Name()}
	}
	return nil
}

// template returns the parsed set of pt, parsing it on first use.
func (e *Engine) template(pt *pageTemplate) (*template.Template, error) {
	pt.once.Do(func() { pt.t, pt.err = e.parse(pt.file) })
	return pt.t, pt.err
}

// parse builds one page's set: the layout, the partials, the page.
func (e *Engine) parse(file string) (*template.Template, error) {
	layout, err := fs.ReadFile(web.Templates, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("view: layout: %w", err)
	}
	t := template.New("layout").Funcs(e.funcs())
	if _, err := t.Parse(string(layout)); err != nil {
		return nil, fmt.Errorf("view: layout: %w", err)
	}
	if _, err := t.ParseFS(web.Templates, "templates/_*.html"); err != nil && !strings.Contains(err.Error(), "pattern matches no files") {
		return nil, fmt.Errorf("view: partials: %w", err)
	}
	if _, err := t.ParseFS(web.Templates, "templates/"+file); err != nil {
		return nil, fmt.Errorf("view: %s: %w", file, err)
	}
	return t, nil
}

// Check parses every page, for tests: a page is otherwise parsed when
// first rendered.
func (e *Engine) Check() error {
	for _, pt := range e.pages {
		if _, err := e.template(pt); err != nil {
			return err
		}
	}
	return nil
}

// Page is what every template receives.
type Page struct {
	Lang      string // "en" or "fr"
	Title     string
	CSRF      string // form token, empty on public pages
	User      any    // the logged-in user, if any
	Flash     string // message id shown once at the top
	Errors    map[string]string
	Data      any
	Canonical string
	loc       *i18n.Localizer
}

// T translates a message id; args are alternating name, value pairs for
// the message's template. Unknown ids show as themselves, which tests catch.
func (p *Page) T(id string, args ...any) string {
	if p.loc == nil {
		return id
	}
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Err returns the translated error of field, or "".
func (p *Page) Err(field string) string {
	if id, ok := p.Errors[field]; ok {
		return p.T("error." + id)
	}
	return ""
}

// Localizer returns a Page-less translator for lang.
func (e *Engine) Translate(lang, id string) string {
	p := Page{loc: e.locs[lang]}
	return p.T(id)
}

// Render executes page into w with the localizer of p.Lang.
func (e *Engine) Render(w io.Writer, name string, p *Page) error {
	pt, ok := e.pages[name]
	if !ok {
		return fmt.Errorf("view: no page %q", name)
	}
	t, err := e.template(pt)
	if err != nil {
		return err
	}
	if _, ok := e.locs[p.Lang]; !ok {
		p.Lang = Langs[0].String()
	}
	p.loc = e.locs[p.Lang]
	return t.ExecuteTemplate(w, "layout", p)
}

// RenderHTTP renders into a buffer first so a template error becomes a
// clean 500 rather than half a page.
func (e *Engine) RenderHTTP(w http.ResponseWriter, status int, name string, p *Page) error {
	var buf bytes.Buffer
	if err := e.Render(&buf, name, p); err != nil {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// PickLang chooses the interface language: the user's setting when set,
// else the browser's Accept-Language.
func PickLang(userLang string, r *http.Request) string {
	if userLang == "fr" || userLang == "en" {
		return userLang
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, idx, _ := matcher.Match(tags...)
	return Langs[idx].String()
}

// ServeAsset serves a hashed static file with a year-long cache lifetime:
// its name changes whenever its content does.
func (e *Engine) ServeAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := e.byPath[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+a.hashed+`"`)
	if r.Header.Get("If-None-Match") == `"`+a.hashed+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FormatDate writes a date as people of lang write it.
func FormatDate(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	if lang == "fr" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsFR[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}

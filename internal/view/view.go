// Package view renders the embedded templates in the reader's language.
// Each page is the layout plus its own file, so pages cannot clash on block
// names. A page is parsed when first rendered: parsed all at start, the
// pages held 3.5 MB of parse trees that an instance serving only public
// pages never uses (the editor's pages are most of them). The catalogues
// are read when first needed too: go-i18n keeps a template for each
// plural form of every message, 0.7 MB of heap for the 70 KB of the
// files, which a server that renders nothing need not hold.
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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/web"
)

// Langs are the interface languages, the first being the fallback.
var Langs = []language.Tag{language.English, language.French}

var matcher = language.NewMatcher(Langs)

// Engine holds parsed templates, catalogues and hashed asset names.
type Engine struct {
	pages  map[string]*pageTemplate // every page, parsed or not
	cat    catalogues
	assets map[string]asset // by plain name, e.g. "style.css"
	byPath map[string]asset // by hashed name, e.g. "style.3f2a9c1b.css"
	// SiteZone is the site's time zone, for the pages that set none; nil
	// means UTC. Set once, before serving.
	SiteZone func() *time.Location
}

// pageTemplate is one page's template set, parsed once, when first needed.
type pageTemplate struct {
	file string
	once sync.Once
	t    *template.Template
	err  error
}

// catalogues are the localizers of every language, by tag, read once,
// when first needed.
type catalogues struct {
	once sync.Once
	locs map[string]*i18n.Localizer
	err  error
}

type asset struct {
	hashed string
	body   []byte
	ctype  string
}

// New parses everything embedded in package web.
func New() (*Engine, error) {
	e := &Engine{pages: make(map[string]*pageTemplate), assets: make(map[string]asset), byPath: make(map[string]asset)}
	if err := e.loadAssets(); err != nil {
		return nil, err
	}
	if err := e.loadTemplates(); err != nil {
		return nil, err
	}
	return e, nil
}

// localizers returns the localizer of each language, reading the
// catalogues on first use.
func (e *Engine) localizers() (map[string]*i18n.Localizer, error) {
	e.cat.once.Do(func() { e.cat.locs, e.cat.err = loadCatalogues() })
	return e.cat.locs, e.cat.err
}

func loadCatalogues() (map[string]*i18n.Localizer, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	locs := make(map[string]*i18n.Localizer, len(Langs))
	for _, tag := range Langs {
		b := tag.String()
		if _, err := bundle.LoadMessageFileFS(web.I18n, "i18n/"+b+".json"); err != nil {
			return nil, fmt.Errorf("view: catalogue %s: %w", b, err)
		}
		locs[b] = i18n.NewLocalizer(bundle, b)
	}
	return locs, nil
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

// AssetPath is the URL of a static file, at its content's hash.
func (e *Engine) AssetPath(name string) string {
	if a, ok := e.assets[name]; ok {
		return "/static/" + a.hashed
	}
	return "/static/" + name
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": e.AssetPath,
		// date, datetime and iso take the page ($) or a language
		// ($.Lang): see times.go.
		"date": func(t time.Time, x any) string {
			lang, loc := e.zoneOf(x)
			return FormatDate(t.In(loc), lang)
		},
		"datetime": func(t time.Time, x any) string {
			lang, loc := e.zoneOf(x)
			return FormatDateTime(t, lang, loc)
		},
		"iso": func(t time.Time, x ...any) string {
			var loc *time.Location
			if len(x) > 0 {
				_, loc = e.zoneOf(x[0])
			} else {
				loc = e.siteZone()
			}
			return ISOTime(t, loc)
		},
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

// Check reads the catalogues and parses every page, for tests: they are
// otherwise read and parsed when first needed.
func (e *Engine) Check() error {
	if _, err := e.localizers(); err != nil {
		return err
	}
	for _, pt := range e.pages {
		if _, err := e.template(pt); err != nil {
			return err
		}
	}
	return nil
}

// Page is what every template receives.
type Page struct {
	Lang   string // "en" or "fr"
	Title  string
	CSRF   string // form token, empty on public pages
	User   any    // the logged-in user, if any
	Flash  string // message id shown once at the top
	Errors map[string]string
	// Summary is every error of a form, in the order of its fields, for
	// the list at the top that links to each field.
	Summary   []FieldError
	Data      any
	Canonical string
	// Site is the association's identity; LogoURL its logo's small image.
	Site         newsroom.SiteSettings
	LogoURL      string
	LogoW, LogoH int // the logo's size in the header
	// Zone is the zone the page shows times in; nil means the site's.
	Zone *time.Location
	loc  *i18n.Localizer
}

// logoHeight is the height of the logo in the header, in CSS pixels.
const logoHeight = 32

// SetSite gives the page the association's identity; logo is nil without
// one, and logoURL is then ignored.
func (p *Page) SetSite(s newsroom.SiteSettings, logo *newsroom.Media, logoURL string) {
	p.Site = s
	if logo == nil || logo.Width == 0 || logo.Height == 0 {
		return
	}
	p.LogoURL, p.LogoH = logoURL, logoHeight
	p.LogoW = max(1, logo.Width*logoHeight/logo.Height)
}

// SiteName is the association's name, or the translated default.
func (p *Page) SiteName() string {
	if p.Site.Name != "" {
		return p.Site.Name
	}
	return p.T("site.name")
}

// Footer is the footer the administrator wrote, sanitised when saved.
func (p *Page) Footer() template.HTML {
	return template.HTML(p.Site.FooterHTML) //nolint:gosec // rendered and sanitised by the settings service
}

// ThemeURL is the stylesheet carrying the accent colour, "" without one.
// Its URL changes with the colour, so browsers may keep it for a year.
func (p *Page) ThemeURL() string {
	if len(p.Site.Accent) != 7 {
		return ""
	}
	return "/theme.css?c=" + p.Site.Accent[1:]
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

// Err returns the translated error of field, or "". An error may name
// what it is about after a space ("mention_unknown @ada@social.example"),
// which its message shows as {{.Arg}}.
func (p *Page) Err(field string) string {
	if code, ok := p.Errors[field]; ok {
		id, arg, _ := strings.Cut(code, " ")
		return p.T("error."+id, "Arg", arg)
	}
	return ""
}

// FieldError is one entry of a form's error summary: the id of the
// element to go to, the message id of the field's label (empty when it has
// none), and the field, whose error Err translates.
type FieldError struct{ ID, Label, Field string }

// Translate translates id for lang without a Page. A catalogue that
// cannot be read leaves id as it is, as an unknown id does.
func (e *Engine) Translate(lang, id string, args ...any) string {
	locs, _ := e.localizers()
	p := Page{loc: locs[lang]}
	return p.T(id, args...)
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
	locs, err := e.localizers()
	if err != nil {
		return err
	}
	if _, ok := locs[p.Lang]; !ok {
		p.Lang = Langs[0].String()
	}
	p.loc = locs[p.Lang]
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
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
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

package settings_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

// WCAG's own examples: the grey #767676 is the lightest that passes AA on
// white (4.54:1), #777777 just fails (4.48:1).
func TestContrastRatio(t *testing.T) {
	for _, tt := range []struct {
		colour string
		want   float64
	}{{"#000000", 21}, {"#ffffff", 1}, {"#767676", 4.54}, {"#777", 4.48}} {
		got, err := newsroom.ContrastRatio(tt.colour, "#fff")
		if err != nil {
			t.Fatal(err)
		}
		if d := got - tt.want; d > 0.01 || d < -0.01 {
			t.Errorf("contrast of %s with white: %.3f, want %.2f", tt.colour, got, tt.want)
		}
	}
}

func TestNormaliseWebsite(t *testing.T) {
	for in, want := range map[string]string{
		"example.org":                 "https://example.org/",
		" Example.ORG/asso ":          "https://example.org/asso",
		"http://example.org":          "http://example.org/",
		"https://emmaus-connect.org/": "https://emmaus-connect.org/",
		"":                            "",
	} {
		if got, ok := newsroom.NormaliseWebsite(in); !ok || got != want {
			t.Errorf("NormaliseWebsite(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"javascript:alert(1)", "ftp://example.org/", "not a site", "https://user@example.org/", "localhostish"} {
		if got, ok := newsroom.NormaliseWebsite(bad); ok {
			t.Errorf("NormaliseWebsite(%q) accepted as %q", bad, got)
		}
	}
}

type countPages struct{ n atomic.Int32 }

func (c *countPages) Invalidate() { c.n.Add(1) }

func newService(t *testing.T) (*settings.Service, *countPages) {
	st := testdb.SQLite(t)
	u := urls.New(&url.URL{Scheme: "https", Host: "news.example"})
	pages := &countPages{}
	svc := settings.New(settings.Deps{Store: st, Images: media.New(media.NewFiles(t.TempDir()), st, nil),
		Markdown: posts.NewRenderer(u), Pages: pages})
	return svc, pages
}

func ptr(s string) *string { return &s }

func TestUpdate(t *testing.T) {
	ctx := t.Context()
	svc, pages := newService(t)
	site, err := svc.Current(ctx)
	if err != nil || site.Name != "" || site.Zone.String() != "UTC" {
		t.Fatalf("a new site: %+v, %v", site, err)
	}

	var logo bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 64, 32))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	if err := png.Encode(&logo, img); err != nil {
		t.Fatal(err)
	}
	site, err = svc.Update(ctx, settings.Input{Name: ptr("  Réseau Entraide "), Website: ptr("entraide.example"),
		Accent: ptr("#8A1C4A"), TimeZone: ptr("Europe/Paris"),
		Footer: ptr("Mentions **légales** <script>alert(1)</script>"), Logo: bytes.NewReader(logo.Bytes())})
	if err != nil {
		t.Fatal(err)
	}
	if site.Name != "Réseau Entraide" || site.Website != "https://entraide.example/" || site.Accent != "#8a1c4a" ||
		site.Zone.String() != "Europe/Paris" {
		t.Errorf("saved %+v", site.SiteSettings)
	}
	if !strings.Contains(site.FooterHTML, "<strong>légales</strong>") || strings.Contains(site.FooterHTML, "<script") {
		t.Errorf("footer HTML %q: Markdown not rendered or not sanitised", site.FooterHTML)
	}
	if site.Logo == nil || site.Logo.Width != 64 || site.Logo.Height != 32 || site.LogoID != site.Logo.ID {
		t.Errorf("logo %+v", site.Logo)
	}
	if pages.n.Load() != 1 {
		t.Errorf("pages emptied %d times, want 1", pages.n.Load())
	}

	// A field not given keeps its value.
	site, err = svc.Update(ctx, settings.Input{Tagline: ptr("Les nouvelles")})
	if err != nil || site.Name != "Réseau Entraide" || site.Tagline != "Les nouvelles" || site.Logo == nil {
		t.Errorf("after a tagline alone: %+v, %v", site, err)
	}

	// Every mistake is named at once, and nothing is written.
	_, err = svc.Update(ctx, settings.Input{Name: ptr("Autre"), Accent: ptr("#777777"), Website: ptr("javascript:alert(1)"),
		TimeZone: ptr("Mars/Olympus")})
	var v *newsroom.ValidationError
	if !errors.As(err, &v) || v.Fields["accent"] != "accent_contrast" || v.Fields["website"] != "url_invalid" ||
		v.Fields["time_zone"] != "invalid" {
		t.Fatalf("invalid input: %v", err)
	}
	if _, err := svc.Update(ctx, settings.Input{Accent: ptr("blue")}); !errors.As(err, &v) || v.Fields["accent"] != "colour_invalid" {
		t.Errorf("a colour name: %v", err)
	}
	if site, _ = svc.Current(ctx); site.Name != "Réseau Entraide" {
		t.Errorf("a refused update wrote the name %q", site.Name)
	}

	if _, err := svc.Update(ctx, settings.Input{Logo: strings.NewReader("not an image")}); !errors.Is(err, media.ErrNotImage) {
		t.Errorf("a logo that is no image: %v", err)
	}
	site, err = svc.Update(ctx, settings.Input{RemoveLogo: true, Accent: ptr("")})
	if err != nil || site.Logo != nil || site.LogoID != "" || site.Accent != "" {
		t.Errorf("after removing the logo and the accent: %+v, %v", site.SiteSettings, err)
	}
	if got := settings.AccentRatio("#777777"); got < 4.47 || got > 4.49 {
		t.Errorf("AccentRatio(#777777) = %.3f", got)
	}
}

// Another process's write reaches this one through Forget, which the
// database's change watcher calls.
func TestForget(t *testing.T) {
	ctx := t.Context()
	st := testdb.SQLite(t)
	svc := settings.New(settings.Deps{Store: st, Markdown: posts.NewRenderer(urls.New(&url.URL{Scheme: "https", Host: "x.example"}))})
	if s, err := svc.Current(ctx); err != nil || s.Name != "" {
		t.Fatal(s, err)
	}
	if err := st.PutSiteSettings(ctx, &newsroom.SiteSettings{Name: "Written elsewhere"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := svc.Current(ctx); s.Name != "" {
		t.Errorf("read %q before anything said the database changed", s.Name)
	}
	svc.Forget()
	if s, _ := svc.Current(ctx); s.Name != "Written elsewhere" {
		t.Errorf("after Forget: %q", s.Name)
	}
}

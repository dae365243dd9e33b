package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/users"
)

// An administrator, in a real browser, names the site, gives it a logo, a
// colour and a time zone; a colour too light for white text is refused
// with everything typed kept. The public header, <title>, link-card tags,
// favicon, NodeInfo and the instance actor then carry the new identity.
// In English and French, at 360 and 1280 pixels, with axe-core finding no
// serious violation and no request leaving our origin.
func TestSiteSettingsInChromium(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ctx := browsertest.Start(t)
		ts := startServer(t, backend)
		fx := ts.seedSite(t)
		if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "admin@example.org",
			Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
			t.Fatal(err)
		}
		log := &browsertest.RequestLog{}
		if err := log.Listen(ctx); err != nil {
			t.Fatal(err)
		}
		run := browserRunner(t, ctx)
		dir := screenshotDir(t)
		check := pageChecker(t, ctx, log, ts.URL)
		shoot := func(name string) {
			t.Helper()
			for _, width := range []int64{360, 1280} {
				var shot []byte
				run("screenshot "+name, chromedp.EmulateViewport(width, 800), chromedp.FullScreenshot(&shot, 100))
				file := fmt.Sprintf("site-%s-%s-%d.png", backend, name, width)
				if err := os.WriteFile(filepath.Join(dir, file), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		logo := filepath.Join(t.TempDir(), "logo.png")
		if err := os.WriteFile(logo, testPNG(t, 240, 240), 0o644); err != nil {
			t.Fatal(err)
		}
		login(t, run, ts.URL, "admin@example.org")

		for _, tc := range []struct {
			lang, name, zone, ratio string
		}{{"en", "Mutual Aid Network", "Europe/London", "2.8:1"}, {"fr", "Réseau d’entraide", "Europe/Paris", "2,8:1"}} {
			if err := browsertest.SetLanguage(ctx, tc.lang); err != nil {
				t.Fatal(err)
			}
			// A colour too light is refused; what was typed stays.
			run("settings form",
				chromedp.Navigate(ts.URL+"/admin/site"),
				chromedp.WaitReady("#name", chromedp.ByQuery),
				chromedp.SetValue("#name", tc.name, chromedp.ByQuery),
				chromedp.SetValue("#tagline", "News from our members", chromedp.ByQuery),
				chromedp.SetValue("#website", "entraide.example", chromedp.ByQuery),
				chromedp.SetValue("#accent", "#9a9a9a", chromedp.ByQuery),
				chromedp.SetValue("#footer", "Legal notice: **Entraide**, 1 rue de la Paix, Paris.", chromedp.ByQuery),
				chromedp.SetValue("#time_zone", tc.zone, chromedp.ByQuery),
				chromedp.Click(`form[action="/admin/site"] button[type="submit"]`, chromedp.ByQuery),
				chromedp.WaitVisible("#accent-error", chromedp.ByQuery),
			)
			var name, accent, zone, ratio, invalid string
			run("refused form",
				chromedp.Value("#name", &name, chromedp.ByQuery),
				chromedp.Value("#accent", &accent, chromedp.ByQuery),
				chromedp.Value("#time_zone", &zone, chromedp.ByQuery),
				chromedp.Text(".field-error[role=alert]", &ratio, chromedp.ByQuery),
				chromedp.AttributeValue("#accent", "aria-invalid", &invalid, nil, chromedp.ByQuery),
			)
			if name != tc.name || accent != "#9a9a9a" || zone != tc.zone || invalid != "true" {
				t.Errorf("%s: the refused form kept name %q, accent %q, zone %q (aria-invalid %q)", tc.lang, name, accent, zone, invalid)
			}
			if !strings.Contains(ratio, tc.ratio) {
				t.Errorf("%s: the refusal does not give the contrast: %q", tc.lang, ratio)
			}
			check("/admin/site refused (" + tc.lang + ")")
			shoot("refused-" + tc.lang)

			run("fix the colour, add the logo",
				chromedp.SetValue("#accent", "#8a1c4a", chromedp.ByQuery),
				chromedp.SetUploadFiles("#logo_file", []string{logo}, chromedp.ByQuery),
				chromedp.Click(`form[action="/admin/site"] button[type="submit"]`, chromedp.ByQuery),
				chromedp.WaitVisible(".flash", chromedp.ByQuery),
			)
			check("/admin/site saved (" + tc.lang + ")")
			shoot("saved-" + tc.lang)

			// The public home, at once: the cache was emptied.
			var title, brand, logoSrc, icon, siteName, footer string
			run("public home",
				chromedp.Navigate(ts.URL+"/"),
				chromedp.WaitReady(".brand", chromedp.ByQuery),
				chromedp.Title(&title),
				chromedp.Text(".brand", &brand, chromedp.ByQuery),
				chromedp.AttributeValue(".brand img", "src", &logoSrc, nil, chromedp.ByQuery),
				chromedp.AttributeValue(`link[rel="icon"]`, "href", &icon, nil, chromedp.ByQuery),
				chromedp.AttributeValue(`meta[property="og:site_name"]`, "content", &siteName, nil, chromedp.ByQuery),
				chromedp.Text(".site-footer", &footer, chromedp.ByQuery),
			)
			if !strings.HasSuffix(title, tc.name) || strings.TrimSpace(brand) != tc.name || siteName != tc.name {
				t.Errorf("%s: title %q, header %q, og:site_name %q; want %q", tc.lang, title, brand, siteName, tc.name)
			}
			if !strings.Contains(logoSrc, "/media/") || icon != logoSrc {
				t.Errorf("%s: logo %q, icon %q", tc.lang, logoSrc, icon)
			}
			if !strings.Contains(footer, "Legal notice: Entraide") {
				t.Errorf("%s: footer %q", tc.lang, footer)
			}
			var linkColour string
			run("accent applied", chromedp.Evaluate(`getComputedStyle(document.querySelector(".foot a")).color`, &linkColour))
			if linkColour != "rgb(138, 28, 74)" {
				t.Errorf("%s: links are %s, not the accent", tc.lang, linkColour)
			}
			var thumbs int
			run("thumbnails", chromedp.Evaluate(`document.querySelectorAll("img.list-thumb[alt][width][height][loading=lazy]").length`, &thumbs))
			if thumbs == 0 {
				t.Errorf("%s: no thumbnail in the home page's lists", tc.lang)
			}
			check("/ (" + tc.lang + ")")
			shoot("home-" + tc.lang)

			// A post page: the organisation's header and more of its posts.
			var orgHead, more string
			run("post page",
				chromedp.Navigate(ts.URL+postPath(fx.SoGA, fx.Article)),
				chromedp.WaitReady(".org-head", chromedp.ByQuery),
				chromedp.Text(".org-head", &orgHead, chromedp.ByQuery),
				chromedp.Text("nav.more", &more, chromedp.ByQuery),
			)
			if !strings.Contains(orgHead, fx.SoGA.Name) || !strings.Contains(orgHead, "@soga@") || more == "" {
				t.Errorf("%s: post page header %q, more %q", tc.lang, orgHead, more)
			}
			check("post page (" + tc.lang + ")")
			shoot("post-" + tc.lang)

			// Times in the editor say the zone.
			run("account", chromedp.Navigate(ts.URL+"/admin/account"), chromedp.WaitReady("#time_zone", chromedp.ByQuery))
			var siteOption string
			run("read zone option", chromedp.TextContent(`#time_zone option[value=""]`, &siteOption, chromedp.ByQuery))
			if !strings.Contains(siteOption, tc.zone) {
				t.Errorf("%s: the account's zone choice names %q, not the site's %s", tc.lang, siteOption, tc.zone)
			}

			// Other servers see the name and the logo.
			_, _, body := ts.get(t, "/nodeinfo/2.1", "application/json")
			var ni struct {
				Metadata map[string]any `json:"metadata"`
			}
			if err := json.Unmarshal([]byte(body), &ni); err != nil || ni.Metadata["nodeName"] != tc.name {
				t.Errorf("%s: NodeInfo %s", tc.lang, body)
			}
			_, _, body = ts.get(t, "/actor", "application/activity+json")
			var actor struct {
				Name string `json:"name"`
				Icon struct {
					URL string `json:"url"`
				} `json:"icon"`
			}
			if err := json.Unmarshal([]byte(body), &actor); err != nil || actor.Name != tc.name || !strings.Contains(actor.Icon.URL, "/media/") {
				t.Errorf("%s: instance actor %s", tc.lang, body)
			}
			if _, _, body = ts.get(t, "/feed.atom", "application/atom+xml"); !strings.Contains(body, "<title>"+tc.name+"</title>") {
				t.Errorf("%s: feed title: %.300s", tc.lang, body)
			}
		}

		// /favicon.ico leads to the logo; HEAD on a stylesheet answers
		// like GET, without the body.
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirect.Get(ts.URL + "/favicon.ico")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/media/") {
			t.Errorf("/favicon.ico: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// browserRunner returns run, which performs actions in the browser and
// fails t after 30 s.
func browserRunner(t *testing.T, ctx context.Context) func(what string, actions ...chromedp.Action) {
	return func(what string, actions ...chromedp.Action) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// pageChecker returns check, which fails t when axe-core finds a serious
// or critical violation on the page shown, or when the page asked
// anything of another origin than base.
func pageChecker(t *testing.T, ctx context.Context, log *browsertest.RequestLog, base string) func(what string) {
	return func(what string) {
		t.Helper()
		for _, v := range browsertest.Axe(t, ctx).Violations {
			if v.Serious() {
				t.Errorf("%s: %s", what, v)
			} else {
				t.Logf("%s: %s", what, v)
			}
		}
		urls, blocked := log.Take()
		for _, u := range urls {
			if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
				t.Errorf("%s requested another origin: %s", what, u)
			}
		}
		if len(blocked) > 0 {
			t.Errorf("%s: requests refused by the browser: %v", what, blocked)
		}
	}
}

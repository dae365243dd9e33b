package main

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/browsertest"
)

// Every public page, in both languages, loads nothing from another origin
// and has no serious or critical accessibility violation.
func TestPublicPagesInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	boosted(t, ts, fx.SoGA)
	base, _ := url.Parse(ts.URL)
	log := &browsertest.RequestLog{}
	if err := log.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	pages := []string{
		"/", "/orgs/soga", "/orgs/alpha",
		postPath(fx.SoGA, fx.Article), postPath(fx.SoGA, fx.Article) + "?lang=en",
		postPath(fx.SoGA, fx.Event), postPath(fx.SoGA, fx.Press), postPath(fx.Alpha, fx.PastEvent),
		"/tags/numerique", "/events", "/network", "/follow?handle=soga&server=localhost",
		"/no/such/page", postPath(fx.SoGA, fx.Deleted),
	}
	for _, lang := range []string{"en", "fr"} {
		if err := chromedp.Run(ctx, network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": lang})); err != nil {
			t.Fatal(err)
		}
		for _, path := range pages {
			var htmlLang string
			err := chromedp.Run(ctx,
				chromedp.Navigate(ts.URL+path),
				chromedp.WaitReady("body"),
				chromedp.Evaluate(`document.documentElement.lang`, &htmlLang),
			)
			if err != nil {
				t.Fatalf("%s (%s): %v", path, lang, err)
			}
			if htmlLang != lang {
				t.Errorf("%s: <html lang=%q> for a reader asking %s", path, htmlLang, lang)
			}
			for _, v := range browsertest.Axe(t, ctx).Violations {
				if v.Serious() {
					t.Errorf("%s (%s): %s", path, lang, v)
				} else {
					t.Logf("%s (%s): %s", path, lang, v)
				}
			}
			urls, blocked := log.Take()
			for _, u := range urls {
				if pu, err := url.Parse(u); err != nil || (pu.Scheme != "data" && pu.Host != base.Host) {
					t.Errorf("%s (%s) requested another origin: %s", path, lang, u)
				}
			}
			if len(blocked) > 0 {
				t.Errorf("%s (%s): requests refused by the browser: %v", path, lang, blocked)
			}
		}
	}
}

// The post page reads well on a 320 px wide phone: no sideways scrolling.
// The screenshots are written for a person to look at.
func TestPostPageAt320px(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	dir := os.Getenv("NEWSROOM_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, c := range []struct {
		name  string
		path  string
		width int64
	}{
		{"post-320.png", postPath(fx.SoGA, fx.Article), 320},
		{"event-320.png", postPath(fx.SoGA, fx.Event), 320},
		{"post-1000.png", postPath(fx.SoGA, fx.Article), 1000},
		{"org-320.png", "/orgs/soga", 320},
	} {
		var scrollWidth int64
		var png []byte
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(c.width, 640),
			network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "fr"}),
			chromedp.Navigate(ts.URL+c.path),
			chromedp.WaitReady("body"),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth),
			chromedp.FullScreenshot(&png, 100), // 100 gives PNG
		)
		if err != nil {
			t.Fatal(err)
		}
		if scrollWidth > c.width {
			t.Errorf("%s at %d px scrolls sideways: %d px wide", c.path, c.width, scrollWidth)
		}
		if err := os.WriteFile(filepath.Join(dir, c.name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// requireBrowserEnv set to 1 turns a missing Chromium or axe-core into a
// failure instead of a skip; `make test` sets it.
const requireBrowserEnv = "NEWSROOM_REQUIRE_BROWSER"

// axePath is where .ci/deps installs axe-core, outside version control.
const axePath = "../../.cache/node_modules/axe-core/axe.min.js"

// browserOrSkip returns the Chromium binary and axe-core's source.
func browserOrSkip(t *testing.T) (string, string) {
	t.Helper()
	missing := func(what string) {
		msg := what + ": install the test dependencies with `make deps` (.ci/deps installs chromium and axe-core)"
		if os.Getenv(requireBrowserEnv) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("browser tests do not run with -short")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		missing("chromium is not installed")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		missing("axe-core is not installed in .cache/")
	}
	return chromium, string(axe)
}

// newBrowser starts a headless Chromium that talks to nothing on its own.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// requestLog records every request a page makes, and every one refused.
type requestLog struct {
	mu      sync.Mutex
	urls    []string
	blocked []string
}

func (l *requestLog) listen(ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.urls = append(l.urls, e.Request.URL)
		case *network.EventLoadingFailed:
			if e.BlockedReason != "" {
				l.blocked = append(l.blocked, fmt.Sprintf("%s (%s)", e.RequestID, e.BlockedReason))
			}
		}
	})
}

// take returns what was logged since the last call.
func (l *requestLog) take() (urls, blocked []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	urls, blocked = l.urls, l.blocked
	l.urls, l.blocked = nil, nil
	return urls, blocked
}

// axeResult is the part of axe.run's answer the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// Every public page, in both languages, loads nothing from another origin
// and has no serious or critical accessibility violation.
func TestPublicPagesInChromium(t *testing.T) {
	chromium, axe := browserOrSkip(t)
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	base, _ := url.Parse(ts.URL)
	ctx := newBrowser(t, chromium)
	log := &requestLog{}
	log.listen(ctx)
	if err := chromedp.Run(ctx, network.Enable()); err != nil {
		t.Fatal(err)
	}
	pages := []string{
		"/", "/orgs/soga", "/orgs/alpha",
		postPath(fx.SoGA, fx.Article), postPath(fx.SoGA, fx.Article) + "?lang=en",
		postPath(fx.SoGA, fx.Event), postPath(fx.SoGA, fx.Press), postPath(fx.Alpha, fx.PastEvent),
		"/tags/numerique", "/events", "/follow?handle=soga&server=localhost",
		"/no/such/page", postPath(fx.SoGA, fx.Deleted),
	}
	for _, lang := range []string{"en", "fr"} {
		if err := chromedp.Run(ctx, network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": lang})); err != nil {
			t.Fatal(err)
		}
		for _, path := range pages {
			var htmlLang, raw string
			err := chromedp.Run(ctx,
				chromedp.Navigate(ts.URL+path),
				chromedp.WaitReady("body"),
				chromedp.Evaluate(`document.documentElement.lang`, &htmlLang),
				chromedp.Evaluate(axe, nil),
				chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify(r))`,
					&raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			)
			if err != nil {
				t.Fatalf("%s (%s): %v", path, lang, err)
			}
			if htmlLang != lang {
				t.Errorf("%s: <html lang=%q> for a reader asking %s", path, htmlLang, lang)
			}
			var res axeResult
			if err := json.Unmarshal([]byte(raw), &res); err != nil {
				t.Fatalf("%s: axe answer: %v", path, err)
			}
			if len(res.Passes) < 10 {
				t.Fatalf("%s: axe checked almost nothing (%d rules passed)", path, len(res.Passes))
			}
			for _, v := range res.Violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s (%s): %s %s: %s, at %v", path, lang, v.Impact, v.ID, v.Help, v.Nodes[0].Target)
				} else {
					t.Logf("%s (%s): %s %s: %s", path, lang, v.Impact, v.ID, v.Help)
				}
			}
			urls, blocked := log.take()
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
	chromium, _ := browserOrSkip(t)
	ts := startServer(t, "sqlite")
	fx := ts.seedSite(t)
	ctx := newBrowser(t, chromium)
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

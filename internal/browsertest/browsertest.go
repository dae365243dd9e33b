// Package browsertest drives Debian's headless Chromium for end-to-end
// tests of the pages people use, and runs axe-core in it for
// accessibility. Without Chromium the tests skip with the reason, unless
// NEWSROOM_REQUIRE_BROWSER=1 (set by `make test`) makes that a failure.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/testdeps"
)

// RequireEnv set to 1 turns a missing Chromium or axe-core into a failure
// instead of a skip.
const RequireEnv = "NEWSROOM_REQUIRE_BROWSER"

// missing skips or fails t for lack of what.
func missing(t testing.TB, what string) {
	t.Helper()
	testdeps.Missing(t, RequireEnv, what+" (.ci/deps installs chromium and axe-core)")
}

// chromium finds the browser: Debian's package, or one on PATH.
func chromium() (string, error) {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	return exec.LookPath("chromium")
}

// Options change how Start launches the browser.
type Options struct {
	Width, Height int // window size; default 1000×800
}

// Start launches a fresh headless Chromium, with its own profile, that
// talks to nothing on its own (no updates, sync or background requests),
// and returns a context for chromedp.Run. It ends with the test.
func Start(t testing.TB, o ...Options) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests do not run with -short")
	}
	bin, err := chromium()
	if err != nil {
		missing(t, "chromium is not installed")
	}
	// Not t.TempDir: Chromium may still write to its profile for a moment
	// after it is told to quit, and the removal must wait for that.
	profile, err := os.MkdirTemp("", "newsroom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	w, h := 1000, 800
	if len(o) > 0 && o[0].Width > 0 {
		w, h = o[0].Width, o[0].Height
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
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
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(w, h),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for i := 0; i < 50; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove the browser profile %s", profile)
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// SetLanguage makes every following request ask for lang.
func SetLanguage(ctx context.Context, lang string) error {
	return chromedp.Run(ctx, network.Enable(), network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": lang}))
}

// axeSource reads axe-core from .cache/node_modules, where .ci/deps puts
// it, installing it there with npm when it is missing.
func axeSource(t testing.TB) string {
	t.Helper()
	file, err := testdeps.NPM("axe-core@4", "axe-core", "axe.min.js")
	if err != nil {
		missing(t, err.Error())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		missing(t, "axe-core is not installed in .cache/")
	}
	return string(b)
}

// Violation is one failed axe rule.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// Serious reports whether v is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v Violation) String() string {
	s := fmt.Sprintf("%s %s: %s", v.Impact, v.ID, v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			s += fmt.Sprintf(" (and %d more)", len(v.Nodes)-3)
			break
		}
		s += fmt.Sprintf("\n\tat %v: %s", n.Target, n.HTML)
	}
	return s
}

// AxeResult is the part of axe.run's answer tests read.
type AxeResult struct {
	Violations []Violation `json:"violations"`
	Passes     []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// Axe runs axe-core's WCAG 2.1 A and AA rules and best practices on the
// page loaded in ctx.
func Axe(t testing.TB, ctx context.Context) AxeResult {
	t.Helper()
	src := axeSource(t)
	var raw string
	err := chromedp.Run(ctx,
		chromedp.Evaluate(src, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify(r))`,
			&raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var res AxeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("axe answer: %v", err)
	}
	if len(res.Passes) < 10 {
		t.Fatalf("axe checked almost nothing (%d rules passed)", len(res.Passes))
	}
	return res
}

// RequestLog records every request pages make, and those the browser
// refused (by the Content-Security-Policy, for instance).
type RequestLog struct {
	mu      sync.Mutex
	urls    []string
	blocked []string
}

// Listen starts recording the requests of ctx's page.
func (l *RequestLog) Listen(ctx context.Context) error {
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
	return chromedp.Run(ctx, network.Enable())
}

// Take returns what was recorded since the last call.
func (l *RequestLog) Take() (urls, blocked []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	urls, blocked = l.urls, l.blocked
	l.urls, l.blocked = nil, nil
	return urls, blocked
}

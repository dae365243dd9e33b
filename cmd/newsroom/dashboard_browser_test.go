package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/users"
)

// dashWords are what this flow reads, in each interface language.
var dashWords = map[string]struct{ date, start, end, unscheduled, copied string }{
	"en": {"2 May 2030", "18:00", "20:00", "Unscheduled", "Address copied."},
	"fr": {"2 mai 2030", "18 h 00", "20 h 00", "Déprogrammée", "Adresse copiée."},
}

// An administrator, in a real browser, writes an event (its fields appear
// right after choosing Event, and the preview shows its date, zone and
// place), schedules it, finds it on the dashboard, opens it from there
// and unschedules it; then creates an organisation, the handle filled
// from the name, and sees every error of the form at once. The pages are
// checked with axe-core at 360 px and 1280 px, and photographed.
func TestDashboardAndFormsInChromium(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		for _, lang := range []string{"en", "fr"} {
			t.Run(lang, func(t *testing.T) { dashboardFlow(t, backend, lang) })
		}
	})
}

func dashboardFlow(t *testing.T, backend, lang string) {
	e := newEditorSession(t, backend, lang)
	ts, org := e.ts, e.org
	if _, err := users.New(ts.Store).Create(context.Background(), users.NewUser{Email: "ada@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	run, text := e.run(t), e.text(t)
	w := dashWords[lang]
	dir := screenshotDir(t)
	shoot := func(name string, width int) {
		t.Helper()
		var png []byte
		run("screenshot "+name, chromedp.EmulateViewport(int64(width), 800), chromedp.FullScreenshot(&png, 100))
		file := filepath.Join(dir, name+"-"+backend+"-"+lang+"-"+strconv.Itoa(width)+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// axe checks the page at both widths and photographs it.
	axe := func(name string) {
		t.Helper()
		checkWidths(t, e.ctx, run, func(width int) { shoot(name, width) }, name)
	}
	login(t, run, ts.URL, "ada@example.org")
	run("desktop", chromedp.EmulateViewport(1280, 800))

	// The admin navigation holds on one line at 1280 px.
	var tops []float64
	run("nav", chromedp.Navigate(ts.URL+"/admin/"), chromedp.WaitReady(".top nav", chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".top nav > *")].map(e => e.getBoundingClientRect().top)`, &tops))
	for _, top := range tops {
		if top != tops[0] {
			t.Errorf("the admin navigation wraps at 1280 px: tops %v", tops)
			break
		}
	}

	// The event fields follow the kind and appear once Event is chosen.
	var visible bool
	var next string
	run("compose", chromedp.Navigate(ts.URL+"/admin/orgs/soga/compose"), chromedp.WaitReady("#title", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("event-fields").checkVisibility()`, &visible))
	if visible {
		t.Error("event fields shown for an article")
	}
	run("choose event", chromedp.Click(`input[name="kind"][value="event"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#event_start", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('input[name="kind"]').closest("fieldset").nextElementSibling.id`, &next))
	if next != "event-fields" {
		t.Errorf("after the kind comes %q, not the event fields", next)
	}
	title := "Forum " + lang + " " + backend
	paris, _ := time.LoadLocation("Europe/Paris")
	at := time.Now().Add(72 * time.Hour).In(paris).Format("2006-01-02T15:04")
	run("fill the event",
		chromedp.SendKeys("#title", title, chromedp.ByQuery),
		chromedp.SetValue("#body", "Un après-midi d’ateliers.", chromedp.ByQuery),
		chromedp.SetValue("#event_start", "2030-05-02T18:00", chromedp.ByQuery),
		chromedp.SetValue("#event_end", "2030-05-02T20:00", chromedp.ByQuery),
		chromedp.SetValue("#event_timezone", "Europe/Paris", chromedp.ByQuery),
		chromedp.SetValue("#event_place", "Maison des associations", chromedp.ByQuery),
		chromedp.SetValue("#event_locality", "Lyon", chromedp.ByQuery),
		chromedp.SetValue("#publish_at", at, chromedp.ByQuery),
		chromedp.Click(`button[value="preview"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".preview .event", chromedp.ByQuery))
	ev := text(".preview .event")
	for _, want := range []string{w.date, w.start, w.end, "Europe/Paris", "Maison des associations", "Lyon"} {
		if !strings.Contains(ev, want) {
			t.Errorf("preview's event block %q lacks %q", ev, want)
		}
	}
	axe("event-preview")

	// Scheduled, it is on the dashboard with its actions.
	run("schedule", chromedp.Click(`button[value="schedule"]`, chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
	list, err := ts.Store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Status: newsroom.StatusScheduled})
	if err != nil || len(list) != 1 || list[0].Title != title {
		t.Fatalf("scheduled posts %+v %v", list, err)
	}
	id := list[0].ID
	run("dashboard", chromedp.Navigate(ts.URL+"/admin/"), chromedp.WaitVisible(`form[action="/admin/posts/`+id+`/unschedule"]`, chromedp.ByQuery))
	if s := text(`ul[aria-labelledby="scheduled"]`); !strings.Contains(s, title) {
		t.Errorf("scheduled list %q lacks the post", s)
	}
	axe("dashboard")
	run("edit from the dashboard", chromedp.Click(`ul[aria-labelledby="scheduled"] a[href="/admin/posts/`+id+`/edit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#title", chromedp.ByQuery))
	var got string
	run("read title", chromedp.Value("#title", &got, chromedp.ByQuery))
	if got != title {
		t.Errorf("edit form shows %q", got)
	}
	run("unschedule", chromedp.Navigate(ts.URL+"/admin/"),
		chromedp.Click(`form[action="/admin/posts/`+id+`/unschedule"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	if s := text(".flash"); !strings.Contains(s, w.unscheduled) {
		t.Errorf("flash %q", s)
	}
	if s := text(`ul[aria-labelledby="drafts"]`); !strings.Contains(s, title) {
		t.Errorf("drafts %q lack the unscheduled post", s)
	}
	if p, err := ts.Store.PostByID(context.Background(), id); err != nil || p.Status != newsroom.StatusDraft {
		t.Fatalf("after unschedule: %+v %v", p, err)
	}

	// A new organisation: the handle follows the name as it is typed,
	// and a form with four mistakes shows all four.
	var handle string
	run("new organisation", chromedp.Navigate(ts.URL+"/admin/organisations/new"), chromedp.WaitVisible("#name", chromedp.ByQuery),
		chromedp.SendKeys("#name", "Emmaüs Connect", chromedp.ByQuery), chromedp.Value("#handle", &handle, chromedp.ByQuery))
	if handle != "emmaus-connect" {
		t.Errorf("handle suggested %q", handle)
	}
	// set fills fields as pasting would, empty values included.
	set := func(values map[string]string) chromedp.Action {
		b, _ := json.Marshal(values)
		return chromedp.Evaluate(`Object.entries(`+string(b)+`).forEach(([id, v]) => document.getElementById(id).value = v)`, nil)
	}
	var summary []string
	run("four mistakes",
		set(map[string]string{"handle": "Bad handle!", "name": "", "website": "not a website", "contact": "nobody"}),
		chromedp.Click(`form[data-suggest-handle] button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".error-summary", chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".error-summary a")].map(a => a.getAttribute("href"))`, &summary))
	if strings.Join(summary, " ") != "#handle #name #website #contact" {
		t.Errorf("error summary links %v", summary)
	}
	if s := text(".error-summary"); strings.Contains(s, "error.") || strings.Contains(s, "org.field") {
		t.Errorf("error summary not translated: %q", s)
	}
	var invalid []string
	run("invalid fields", chromedp.Evaluate(`[...document.querySelectorAll("[aria-invalid=true]")].map(e => e.id + ">" + e.getAttribute("aria-describedby"))`, &invalid))
	if len(invalid) != 4 {
		t.Errorf("fields marked invalid: %v", invalid)
	}
	axe("org-errors")
	// A website typed without its scheme is accepted.
	run("fix", set(map[string]string{"handle": "", "name": "Emmaüs Connect", "website": "emmaus-connect.org", "contact": ""}),
		chromedp.Click(`form[data-suggest-handle] button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash", chromedp.ByQuery))
	o, err := ts.Store.OrgByHandle(context.Background(), "emmaus-connect")
	if err != nil || o.Website != "https://emmaus-connect.org/" {
		t.Fatalf("created %+v %v", o, err)
	}

	// Its fediverse address fits a phone and copies with one click.
	run("public page", chromedp.EmulateViewport(360, 800), chromedp.Navigate(ts.URL+"/orgs/emmaus-connect"),
		chromedp.WaitVisible(`button[data-copy="address"]`, chromedp.ByQuery))
	var clipped bool
	run("address", chromedp.Evaluate(`(e => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > document.documentElement.clientWidth)(document.getElementById("address"))`, &clipped))
	if clipped {
		t.Error("the fediverse address is clipped at 360 px")
	}
	// Headless Chromium may refuse the clipboard: the script then selects
	// the address for the reader to copy.
	var copied, address string
	run("copy", chromedp.Click(`button[data-copy="address"]`, chromedp.ByQuery), chromedp.Sleep(300*time.Millisecond),
		chromedp.Text("#address", &address, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("address-status").textContent || window.getSelection().toString()`, &copied))
	if copied != w.copied && (copied != address || !strings.HasPrefix(address, "@emmaus-connect@")) {
		t.Errorf("copy gave %q", copied)
	}
	shoot("org-address", 360)
}

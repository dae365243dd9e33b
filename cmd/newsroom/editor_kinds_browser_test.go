package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// An editor publishes a press release and an event through the form, as
// they would in a browser, and a follower receives each with its own shape.
func TestEditorPublishesEachKindInChromium(t *testing.T) {
	e := newEditorSession(t, "sqlite", "fr")
	ts, org, alice := e.ts, e.org, e.alice
	run := e.run(t)
	login(t, run, ts.URL, "camille@example.org")

	publish := func(kind newsroom.PostKind, title string, extra ...chromedp.Action) string {
		t.Helper()
		actions := []chromedp.Action{
			chromedp.Navigate(ts.URL + "/admin/orgs/soga/compose"),
			chromedp.WaitReady("#title", chromedp.ByQuery),
			chromedp.Click(`input[name="kind"][value="`+string(kind)+`"]`, chromedp.ByQuery),
			chromedp.SetValue("#lang", "fr", chromedp.ByQuery),
			chromedp.SendKeys("#title", title, chromedp.ByQuery),
			chromedp.SetValue("#summary", "Résumé en une phrase.", chromedp.ByQuery),
			chromedp.SetValue("#body", "Le texte **complet**.", chromedp.ByQuery),
		}
		actions = append(actions, extra...)
		actions = append(actions,
			chromedp.Click(`button[value="publish"]`, chromedp.ByQuery),
			chromedp.WaitVisible(".flash", chromedp.ByQuery))
		run("publish "+string(kind), actions...)
		list, err := ts.Store.ListPosts(context.Background(), store.PostFilter{OrgID: org.ID, Kind: kind})
		if err != nil || len(list) != 1 || list[0].Status != newsroom.StatusPublished {
			t.Fatalf("%s posts: %+v %v", kind, list, err)
		}
		return ts.URLs.Post("soga", list[0].ID)
	}

	pressURL := publish(newsroom.KindPress, "Communiqué : nouveau membre")
	press := activityOf(t, ts, alice, "Create", pressURL, nil)
	if press["type"] != "Note" && press["type"] != "Article" {
		t.Errorf("press release federated as %v", press["type"])
	}

	eventURL := publish(newsroom.KindEvent, "Forum de l'inclusion numérique",
		chromedp.SetValue("#event_start", "2030-05-02T18:00", chromedp.ByQuery),
		chromedp.SetValue("#event_end", "2030-05-02T20:00", chromedp.ByQuery),
		chromedp.SetValue("#event_timezone", "Europe/Paris", chromedp.ByQuery),
		chromedp.SetValue("#event_place", "Maison des associations", chromedp.ByQuery),
		chromedp.SetValue("#event_locality", "Lyon", chromedp.ByQuery),
	)
	ev := activityOf(t, ts, alice, "Create", eventURL, nil)
	if ev["type"] != "Event" || ev["startTime"] != "2030-05-02T18:00:00+02:00" || ev["timezone"] != "Europe/Paris" {
		t.Errorf("event federated as %v starting %v in %v", ev["type"], ev["startTime"], ev["timezone"])
	}
	sm, _ := ev["summaryMap"].(map[string]any)
	if s, _ := sm["fr"].(string); !strings.Contains(s, "Lyon") || !strings.Contains(s, "18") {
		t.Errorf("event summary does not say when and where: %q", s)
	}
	if c, _ := ev["content"].(string); !strings.Contains(c, "Lyon") {
		t.Errorf("event content does not say where: %q", c)
	}
}

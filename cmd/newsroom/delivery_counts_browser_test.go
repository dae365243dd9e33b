package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soga/newsroom/internal/browsertest"
	"github.com/soga/newsroom/internal/newsroom"
)

// An editor, in a real browser, follows a fan-out's progress in the
// posts list and on the delivery page: while a server fails and is
// retried, once it answers, and once the finished fan-out's delivered
// rows are compacted away. The counts kept with the rows read what the
// rows say at every step.
func TestDeliveryCountsInChromium(t *testing.T) {
	ctx := browsertest.Start(t)
	ts := startServer(t, "sqlite", "--compact-interval", "1s")
	// A failing server is tried again every second until it answers.
	ts.services.delivery.SetBackoff(func(int) time.Duration { return time.Second })
	org, busy, _ := deliveryFollowers(t, ts)
	bg := context.Background()
	post, act := publishMeeting(t, ts, org)
	// progressIs waits for the progress to read want, and for the rows
	// left (plus what compaction folded) to say the same.
	progressIs := func(what string, want newsroom.DeliveryProgress, rowsLeft int) {
		t.Helper()
		eventually(t, what, func() string {
			p, _ := ts.Store.DeliveryProgress(bg, act.ID)
			rows, _ := ts.Store.ListDeliveries(bg, act.ID, "", 0)
			counted := map[newsroom.DeliveryStatus]int{}
			for _, d := range rows {
				counted[d.Status]++
			}
			if p != want || len(rows) != rowsLeft || counted[newsroom.DeliveryFailed] != want.Failed ||
				counted[newsroom.DeliveryPending] != want.Pending {
				b, _ := json.Marshal(p)
				c, _ := json.Marshal(counted)
				return string(b) + " with rows " + string(c)
			}
			return ""
		})
	}

	e := &editorSession{ctx: ctx, ts: ts, org: org}
	run, text := e.run(t), e.text(t)
	if err := browsertest.SetLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	login(t, run, ts.URL, "camille@example.org")
	sees := func(step, want string) {
		t.Helper()
		run(step+": the posts list",
			chromedp.Navigate(ts.URL+"/admin/orgs/soga/posts"),
			chromedp.WaitVisible(`a[href="/admin/posts/`+post.ID+`/delivery"]`, chromedp.ByQuery))
		if list := text("main"); !strings.Contains(list, want) {
			t.Errorf("%s: the posts list does not say %q:\n%s", step, want, list)
		}
		run(step+": the delivery page",
			chromedp.Navigate(ts.URL+"/admin/posts/"+post.ID+"/delivery"),
			chromedp.WaitVisible("main", chromedp.ByQuery))
		if page := text("main"); !strings.Contains(page, want) {
			t.Errorf("%s: the delivery page does not say %q:\n%s", step, want, page)
		}
	}

	progressIs("one delivered, one given up, one retrying",
		newsroom.DeliveryProgress{Total: 3, Delivered: 1, Pending: 1, Failed: 1, Retrying: 1}, 3)
	sees("while retrying", "1 of 3 · 1 pending · 1 failed")

	// The busy server answers again: its next attempt is delivered, the
	// fan-out is over, and compaction folds the two delivered rows.
	busy.RespondAlways(0)
	progressIs("compacted", newsroom.DeliveryProgress{Total: 3, Delivered: 2, Failed: 1, Compacted: true}, 1)
	sees("after compaction", "2 of 3 · 1 failed")
}

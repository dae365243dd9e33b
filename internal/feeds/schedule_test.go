package feeds

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestHeaderHint(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		header map[string]string
		want   time.Duration
	}{
		{nil, 0},
		{map[string]string{"Cache-Control": "public, max-age=3600"}, time.Hour},
		{map[string]string{"Cache-Control": "no-cache, max-age=0"}, 0},
		{map[string]string{"Retry-After": "120"}, 2 * time.Minute},
		{map[string]string{"Retry-After": now.Add(3 * time.Hour).Format(http.TimeFormat)}, 3 * time.Hour},
		{map[string]string{"Cache-Control": "max-age=600", "Retry-After": "1200"}, 20 * time.Minute},
		{map[string]string{"Cache-Control": "max-age=99999999"}, MaxInterval},
		{map[string]string{"Retry-After": "soon"}, 0},
	} {
		h := http.Header{}
		for k, v := range c.header {
			h.Set(k, v)
		}
		if got := headerHint(h, now); got != c.want {
			t.Errorf("%v: %s, want %s", c.header, got, c.want)
		}
	}
	if got := stretch(15*time.Minute, 5*time.Minute); got != 15*time.Minute {
		t.Errorf("a shorter hint shortened the interval: %s", got)
	}
	if lo, hi := backoff(15*time.Minute, 1, 0), backoff(15*time.Minute, 1, 1); lo != 11*time.Minute+15*time.Second || hi != 18*time.Minute+45*time.Second {
		t.Errorf("jitter of the first failure: %s to %s", lo, hi)
	}
}

// Two polls of one feed at once (the "poll now" button while the regular
// poll runs, or the command line beside the server) import each item once.
func TestConcurrentPolls(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st store.Store) {
		f := newFixture(t, st)
		serveWordPress(t, f)
		src := f.add(t, AddInput{URL: f.site.URL + "/feed/", Backfill: 20})
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if _, err := f.svc.Poll(t.Context(), src.ID, Progress{}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(f.posts(t, "")); n != 3 {
			t.Errorf("%d posts from 3 items polled three times at once", n)
		}
	})
}

// "Poll now" on a stopped source starts it again.
func TestPollSoonRestarts(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	f.site.put("/gone.xml", file{status: http.StatusGone})
	src := &newsroom.FeedSource{OrgID: f.org.ID, FeedURL: f.site.URL + "/gone.xml", Kind: newsroom.KindArticle, Backfill: 20}
	if err := f.st.CreateFeedSource(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	if res := f.poll(t, src.ID); !res.Source.Disabled {
		t.Fatal("410 did not stop the source")
	}
	serveWordPress(t, f)
	f.site.put("/gone.xml", f.site.files["/feed/"])
	if err := f.svc.PollSoon(t.Context(), src.ID); err != nil {
		t.Fatal(err)
	}
	if n := countJobs(t, f.st, "feed_poll"); n != 1 {
		t.Errorf("%d poll jobs after restarting", n)
	}
	if res := f.poll(t, src.ID); res.Source.Disabled || res.Imported != 3 {
		t.Errorf("after restarting: %+v", res)
	}
}

// A poll whose time runs out stops between items, records what it did,
// and the next poll reads the whole feed again for the rest.
func TestPollOutOfTime(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	serveWordPress(t, f)
	slow := f.site.files["/wp-content/uploads/2026/11/atelier-lille.png"]
	var once sync.Once
	f.site.put("/wp-content/uploads/2026/11/atelier-lille.png", file{handler: func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { time.Sleep(time.Second) })
		w.Header().Set("Content-Type", "image/png")
		w.Write(slow.body)
	}})
	src := f.add(t, AddInput{URL: f.site.URL + "/feed/", Backfill: 20})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	res, err := f.svc.Poll(ctx, src.ID, Progress{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed == 0 || res.Source.ETag != "" || !strings.Contains(res.Source.LastError, "could not be imported yet") {
		t.Fatalf("out of time: %+v", res)
	}
	res = f.poll(t, src.ID)
	if res.Source.LastStatus != http.StatusOK || res.Source.Imported != 3 || res.Source.LastError != "" {
		t.Errorf("next poll: %+v", res.Source)
	}
	if p := post(t, f, f.site.URL+"/2026/11/24/inclusion-numerique-bilan-2026/"); len(p.Media) != 1 {
		t.Errorf("the item whose image was slow was imported without it: %+v", p.Media)
	}
}

// An organisation imports a feed once, and at most MaxSourcesPerOrg.
func TestAddBounds(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	serveWordPress(t, f)
	f.add(t, AddInput{URL: f.site.URL + "/feed/"})
	if _, err := f.svc.Add(t.Context(), AddInput{OrgID: f.org.ID, URL: f.site.URL + "/"}); err == nil || !strings.Contains(err.Error(), "already imports") {
		t.Errorf("the same feed again, found from its page: %v", err)
	}
	for i := 1; i < MaxSourcesPerOrg; i++ {
		f.add(t, AddInput{URL: fmt.Sprintf("%s/feed/?copy=%d", f.site.URL, i)})
	}
	if _, err := f.svc.Add(t.Context(), AddInput{OrgID: f.org.ID, URL: f.site.URL + "/feed/?copy=99"}); err == nil || !strings.Contains(err.Error(), "the most one organisation may have") {
		t.Errorf("source %d: %v", MaxSourcesPerOrg+1, err)
	}
	for want, bad := range map[string]AddInput{"article or press": {Kind: newsroom.KindEvent}, "at most": {Backfill: MaxBackfill + 1}} {
		bad.OrgID, bad.URL = f.org.ID, f.site.URL+"/feed/?other"
		if _, err := f.svc.Add(t.Context(), bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

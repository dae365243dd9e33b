package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/feeds"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// BenchmarkFeedPoll304 runs 200 feed sources through the real server's
// poll jobs, every 10 seconds, each answered 304 Not Modified, and
// reports the processor time of one cycle (200 polls: River, the
// conditional request, the source's row) and what that is as a share of
// one core at the default interval of 15 minutes. The member sites'
// server runs in this process, so its share is counted too.
//
//	go test ./cmd/newsroom -run '^$' -bench FeedPoll304 -benchtime 1x
func BenchmarkFeedPoll304(b *testing.B) {
	const sources = 200
	for range b.N {
		b.StopTimer()
		var polls, full atomic.Int64
		sites := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				polls.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			full.Add(1)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>Site</title><link>http://%s/</link><item><title>Bonjour</title><guid>1</guid><description>Texte.</description></item></channel></rss>`, r.Host)
		}))
		ts := startServer(b, "sqlite", "--log-level", "warn", "--feed-interval", "10s")
		ctx := context.Background()
		// The server's cost with nothing to poll (River looking for jobs,
		// the change watcher), the reference the cycles are compared with.
		idleStart, idleCPU := time.Now(), cpuTime()
		time.Sleep(10 * time.Second)
		idle := float64(cpuTime()-idleCPU) / float64(time.Since(idleStart))
		for i := range sources {
			org := ts.createOrg(b, "org"+strconv.Itoa(i), "Organisation "+strconv.Itoa(i))
			if _, err := ts.services.feeds.Add(ctx, feeds.AddInput{OrgID: org.ID, URL: sites.URL + "/feed/" + strconv.Itoa(i), Backfill: 1}); err != nil {
				b.Fatal(err)
			}
		}
		waitPolls(b, &polls, sources, 2*time.Minute) // every source past its first poll and one 304
		b.StartTimer()
		start, cpu, from := time.Now(), cpuTime(), polls.Load()
		waitPolls(b, &polls, from+3*sources, 3*time.Minute)
		done := polls.Load() - from
		elapsed := time.Since(start)
		perCycle := (cpuTime() - cpu) * sources / time.Duration(done)
		idlePerCycle := time.Duration(idle * float64(elapsed) * sources / float64(done))
		b.StopTimer()
		b.ReportMetric(float64((perCycle-idlePerCycle).Microseconds())/1000, "cpu-ms/cycle-over-idle")
		b.ReportMetric(float64(perCycle.Microseconds())/1000, "cpu-ms/cycle")
		b.ReportMetric(100*perCycle.Seconds()/(15*time.Minute).Seconds(), "%core@15m")
		b.ReportMetric(100*perCycle.Seconds()/(10*time.Second).Seconds(), "%core@10s")
		b.Logf("%d polls answered 304 in %s; %s of processor per cycle of %d, of which %s the idle server's (%.2f %% of a core)",
			done, elapsed.Round(time.Millisecond), perCycle.Round(time.Microsecond), sources, idlePerCycle.Round(time.Microsecond), 100*idle)
		sites.Close()
		ts.stop(b)
	}
}

func waitPolls(b *testing.B, n *atomic.Int64, want int64, limit time.Duration) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for n.Load() < want {
		if time.Now().After(deadline) {
			b.Fatalf("%d polls of %d after %s", n.Load(), want, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkFeedImport1000 adds ten member sites whose feeds hold 100
// items each, every item with its own picture (800×600 PNG), and times
// the server's poll jobs importing the 1,000 items: fetching each
// picture, re-encoding it and writing the posts. The reference, measured
// in the same run, is the same 1,000 pictures saved one after the other
// through the media pipeline alone, as editors' uploads are.
//
//	go test ./cmd/newsroom -run '^$' -bench FeedImport1000 -benchtime 1x
func BenchmarkFeedImport1000(b *testing.B) {
	const sites, items = 10, 100
	pics := make([][]byte, sites*items)
	for i := range pics {
		pics[i] = benchPicture(b, i)
	}
	for range b.N {
		b.StopTimer()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n, ok := strings.CutPrefix(r.URL.Path, "/img/"); ok {
				i, _ := strconv.Atoi(strings.TrimSuffix(n, ".png"))
				w.Header().Set("Content-Type", "image/png")
				w.Write(pics[i%len(pics)])
				return
			}
			site, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
			w.Header().Set("Content-Type", "application/rss+xml")
			var body strings.Builder
			fmt.Fprintf(&body, `<rss version="2.0"><channel><title>Site %d</title><link>http://%s/</link>`, site, r.Host)
			for j := range items {
				n := site*items + j
				fmt.Fprintf(&body, `<item><title>Article %d</title><guid>a%d</guid><link>http://%s/a/%d</link>`+
					`<description><![CDATA[<p>Texte de l'article %d.</p><img src="/img/%d.png" alt="Photo %d">]]></description></item>`,
					n, n, r.Host, n, n, n, n)
			}
			body.WriteString(`</channel></rss>`)
			w.Write([]byte(body.String()))
		}))
		ts := startServer(b, "sqlite", "--log-level", "warn")
		ctx := context.Background()
		orgs := make([]*newsroom.Organisation, sites)
		for i := range orgs {
			orgs[i] = ts.createOrg(b, "site"+strconv.Itoa(i), "Site "+strconv.Itoa(i))
		}

		ref := media.New(media.NewFiles(b.TempDir()), ts.Store, nil)
		refStart, refCPU := time.Now(), cpuTime()
		for _, p := range pics {
			if _, err := ref.Save(ctx, bytes.NewReader(p)); err != nil {
				b.Fatal(err)
			}
		}
		reference, referenceCPU := time.Since(refStart), cpuTime()-refCPU

		b.StartTimer()
		start, cpu := time.Now(), cpuTime()
		for i, org := range orgs {
			if _, err := ts.services.feeds.Add(ctx, feeds.AddInput{OrgID: org.ID, URL: srv.URL + "/feed/" + strconv.Itoa(i), Backfill: items}); err != nil {
				b.Fatal(err)
			}
		}
		deadline := time.Now().Add(10 * time.Minute)
		for {
			n, err := ts.Store.CountPosts(ctx, store.PostFilter{Status: newsroom.StatusPublished})
			if err != nil {
				b.Fatal(err)
			}
			if n == sites*items {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d posts after 10 minutes", n)
			}
			time.Sleep(100 * time.Millisecond)
		}
		elapsed, used := time.Since(start), cpuTime()-cpu
		b.StopTimer()
		b.ReportMetric(elapsed.Seconds(), "s/1000items")
		b.ReportMetric(used.Seconds(), "cpu-s/1000items")
		b.ReportMetric(used.Seconds()/referenceCPU.Seconds(), "cpu-x-media-alone")
		b.Logf("1,000 items with pictures imported in %s (%s of processor); the pictures alone through media, one after the other: %s (%s of processor)",
			elapsed.Round(time.Millisecond), used.Round(time.Millisecond), reference.Round(time.Millisecond), referenceCPU.Round(time.Millisecond))
		srv.Close()
		ts.stop(b)
	}
}

// benchPicture is a distinct 800×600 picture: a gradient with its own
// colours, so that every item's picture is stored once.
func benchPicture(b *testing.B, i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			img.Set(x, y, color.RGBA{uint8(x + i), uint8(y + 3*i), uint8(i * 7), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

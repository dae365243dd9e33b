package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/sqlstore"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/users"
)

// manyServers is n inbox servers on loopback, one listener each, all
// answered by farm's handler. Keep-alive is off: 10,000 servers with a
// kept connection each, both ends in this process, would pass the limit
// of open files; each delivery then pays a TCP handshake, which on
// loopback costs next to nothing.
func manyServers(tb testing.TB, n int, farm *inboxFarm) []string {
	tb.Helper()
	srv := &http.Server{Handler: farm, ReadHeaderTimeout: 10 * time.Second}
	srv.SetKeepAlivesEnabled(false)
	bases := make([]string, n)
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		go srv.Serve(ln)
		bases[i] = "http://" + ln.Addr().String()
	}
	tb.Cleanup(func() { srv.Close() })
	return bases
}

// startManyServers starts n servers of manyServers: in this process, or
// with NEWSROOM_BENCH_FARM_PROCESS set in a process of its own. In this
// process, the 10,000 servers of the large run share the server's
// scheduler, collector and memory: its peak RSS then counts them, and the
// editor's views wait behind their goroutines, which the internet's
// servers would not make it do.
func startManyServers(b *testing.B, n int) (servedCounter, []string) {
	if os.Getenv("NEWSROOM_BENCH_FARM_PROCESS") != "" {
		p := startFarmChild(b, n, -1, "many")
		return p, p.Bases
	}
	farm := &inboxFarm{got: make(map[string]map[string]int), inboxes: make(map[string]int)}
	return farm, manyServers(b, n, farm)
}

// startViews readies the fetches of a page every 100 ms with editor's
// session, until stop closes once begun: from a process of its own when
// the inbox servers have theirs, as a browser would, or from this one.
func startViews(b *testing.B, farm servedCounter, editor *http.Client, base, want string, stop <-chan struct{}) views {
	const every = 100 * time.Millisecond
	if _, ok := farm.(*farmProcess); ok {
		return startViewerProcess(b, editor, base, want, every)
	}
	var lat <-chan []time.Duration
	return views{
		begin: func(page string) { lat = pageLatencies(b, editor, page, want, every, stop) },
		end:   func() []time.Duration { return <-lat },
	}
}

// viewsWhere says where startViews fetched from.
func viewsWhere(farm servedCounter) string {
	if _, ok := farm.(*farmProcess); ok {
		return "from a process of their own"
	}
	return "from the server's process"
}

// farmWhere says whether the process's figures include the inbox servers.
func farmWhere(farm servedCounter) string {
	if _, ok := farm.(*farmProcess); ok {
		return "inbox servers in a process of their own"
	}
	return "inbox servers included"
}

// peakRSS reads the process's peak resident memory (VmHWM), which
// resetPeakRSS sets back to the current one.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// heapPeak samples the Go heap every 50 ms until stop closes, and
// returns the most seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// pageLatencies fetches url with c every interval until stop closes; a
// page that fails or lacks want fails the benchmark.
func pageLatencies(tb testing.TB, c *http.Client, url, want string, interval time.Duration, stop <-chan struct{}) <-chan []time.Duration {
	return sampleLatencies(interval, stop, func() bool {
		resp, err := c.Get(url)
		if err != nil {
			tb.Errorf("editor's posts: %v", err)
			return false
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), want) {
			tb.Errorf("editor's posts: status %d", resp.StatusCode)
			return false
		}
		return true
	})
}

// BenchmarkFanoutScale publishes one post to 10 followers on each of
// inboxes/10 servers, each follower with its own inbox, for each size in
// NEWSROOM_BENCH_FANOUT_SIZES (default 1000,10000; add 100000 for the
// large run; NEWSROOM_BENCH_FARM_PROCESS=1 puts the servers in a process
// of their own), and reports the time, the peak memory and the latency of
// the editor's list of posts, which shows each post's delivery progress
// (fifty of them: the new one and forty-nine published before), and the
// new post's delivery page, each fetched every 100 ms during the fan-out
// (with the servers, from a process of its own).
//
//	NEWSROOM_BENCH_FANOUT_SIZES=1000,10000,100000 .ci/with-postgres \
//	  go test ./cmd/newsroom -run '^$' -bench FanoutScale -benchtime 1x -timeout 60m
func BenchmarkFanoutScale(b *testing.B) {
	sizes := []int{1000, 10000}
	if v := os.Getenv("NEWSROOM_BENCH_FANOUT_SIZES"); v != "" {
		sizes = nil
		for f := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 10 {
				b.Fatalf("NEWSROOM_BENCH_FANOUT_SIZES: %q", v)
			}
			sizes = append(sizes, n)
		}
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/%d", backend, n), func(b *testing.B) {
				if backend == "postgres" {
					testdb.PostgresServer(b)
				}
				for range b.N {
					fanoutScaleOnce(b, backend, n)
				}
			})
		}
	}
}

func fanoutScaleOnce(b *testing.B, backend string, inboxes int) {
	const perServer = 10
	b.StopTimer()
	farm, bases := startManyServers(b, inboxes/perServer)
	ts := startServer(b, backend, "--log-level", "error")
	org := ts.createOrg(b, "soga", "Social Good Accelerator")
	ctx := context.Background()
	// The list shows fifty published posts, as a newsroom's of a few
	// months does: forty-nine older ones, published before the followers
	// came, each with its delivery progress and reactions to show.
	for i := range 49 {
		if _, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle,
			Title: fmt.Sprintf("Archive %d", i), Body: "Une nouvelle plus ancienne."}); err != nil {
			b.Fatal(err)
		}
	}
	// A fan-out reads the followers when it runs: these must be over first.
	eventually(b, "the older posts' fan-outs", func() string {
		if n := unfinishedJobs(b, ts.Store, jobs.PublishArgs{}.Kind(), jobs.FanoutArgs{}.Kind()); n > 0 {
			return fmt.Sprintf("%d jobs left", n)
		}
		return ""
	})
	want := addFollowersAt(b, ts.Store, org.ID, bases, perServer)
	if _, err := users.New(ts.Store).Create(ctx, users.NewUser{Email: "admin@example.org",
		Name: "Ada", Password: browserPassword, IsAdmin: true}); err != nil {
		b.Fatal(err)
	}
	editor := browser(b)
	logIn(b, editor, ts.URL, "admin@example.org", browserPassword)

	stop := make(chan struct{})
	resetPeakRSS()
	rss0 := peakRSS()
	heap := heapPeak(stop)
	// Both viewers are ready before the fan-out: a process started
	// during it would take processors from the moments it measures.
	views := startViews(b, farm, editor, ts.URL, "Communiqué", stop)
	deliveryViews := startViews(b, farm, editor, ts.URL, "Communiqué", stop)
	views.begin(ts.URL + "/admin/orgs/soga/posts")
	pool := readPool(ts)
	b.StartTimer()
	start, cpu := time.Now(), cpuTime()
	post, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
		Title: "Communiqué", Body: "Beaucoup d’abonnés."})
	if err != nil {
		b.Fatal(err)
	}
	// The post's own delivery page, with its progress and its failures,
	// exists from now on.
	deliveryViews.begin(ts.URL + "/admin/posts/" + post.ID + "/delivery")
	waitServed(b, ts, farm, org.ID, want, time.Duration(want/100+120)*time.Second)
	elapsed, cpuPer := time.Since(start), (cpuTime()-cpu)/time.Duration(want)
	b.StopTimer()
	close(stop)
	lat, delivery, heapMax, rss := views.end(), deliveryViews.end(), <-heap, peakRSS()

	// The server's own count of the same views, from the request's first
	// byte to its last: a view slower here than there waited to be read
	// or answered, not in the handler.
	b.Logf("the handler's own time for the editor's posts: %s; for the post's delivery page: %s; the read connections: %s",
		handlerTimes(b, ts, "/admin/orgs/:handle/posts"), handlerTimes(b, ts, "/admin/posts/:id/delivery"), pool())
	b.Logf("the slowest views of the editor's posts: %s; of the delivery page: %s", slowest(lat, 3), slowest(delivery, 3))
	b.ReportMetric(elapsed.Seconds(), "s/fanout")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(heapMax)/(1<<20), "heap-peak-MB")
	b.ReportMetric(float64(rss)/(1<<20), "rss-peak-MB")
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "view-p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "view-p99-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "view-max-ms")
	b.ReportMetric(float64(percentile(delivery, 0.99).Microseconds())/1000, "delivery-view-p99-ms")
	b.ReportMetric(float64(percentile(delivery, 1).Microseconds())/1000, "delivery-view-max-ms")
	b.Logf("%s: %d inboxes on %d servers in %s (%.0f/s), processor time per delivery %s; "+
		"Go heap peak %.0f MB, process RSS %.0f MB at the start, peak %.0f MB (%s); "+
		"%d views of the editor's posts (%s) p50 %s p99 %s max %s; %d of the post's delivery page p50 %s p99 %s max %s",
		backend, want, len(bases), elapsed.Round(time.Millisecond), float64(want)/elapsed.Seconds(), cpuPer.Round(time.Microsecond),
		float64(heapMax)/(1<<20), float64(rss0)/(1<<20), float64(rss)/(1<<20), farmWhere(farm),
		len(lat), viewsWhere(farm), percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1),
		len(delivery), percentile(delivery, 0.5), percentile(delivery, 0.99), percentile(delivery, 1))
}

// unfinishedJobs counts the jobs of kinds not yet completed, whatever the
// backend.
func unfinishedJobs(tb testing.TB, st store.Store, kinds ...string) int {
	tb.Helper()
	var n int
	var err error
	const q = `SELECT count(*) FROM river_job WHERE kind IN %s AND state NOT IN ('completed', 'cancelled', 'discarded')`
	switch s := st.(type) {
	case *sqlite.Store:
		args := make([]any, len(kinds))
		for i, k := range kinds {
			args[i] = k
		}
		err = s.ReadDB().QueryRowContext(tb.Context(), fmt.Sprintf(q, sqlstore.Values(1, len(kinds))), args...).Scan(&n)
	case *postgres.Store:
		err = s.Pool().QueryRow(tb.Context(), fmt.Sprintf(q, "(SELECT unnest($1::text[]))"), kinds).Scan(&n)
	default:
		tb.Fatalf("unknown backend %T", st)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// handlerTimes reads the server's duration histogram of route from its
// /metrics (served to loopback) and says how many requests took over
// each bound from 50 ms up.
func handlerTimes(tb testing.TB, ts *testServer, route string) string {
	_, _, body := ts.get(tb, "/metrics", "")
	prefix := `newsroom_http_request_duration_seconds_bucket{route="` + route + `",le="`
	counts := make(map[string]int)
	var bounds []string
	for line := range strings.SplitSeq(body, "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		le, n, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		counts[le], _ = strconv.Atoi(n)
		bounds = append(bounds, le)
	}
	total := counts["+Inf"]
	var parts []string
	for _, le := range bounds {
		if v, err := strconv.ParseFloat(le, 64); le == "+Inf" || err != nil || v < 0.05 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d over %s s", total-counts[le], le))
	}
	return fmt.Sprintf("%d requests; %s", total, strings.Join(parts, ", "))
}

// readPool returns a function that says how often, and how long in all,
// queries waited for one of SQLite's read connections since readPool was
// called, the requests' and the jobs' ("" on PostgreSQL).
func readPool(ts *testServer) func() string {
	r, ok := ts.Store.(interface{ ReadDB() *sql.DB })
	if !ok {
		return func() string { return "" }
	}
	pools := []*sql.DB{r.ReadDB()}
	if j, ok := ts.Store.(interface{ JobReadDB() *sql.DB }); ok {
		pools = append(pools, j.JobReadDB())
	}
	before := make([]sql.DBStats, len(pools))
	for i, p := range pools {
		before[i] = p.Stats()
	}
	return func() string {
		var parts []string
		for i, p := range pools {
			after := p.Stats()
			parts = append(parts, fmt.Sprintf("%d waits for one of %d, %s in all", after.WaitCount-before[i].WaitCount,
				after.MaxOpenConnections, (after.WaitDuration-before[i].WaitDuration).Round(time.Millisecond)))
		}
		return strings.Join(parts, "; jobs' ")
	}
}

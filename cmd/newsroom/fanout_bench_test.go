package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// cpuTime is the processor time this process has used, user and system.
// On a machine shared with other work, wall-clock rates move with the
// neighbours' load; processor time per operation does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dbServerCPU returns, for a PostgreSQL store, a function reading the
// processor time the server processes serving this database have used, so
// that the fan-out's cost includes the database's share of the machine.
// The benchmark's database server runs on the same machine; for SQLite the
// database is in the process and the function is nil.
func dbServerCPU(b *testing.B, ts *testServer) func() time.Duration {
	pg, ok := ts.Store.(interface{ Pool() *pgxpool.Pool })
	if !ok {
		return nil
	}
	ticks := time.Second / 100 // USER_HZ
	return func() time.Duration {
		rows, err := pg.Pool().Query(context.Background(),
			`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			b.Fatal(err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			b.Fatal(err)
		}
		var total time.Duration
		for _, pid := range pids {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				continue // not on this machine, or gone
			}
			// Fields after the command name: utime and stime are the
			// 12th and 13th.
			f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(f) > 12 {
				u, _ := strconv.ParseInt(f[11], 10, 64)
				s, _ := strconv.ParseInt(f[12], 10, 64)
				total += time.Duration(u+s) * ticks
			}
		}
		return total
	}
}

// signingRate is how many RSA-2048 (PKCS #1 v1.5, SHA-256) signatures the
// machine makes per second on all its processors: the ceiling of a
// fan-out, since every delivery is one signature. It also returns the
// processor time one signature takes.
func signingRate(tb testing.TB, d time.Duration) (float64, time.Duration) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	digest := sha256.Sum256([]byte("(request-target): post /inbox"))
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start, cpu := time.Now(), cpuTime()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), (cpuTime() - cpu) / time.Duration(n.Load())
}

// readLatencies fetches path every interval until stop closes, and
// returns the latencies seen: public pages must stay fast while the
// server signs thousands of deliveries. Each read takes the whole body,
// as a reader's server does, and so keeps its connection: a body closed
// unread closes the connection with it, and every read was then a new
// connection, whose accept and close the server paid, counted against
// its deliveries.
func readLatencies(ts *testServer, path string, interval time.Duration, stop <-chan struct{}) <-chan []time.Duration {
	return sampleLatencies(interval, stop, func() bool {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return err == nil && resp.StatusCode == http.StatusOK
	})
}

// sampleLatencies calls fetch every interval until stop closes, and
// returns how long each call that succeeded took.
func sampleLatencies(interval time.Duration, stop <-chan struct{}, fetch func() bool) <-chan []time.Duration {
	out := make(chan []time.Duration, 1)
	go func() {
		var lat []time.Duration
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- lat
				return
			case <-tick.C:
			}
			start := time.Now()
			var ok bool
			// A region, so that an execution trace shows each read.
			trace.WithRegion(context.Background(), "read", func() { ok = fetch() })
			if ok {
				lat = append(lat, time.Since(start))
			}
		}
	}()
	return out
}

// benchOutput creates the file the environment variable env names, closed
// when the benchmark ends, or returns nil when env is unset.
func benchOutput(b *testing.B, env string) *os.File {
	path := os.Getenv(env)
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// slowest says which of the views in d, in the order they were made,
// took longest: "#k of n: duration" for the n slowest, slowest first.
// Where they fall tells a slow start from a slow fan-out.
func slowest(d []time.Duration, n int) string {
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(d[b], d[a]) })
	var parts []string
	for _, i := range idx[:min(n, len(idx))] {
		parts = append(parts, fmt.Sprintf("#%d of %d: %s", i+1, len(d), d[i].Round(100*time.Microsecond)))
	}
	return strings.Join(parts, ", ")
}

// BenchmarkFanout sends one post to 10,000 followers, each with its own
// inbox, on 1,000 inbox servers on loopback, and compares the delivery
// rate with the raw signing rate measured in the same run. Run it with
// -benchtime=1x: one iteration is one whole fan-out.
//
//	.ci/with-postgres go test ./cmd/newsroom -run '^$' -bench 'Fanout$' -benchtime 1x
func BenchmarkFanout(b *testing.B) { benchBackends(b, fanoutOnce) }

// benchBackends runs once, b.N times, on SQLite and on PostgreSQL.
func benchBackends(b *testing.B, once func(b *testing.B, backend string)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" {
				testdb.PostgresServer(b)
			}
			for range b.N {
				once(b, backend)
			}
		})
	}
}

func fanoutOnce(b *testing.B, backend string) {
	const servers, perServer = 1000, 10
	b.StopTimer()
	// The inbox servers run in a process of their own, so that their
	// processor time is not counted as ours. Per core, that process has
	// the second processor and this one (newsroom and its SQLite) the
	// first, and the signing rate is one processor's: the ratio is then
	// not a measure of how three programs share two processors.
	farmCPU := -1
	if os.Getenv("NEWSROOM_BENCH_PER_CORE") != "" {
		if backend != "sqlite" {
			b.Skip("per core: SQLite only, PostgreSQL's processes would share the processors")
		}
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
		pinTo(b, 0)
		farmCPU = 1
	}
	farm := startFarmProcess(b, servers, farmCPU)
	ts := startServer(b, backend, "--log-level", "warn")
	org := ts.createOrg(b, "soga", "Social Good Accelerator")
	want := addFollowersAt(b, ts.Store, org.ID, farm.Bases, perServer)
	ctx := context.Background()
	// A published post whose page the read probe fetches.
	page, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindArticle, Title: "Avant", Body: "Texte."})
	if err != nil {
		b.Fatal(err)
	}
	waitServed(b, ts, farm, org.ID, want, 5*time.Minute)

	signBefore, cpuSign := signingRate(b, 2*time.Second)
	stop := make(chan struct{})
	reads := readLatencies(ts, "/orgs/soga/posts/"+page.ID, 20*time.Millisecond, stop)
	b.StartTimer()
	dbCPU := dbServerCPU(b, ts)
	var db0 time.Duration
	if dbCPU != nil {
		db0 = dbCPU()
	}
	// The fan-out alone, without the set-up and the signing references.
	if f := benchOutput(b, "NEWSROOM_BENCH_CPUPROFILE"); f != nil {
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	ownCPU := -1
	if farmCPU >= 0 {
		ownCPU = 0
	}
	kernel := countKernel(b, ownCPU)
	start, cpu := time.Now(), cpuTime()
	if _, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress,
		Title: "Communiqué", Body: "Dix mille abonnés."}); err != nil {
		b.Fatal(err)
	}
	waitServed(b, ts, farm, org.ID, want, 10*time.Minute)
	pprof.StopCPUProfile()
	elapsed, cpuDelivery := time.Since(start), (cpuTime()-cpu)/time.Duration(want)
	kernel.report(b, want)
	var cpuDB time.Duration
	if dbCPU != nil {
		cpuDB = (dbCPU() - db0) / time.Duration(want)
	}
	b.StopTimer()
	close(stop)
	lat := <-reads
	// Signing again after the fan-out: the mean of both brackets the
	// machine's state during it.
	signAfter, _ := signingRate(b, 2*time.Second)
	sign := (signBefore + signAfter) / 2
	rate := float64(want) / elapsed.Seconds()
	b.ReportMetric(elapsed.Seconds(), "s/fanout")
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(sign, "signatures/s")
	b.ReportMetric(rate/sign, "ratio")
	b.ReportMetric(float64(cpuSign)/float64(cpuDelivery+cpuDB), "cpu-ratio")
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "read-p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "read-p99-ms")
	b.Logf("%s: %d deliveries in %s = %.0f/s; signing %.0f/s (%.0f before, %.0f after); ratio %.2f; "+
		"processor time per signature %s, per delivery %s + %s in the database server (ratio %.2f); %d reads p50 %s p99 %s max %s",
		backend, want, elapsed.Round(time.Millisecond), rate, sign, signBefore, signAfter, rate/sign,
		cpuSign.Round(time.Microsecond), cpuDelivery.Round(time.Microsecond), cpuDB.Round(time.Microsecond),
		float64(cpuSign)/float64(cpuDelivery+cpuDB),
		len(lat), percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1))
}

// waitServed waits until every inbox of the farm has the newest Create of
// org, watching the farm rather than the database so that the watching
// costs the server nothing, then checks the recorded progress agrees.
func waitServed(b *testing.B, ts *testServer, farm servedCounter, orgID int64, want int, limit time.Duration) {
	ctx := context.Background()
	acts, err := ts.Store.ListActivities(ctx, orgID, "Create", 0, 1)
	if err != nil || len(acts) != 1 {
		b.Fatalf("newest Create: %v %v", acts, err)
	}
	id := ts.URLs.Activity(acts[0].ID)
	deadline := time.Now().Add(limit)
	// A farm in a process of its own is asked once and answers when it
	// is done: asking it every 5 ms was thousands of requests, each one
	// a write and reads of this process's, counted against its deliveries.
	count, pause := func() int { return farm.served(id) }, 5*time.Millisecond
	if w, ok := farm.(servedWaiter); ok {
		count = func() int { return w.servedWait(id, want, min(10*time.Second, time.Until(deadline))) }
		pause = 0
	}
	for n := count(); n < want; n = count() {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d inboxes served within %s", n, want, limit)
		}
		time.Sleep(pause)
	}
	eventually(b, "delivery progress", func() string {
		p, err := ts.Store.DeliveryProgress(ctx, acts[0].ID)
		if err != nil {
			return err.Error()
		}
		if p.Delivered != want {
			return fmt.Sprintf("%+v", p)
		}
		return ""
	})
}

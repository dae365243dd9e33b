package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// benchPeers is how many remote actors send the Likes; each (actor, post)
// pair counts once, so the posts are as many as needed for every Like to
// be a new one: each post gets one Like from every actor, as a post that
// went out does, from many people.
const benchPeers = 32

// BenchmarkInboxLike measures signed Likes ingested per second over real
// HTTP on loopback, with the senders' keys already cached: each request is
// read, parsed, verified (RSA), checked against our post and recorded with
// its interaction in one transaction. The requests are signed before the
// timer starts; the clients run in this process, on the same cores as the
// server. Results and method: docs/benchmarks.md, "Inbox ingest".
//
//	.ci/with-postgres go test ./cmd/newsroom/ -run '^$' -bench 'BenchmarkInbox' -benchtime 20000x
func BenchmarkInboxLike(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" {
				testdb.PostgresServer(b)
			}
			benchInboxLike(b, backend, http.StatusAccepted)
		})
	}
}

// BenchmarkInboxStrangerCreate sends public posts (Creates of Notes) from
// accounts no organisation follows, in the same way: what most Creates
// that reach a shared inbox are. Each costs the network service one
// indexed read before it is recorded as ignored; compare with
// BenchmarkInboxLike in the same run.
func BenchmarkInboxStrangerCreate(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" {
				testdb.PostgresServer(b)
			}
			benchInbox(b, backend, http.StatusAccepted, func(p *fedtest.Peer, _ string) map[string]any {
				return p.CreateOf(p.Note(fedtest.Post{Content: "<p>Bonjour #Lyon</p>", Tags: []string{"Lyon"}, Lang: "fr"}))
			})
		})
	}
}

// BenchmarkInboxFloor sends the same Likes with a content type the inbox
// refuses at once (415): the cost of HTTP on loopback, the middleware and
// the clients, which bounds what BenchmarkInboxLike can reach.
func BenchmarkInboxFloor(b *testing.B) {
	benchInboxLike(b, "sqlite", http.StatusUnsupportedMediaType)
}

// signedLike is a request ready to send.
type signedLike struct {
	body   []byte
	header http.Header
}

func benchInboxLike(b *testing.B, backend string, want int) {
	benchInbox(b, backend, want, nil)
}

// benchInbox sends b.N activities that build makes (Likes of our posts when
// nil) and checks that each was answered want.
func benchInbox(b *testing.B, backend string, want int, build func(p *fedtest.Peer, post string) map[string]any) {
	ts := startServer(b, backend, "--log-level", "warn")
	org := ts.createOrg(b, "soga", "Social Good Accelerator")
	peers := make([]*fedtest.Peer, benchPeers)
	for i := range peers {
		peers[i] = fedtest.NewPeer(b, fmt.Sprintf("user%d", i))
		// Introduced once, so that their keys are cached.
		if code := send(b, peers[i], ts.SharedInboxURL(), peers[i].Like(peers[i].URL+"/statuses/1")); code != http.StatusAccepted {
			b.Fatalf("introduce: %d", code)
		}
	}
	posts := make([]string, b.N/benchPeers+1)
	for i := range posts {
		posts[i] = publishedPost(b, ts, org, fmt.Sprintf("01JD%022d", i))
	}
	likes := signLikes(b, ts.SharedInboxURL(), peers, posts, b.N, build)
	client := &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
	}}
	defer client.CloseIdleConnections()

	var next atomic.Int64
	var failed atomic.Int64
	b.SetParallelism(8) // 16 clients on 2 cores: the server, not the clients, should wait
	cpuBefore, dbBefore := processCPU(b), databaseCPU(b, ts)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l := likes[next.Add(1)-1]
			req, err := http.NewRequest(http.MethodPost, ts.SharedInboxURL(), bytes.NewReader(l.body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header = l.header.Clone()
			req.Host = l.header.Get("Host")
			if want == http.StatusUnsupportedMediaType {
				req.Header.Set("Content-Type", "text/plain")
			}
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	// The machine is shared, so the CPU time per Like (server, clients
	// and, for SQLite, the database) says more than the rate alone.
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "likes/s")
	b.ReportMetric(float64((processCPU(b)-cpuBefore).Microseconds())/float64(b.N), "cpu-µs/like")
	if backend == "postgres" {
		b.ReportMetric(float64((databaseCPU(b, ts)-dbBefore).Microseconds())/float64(b.N), "pg-cpu-µs/like")
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d Likes not answered %d", n, b.N, want)
	}
	if want != http.StatusAccepted || build != nil {
		return
	}
	counted := 0
	for _, p := range posts {
		likes, _, err := ts.Store.CountInteractions(context.Background(), p[len(p)-26:])
		if err != nil {
			b.Fatal(err)
		}
		counted += likes
	}
	if counted != b.N {
		b.Fatalf("%d likes counted, %d sent", counted, b.N)
	}
}

// signLikes signs n distinct Likes (or what build makes), spread over
// peers and posts so that no (actor, post) pair repeats, using every core.
func signLikes(b *testing.B, inbox string, peers []*fedtest.Peer, posts []string, n int, build func(p *fedtest.Peer, post string) map[string]any) []signedLike {
	b.Helper()
	likes := make([]signedLike, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				p := peers[i%len(peers)]
				act := p.Like(posts[i/len(peers)])
				if build != nil {
					act = build(p, posts[i/len(peers)])
				}
				body, err := json.Marshal(act)
				if err != nil {
					errs <- err
					return
				}
				req, err := http.NewRequest(http.MethodPost, inbox, nil)
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set("Content-Type", transport.ContentTypeActivity)
				if err := transport.SignRequest(req, body, p.KeyID, p.PrivateKey(), time.Now()); err != nil {
					errs <- err
					return
				}
				likes[i] = signedLike{body: body, header: req.Header}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return likes
}

// processCPU is the user and system time this process used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// databaseCPU is the user and system time of the PostgreSQL backends
// serving the server's database, read from /proc (the server is local);
// 0 on SQLite, which runs inside this process. Backends started later
// count from zero, so a difference of two readings is what they used.
func databaseCPU(b *testing.B, ts *testServer) time.Duration {
	pg, ok := ts.Store.(*postgres.Store)
	if !ok {
		return 0
	}
	rows, err := pg.Pool().Query(context.Background(),
		`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone, or not on this machine
		}
		// Fields after the command name, which is in parentheses:
		// utime and stime are the 12th and 13th.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

package transport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// What signing deliveries in runs saves: deliveries to 20 loopback inboxes,
// 32 at once, on one processor (the inboxes run in the same process, so
// that their HTTP evicts the signature from the caches as a fan-out's
// does), signed one at a time ("run-1") and in runs of a few. The
// figure to read is the process's processor time per delivery, "rsa"
// the same key's signature alone, measured in the same run.
//
//	go test ./federation/transport -run '^$' -bench SignRuns -count 4
func BenchmarkSignRuns(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	key := testKey(b, 0)
	body := []byte(`{"type":"Create","object":{"content":"` + strings.Repeat("x", 3000) + `"}}`)
	names := map[string]string{}
	var inboxes []string
	for i := range 20 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusAccepted)
		}))
		b.Cleanup(srv.Close)
		host := fmt.Sprintf("inbox%d.test", i)
		names[host] = "127.0.0.1"
		inboxes = append(inboxes, "http://"+host+":"+srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]+"/inbox")
	}
	b.Run("rsa", func(b *testing.B) {
		r, err := http.NewRequest(http.MethodPost, inboxes[0], nil)
		if err != nil {
			b.Fatal(err)
		}
		defer processCPU(b)()
		for b.Loop() {
			if err := SignRequest(r, body, "https://newsroom.test/orgs/acme#main-key", key, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, run := range []int{1, defaultSignRun, 8} {
		b.Run(fmt.Sprintf("run-%d", run), func(b *testing.B) {
			c := loopbackClient(names)
			c.signRun = run
			var next atomic.Int64
			var wg sync.WaitGroup
			defer processCPU(b)()
			for w := range 32 {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						d := Delivery{Inbox: inboxes[(int(i)+w)%len(inboxes)], Body: body, KeyID: "https://newsroom.test/orgs/acme#main-key", Key: key}
						if _, err := c.Send(context.Background(), d); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// processCPU returns what reports the process's processor time per
// operation since the call.
func processCPU(b *testing.B) func() {
	start := processTime(b)
	b.ResetTimer()
	return func() {
		b.ReportMetric(float64((processTime(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func processTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package foreground

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/metrics"
)

// waitFor runs g.Wait in a goroutine and returns a channel that gets its
// result and how long it took.
func waitFor(g *Gate, ctx context.Context) <-chan result {
	out := make(chan result, 1)
	start := time.Now()
	go func() {
		err := g.Wait(ctx)
		out <- result{err, time.Since(start)}
	}()
	return out
}

type result struct {
	err  error
	took time.Duration
}

// returns fails t unless the wait w returns, without error, within 5 s.
func returns(t *testing.T, w <-chan result, what string) {
	t.Helper()
	select {
	case r := <-w:
		if r.err != nil {
			t.Fatal(r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Wait did not return %s", what)
	}
}

func TestWaitWithoutRequests(t *testing.T) {
	g := New(time.Minute, nil)
	if r := <-waitFor(g, context.Background()); r.err != nil || r.took > 100*time.Millisecond {
		t.Fatalf("no request under way: Wait = %v after %s", r.err, r.took)
	}
	leave := g.Enter()
	leave()
	if r := <-waitFor(g, context.Background()); r.err != nil || r.took > 100*time.Millisecond {
		t.Fatalf("the request left: Wait = %v after %s", r.err, r.took)
	}
	var none *Gate
	defer none.Enter()()
	if err := none.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWaitHoldsUntilTheRequestLeaves(t *testing.T) {
	m := metrics.New()
	g := New(time.Minute, m)
	leave := g.Enter()
	w1, w2 := waitFor(g, context.Background()), waitFor(g, context.Background())
	select {
	case r := <-w1:
		t.Fatalf("Wait returned while a request is under way: %v after %s", r.err, r.took)
	case <-time.After(200 * time.Millisecond):
	}
	leave()
	for _, w := range []<-chan result{w1, w2} {
		returns(t, w, "once the request left")
	}
	// What /metrics says: one request, two waits of 200 ms or more.
	if n, held, secs := m.Foreground.Get(), m.Held.Get(), m.HeldSeconds.Get(); n != 1 || held != 2 || secs < 0.4 || secs > 20 {
		t.Errorf("metrics: %d requests, %d held for %.3f s in all", n, held, secs)
	}
	// A wait that did not wait is not counted.
	g.Wait(context.Background())
	if held := m.Held.Get(); held != 2 {
		t.Errorf("a wait through an open gate counted as held: %d", held)
	}
}

func TestWaitIsBoundedByTheWindow(t *testing.T) {
	const window = 300 * time.Millisecond
	g := New(window, nil)
	defer g.Enter()() // a request that stays under way

	// A wait that starts with the request lasts the request's window.
	r := <-waitFor(g, context.Background())
	if r.err != nil || r.took < window*2/3 || r.took > 10*window {
		t.Fatalf("Wait = %v after %s, want about %s", r.err, r.took, window)
	}
	// Past its window, the request holds nothing back.
	if r := <-waitFor(g, context.Background()); r.err != nil || r.took > window/3 {
		t.Fatalf("after the window: Wait = %v after %s", r.err, r.took)
	}
}

func TestWaitEndsWithTheLastWindow(t *testing.T) {
	const window = 400 * time.Millisecond
	g := New(window, nil)
	defer g.Enter()()
	time.Sleep(window / 2)
	// A wait that starts half way through the window ends with it.
	r := <-waitFor(g, context.Background())
	if r.err != nil || r.took > window*3/4+100*time.Millisecond {
		t.Fatalf("Wait = %v after %s, want about %s", r.err, r.took, window/2)
	}
	// A request entering later moves the end; one wait is bounded by a
	// window all the same, however many requests follow.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			leave := g.Enter()
			select {
			case <-stop:
				leave()
				return
			case <-time.After(window / 4):
			}
			leave()
		}
	}()
	time.Sleep(window / 8) // the first has entered
	r = <-waitFor(g, context.Background())
	if r.err != nil || r.took < window/2 || r.took > 10*window {
		t.Fatalf("with requests following one another: Wait = %v after %s, want about %s", r.err, r.took, window)
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	g := New(time.Minute, nil)
	defer g.Enter()()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if r := <-waitFor(g, ctx); !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v after %s, want the context's error", r.err, r.took)
	}
}

func TestHandlerMarksItsRequests(t *testing.T) {
	g := New(time.Minute, nil)
	inside, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(g.Handler(func(w http.ResponseWriter, r *http.Request) {
		close(inside)
		<-release
	}))
	defer srv.Close()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-inside
	w := waitFor(g, context.Background())
	select {
	case r := <-w:
		t.Fatalf("Wait returned during the request: %v", r.err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	returns(t, w, "after the request")
}

// Requests that follow one another without end go ahead for half of
// each second at most: the rest of the second, background work runs.
func TestRequestsGoAheadForHalfOfEachSecondAtMost(t *testing.T) {
	g := New(time.Minute, nil) // only the share bounds the waits
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			leave := g.Enter()
			time.Sleep(30 * time.Millisecond)
			leave()
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	time.Sleep(10 * time.Millisecond) // the first has entered
	const run = 2 * time.Second
	var held time.Duration
	for start := time.Now(); time.Since(start) < run; {
		t0 := time.Now()
		if err := g.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		held += time.Since(t0)
		time.Sleep(time.Millisecond) // a signature
	}
	close(stop)
	<-stopped
	// Without the share, the waits would last the whole run: the window
	// is a minute and a request is always under way.
	t.Logf("held back %s of %s", held.Round(time.Millisecond), run)
	if held < run/5 || held > run*4/5 {
		t.Errorf("held back %s of %s, want about half", held.Round(time.Millisecond), run)
	}
}

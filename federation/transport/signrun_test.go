package transport

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Deliveries waiting for the signing slot are signed in a run by whoever
// gets it, each exactly once; one whose context ends while it waits is
// left out and told why.
func TestWaitingDeliveriesSignInOneRun(t *testing.T) {
	c := NewClient(Options{})
	c.signSlots = make(chan struct{}, 1)
	c.signSlots <- struct{}{} // a signature under way elsewhere

	var (
		mu      sync.Mutex
		signers = map[string]int{} // goroutine that signed → signatures
		signed  = map[int]int{}    // delivery → times signed
	)
	const n = defaultSignRun
	ctxs := make([]context.Context, n+1)
	cancels := make([]context.CancelFunc, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n + 1 {
		ctxs[i], cancels[i] = context.WithCancel(context.Background())
		defer cancels[i]()
		wg.Go(func() {
			errs[i] = c.signInTurn(ctxs[i], func() error {
				mu.Lock()
				defer mu.Unlock()
				signers[goroutine()]++
				signed[i]++
				return nil
			})
		})
		waitFor(t, func() bool { return c.signing.len() == i+1 })
	}
	cancels[2]()
	waitFor(t, func() bool { return c.signing.len() == n })
	<-c.signSlots
	wg.Wait()

	if !errors.Is(errs[2], context.Canceled) || signed[2] != 0 {
		t.Errorf("delivery whose context ended: error %v, signed %d times; want context.Canceled, never", errs[2], signed[2])
	}
	for i, err := range errs {
		if i != 2 && (err != nil || signed[i] != 1) {
			t.Errorf("delivery %d: error %v, signed %d times; want nil, once", i, err, signed[i])
		}
	}
	if len(signers) != 1 {
		t.Errorf("%d waiting deliveries signed by %d goroutines, want all by the one that got the slot: %v", n, len(signers), signers)
	}
}

// A delivery's failure to sign is its own: the others of its run sign.
func TestSignRunErrorsStayWithTheirDelivery(t *testing.T) {
	c := NewClient(Options{})
	c.signSlots = make(chan struct{}, 1)
	c.signSlots <- struct{}{}
	bad := errors.New("held back")
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = c.signInTurn(context.Background(), func() error {
				if i == 1 {
					return bad
				}
				return nil
			})
		})
		waitFor(t, func() bool { return c.signing.len() == i+1 })
	}
	<-c.signSlots
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], bad) || errs[2] != nil {
		t.Errorf("errors %v, want nil, %v, nil", errs, bad)
	}
}

func (q *signQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}

// goroutine names the calling goroutine, from its stack's first line.
func goroutine() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
	return string(id)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
	}
}

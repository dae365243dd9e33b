package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/foreground"
	"github.com/soga/newsroom/internal/newsroom"
)

// While an editor's request is under way, a delivery neither signs nor
// sends; once it is over, the delivery goes at once.
func TestDeliveryWaitsForTheForeground(t *testing.T) {
	arrived := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- time.Now()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	s := newFixture(t)
	sender := newSender(t, s)
	g := foreground.New(time.Minute, nil)
	sender.SetForeground(g)
	w := NewDeliverWorker(sender)

	leave := g.Enter()
	done := make(chan error, 1)
	go func() { done <- w.Work(context.Background(), deliverJob(srv.URL+"/inbox", 0)) }()
	select {
	case at := <-arrived:
		t.Fatalf("delivered at %s while the editor's request was under way", at.Format(time.StampMilli))
	case err := <-done:
		t.Fatalf("the delivery ended while the editor's request was under way: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	left := time.Now()
	leave()
	select {
	case at := <-arrived:
		if at.Before(left) {
			t.Fatalf("delivered before the request left")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not delivered once the request left")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := s.deliveries[srv.URL+"/inbox"]; d.Status != newsroom.DeliveryDelivered {
		t.Errorf("delivery = %+v", d)
	}
}

// A fan-out queues its next transaction only once an editor's request
// is over.
func TestFanoutWaitsForTheForeground(t *testing.T) {
	s, w, job := newFanout(t)
	g := foreground.New(time.Minute, nil)
	w.SetForeground(g)

	leave := g.Enter()
	var once sync.Once
	defer once.Do(leave)
	done := make(chan error, 1)
	go func() { done <- w.Work(context.Background(), job) }()
	time.Sleep(300 * time.Millisecond)
	s.mu.Lock()
	queued := len(s.batches)
	s.mu.Unlock()
	if queued != 0 {
		t.Fatalf("%d transactions while the editor's request was under way", queued)
	}
	once.Do(leave)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fan-out did not go on once the request left")
	}
	if len(s.batches) != 3 {
		t.Errorf("%d transactions, want 3", len(s.batches))
	}
}

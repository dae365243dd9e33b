package transport

import (
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// deliverAll sends n deliveries to inbox at once and returns their
// results and errors.
func deliverAll(t *testing.T, c *Client, inbox string, n int) ([]*DeliveryResult, []error) {
	t.Helper()
	key := testKey(t, 0)
	res, errs := make([]*DeliveryResult, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { res[i], errs[i] = c.Deliver(t.Context(), inbox, []byte(`{}`), testKeyID, key) })
	}
	wg.Wait()
	return res, errs
}

// TestDeliverPerHostLimit: at most MaxPerHost deliveries in flight to a
// server over HTTP/1.1, four times as many as streams of one connection
// to a server that answered over HTTP/2.
func TestDeliverPerHostLimit(t *testing.T) {
	t.Parallel()
	t.Run("HTTP/1.1", func(t *testing.T) { t.Parallel(); testPerHostLimit(t, false, 3) })
	t.Run("HTTP/2", func(t *testing.T) { t.Parallel(); testPerHostLimit(t, true, 12) })
}

func testPerHostLimit(t *testing.T, h2 bool, want int32) {
	var inFlight, most atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		w.WriteHeader(http.StatusAccepted)
	}))
	srv.EnableHTTP2 = h2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := NewClient(Options{AllowedNets: loopbackNets, LookupIP: fakeDNS(nil), MaxPerHost: 3,
		ExtraRootCAs: []*x509.Certificate{srv.Certificate()}})
	// A server is sent one delivery at a time until it has answered once.
	if res, errs := deliverAll(t, c, srv.URL+"/first", 1); res[0].Outcome != Delivered {
		t.Fatalf("first delivery: %+v %v", res[0], errs[0])
	}

	done := make(chan []*DeliveryResult)
	go func() {
		res, _ := deliverAll(t, c, srv.URL+"/inbox", 30)
		done <- res
	}()
	deadline := time.Now().Add(10 * time.Second)
	for inFlight.Load() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// Had the gate let one more through, it would be in the handler by now.
	time.Sleep(200 * time.Millisecond)
	if n := inFlight.Load(); n != want {
		t.Errorf("%d deliveries in flight to one server, want the limit of %d", n, want)
	}
	close(release)
	for i, r := range <-done {
		if r.Outcome != Delivered {
			t.Errorf("delivery %d: %+v", i, r)
		}
	}
	if m := most.Load(); m != want {
		t.Errorf("at most %d in flight, want %d", m, want)
	}
}

// silentServer accepts connections, reads nothing and answers nothing,
// and counts the connections made to it.
func silentServer(t *testing.T) (addr string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns = new(atomic.Int32)
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			mu.Lock()
			held = append(held, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String(), conns
}

func TestDeliverUnreachableServerIsProbedOnce(t *testing.T) {
	t.Parallel()
	addr, conns := silentServer(t)
	var clock atomic.Pointer[time.Time]
	start := time.Now()
	clock.Store(&start)
	c := NewClient(Options{AllowedNets: loopbackNets, LookupIP: fakeDNS(nil),
		ResponseHeaderTimeout: 300 * time.Millisecond, HostDownFor: time.Minute,
		Now: func() time.Time { return *clock.Load() }})
	inbox := "http://" + addr + "/inbox"

	res, errs := deliverAll(t, c, inbox, 10)
	down := 0
	for i := range res {
		if res[i].Outcome != Retry || errs[i] == nil {
			t.Errorf("delivery %d to a silent server: %+v, %v", i, res[i], errs[i])
		}
		if errors.Is(errs[i], ErrHostDown) {
			down++
		}
	}
	if n := conns.Load(); n != 1 || down != 9 {
		t.Errorf("%d connections and %d deliveries failed as down, want 1 probe and 9", n, down)
	}

	// Down: no connection until the time is up, then one probe, and a
	// second failure leaves the server alone twice as long.
	if _, err := deliverAll(t, c, inbox, 1); !errors.Is(err[0], ErrHostDown) || conns.Load() != 1 {
		t.Errorf("while down: %v, %d connections", err[0], conns.Load())
	}
	later := start.Add(61 * time.Second)
	clock.Store(&later)
	if _, err := deliverAll(t, c, inbox, 1); errors.Is(err[0], ErrHostDown) || conns.Load() != 2 {
		t.Errorf("probe after the time was up: %v, %d connections", err[0], conns.Load())
	}
	later = later.Add(61 * time.Second)
	clock.Store(&later)
	if _, err := deliverAll(t, c, inbox, 1); !errors.Is(err[0], ErrHostDown) || conns.Load() != 2 {
		t.Errorf("a minute after a second failure: %v, %d connections", err[0], conns.Load())
	}
}

func TestDeliverRefusedServerIsMarkedDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL
	srv.Close()
	c := loopbackClient(nil)
	_, errs := deliverAll(t, c, closed+"/inbox", 1)
	if errs[0] == nil || errors.Is(errs[0], ErrHostDown) {
		t.Fatalf("first delivery to a closed port: %v", errs[0])
	}
	res, errs := deliverAll(t, c, closed+"/other-inbox", 1)
	if res[0].Outcome != Retry || !errors.Is(errs[0], ErrHostDown) {
		t.Errorf("second delivery: %+v, %v", res[0], errs[0])
	}
}

func TestDeliverTLSHandshakeTimeout(t *testing.T) {
	t.Parallel()
	// A listener nobody accepts on: the kernel completes the TCP
	// handshake, and the TLS handshake never starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c := NewClient(Options{AllowedNets: loopbackNets, LookupIP: fakeDNS(nil), TLSHandshakeTimeout: 200 * time.Millisecond})
	start := time.Now()
	res, errs := deliverAll(t, c, "https://"+ln.Addr().String()+"/inbox", 3)
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	down := 0
	for i := range res {
		if res[i].Outcome != Retry {
			t.Errorf("delivery %d: %+v %v", i, res[i], errs[i])
		}
		if errors.Is(errs[i], ErrHostDown) {
			down++
		}
	}
	if down != 2 {
		t.Errorf("%d of 3 failed as down, want all but the probe", down)
	}
}

// tlsServer starts a TLS server on loopback counting its connections and
// the resumed TLS sessions, and a client trusting its certificate.
func tlsServer(t *testing.T, h2 bool, proto *atomic.Int32) (*httptest.Server, *Client, *atomic.Int32, *atomic.Int32) {
	t.Helper()
	var conns, resumed atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int32(r.ProtoMajor))
		if r.TLS.DidResume {
			resumed.Add(1)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	srv.EnableHTTP2 = h2
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := NewClient(Options{AllowedNets: loopbackNets, LookupIP: fakeDNS(nil), ExtraRootCAs: []*x509.Certificate{srv.Certificate()}})
	return srv, c, &conns, &resumed
}

func TestDeliverHTTP2OneConnection(t *testing.T) {
	t.Parallel()
	var proto atomic.Int32
	srv, c, conns, _ := tlsServer(t, true, &proto)
	for round := range 2 {
		res, errs := deliverAll(t, c, srv.URL+"/inbox", 20)
		for i := range res {
			if res[i].Outcome != Delivered {
				t.Fatalf("round %d, delivery %d: %+v %v", round, i, res[i], errs[i])
			}
		}
	}
	if p := proto.Load(); p != 2 {
		t.Errorf("HTTP/%d, want HTTP/2", p)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("40 deliveries took %d connections, want 1", n)
	}
}

func TestDeliverResumesTLSSessions(t *testing.T) {
	t.Parallel()
	var proto atomic.Int32
	srv, c, conns, resumed := tlsServer(t, false, &proto)
	srv.Config.SetKeepAlivesEnabled(false) // every delivery a new connection
	for i := range 3 {
		if res, errs := deliverAll(t, c, srv.URL+"/inbox", 1); res[0].Outcome != Delivered {
			t.Fatalf("delivery %d: %+v %v", i, res[0], errs[0])
		}
	}
	if p := proto.Load(); p != 1 {
		t.Errorf("HTTP/%d, want HTTP/1.1", p)
	}
	if n, r := conns.Load(), resumed.Load(); n != 3 || r != 2 {
		t.Errorf("%d connections, %d resumed; want 3 connections, the last 2 resumed", n, r)
	}
}

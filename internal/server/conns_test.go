package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timedServer serves h on loopback with ConnTimeouts of 10 s, 60 s and
// 120 s, whose clock the test moves with Sweep from t0.
func timedServer(t *testing.T, h http.HandlerFunc) (*ConnTimeouts, string, time.Time) {
	t.Helper()
	ct := NewConnTimeouts(10*time.Second, 60*time.Second, 120*time.Second)
	t0 := time.Now()
	ct.Sweep(t0)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = ct.ConnState
	srv.Start()
	t.Cleanup(srv.Close)
	return ct, srv.Listener.Addr().String(), t0
}

// waitState waits until the server has seen c's peer in state s.
func waitState(t *testing.T, ct *ConnTimeouts, s http.ConnState) {
	t.Helper()
	for range 500 {
		ct.mu.Lock()
		n := 0
		for _, cc := range ct.conns {
			if http.ConnState(cc.v.Load()&7) == s {
				n++
			}
		}
		ct.mu.Unlock()
		if n == 1 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no connection in state %v", s)
}

// closedByServer reports whether the server closed c: a read then ends
// at once, where an open connection keeps the client waiting.
func closedByServer(t *testing.T, c net.Conn, r *bufio.Reader) bool {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := r.ReadByte()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	if err == nil {
		t.Fatal("unexpected byte from the server")
	}
	return true
}

// closedBetween checks that a sweep at open leaves c open and one at
// closed closes it.
func closedBetween(t *testing.T, ct *ConnTimeouts, c net.Conn, r *bufio.Reader, open, closed time.Time) {
	t.Helper()
	ct.Sweep(open)
	if closedByServer(t, c, r) {
		t.Fatal("closed before its timeout")
	}
	ct.Sweep(closed)
	if !closedByServer(t, c, r) {
		t.Fatal("still open after its timeout")
	}
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func TestConnTimeoutsCloseASlowHeader(t *testing.T) {
	ct, addr, t0 := timedServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, r := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.org\r\n") // and never the blank line
	waitState(t, ct, http.StateNew)
	closedBetween(t, ct, c, r, t0.Add(9*time.Second), t0.Add(11*time.Second))
	if ct.Len() != 0 {
		t.Fatalf("%d connections still watched", ct.Len())
	}
}

func TestConnTimeoutsCloseIdleConnections(t *testing.T) {
	ct, addr, t0 := timedServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c, r := dial(t, addr)
	get := func() {
		t.Helper()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if string(body) != "ok" {
			t.Fatalf("body %q", body)
		}
	}
	get()
	waitState(t, ct, http.StateIdle)
	ct.Sweep(t0.Add(100 * time.Second))
	// A request renews the connection: idle is counted from its response.
	get()
	waitState(t, ct, http.StateIdle)
	closedBetween(t, ct, c, r, t0.Add(200*time.Second), t0.Add(221*time.Second))
}

func TestConnTimeoutsUnblockAWriteToAClientThatDoesNotRead(t *testing.T) {
	written := make(chan error, 1)
	ct, addr, t0 := timedServer(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		for range 256 { // more than any socket buffer holds
			if _, err := w.Write(chunk); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	})
	c, _ := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n") // and never read the answer
	waitState(t, ct, http.StateActive)
	time.Sleep(200 * time.Millisecond)
	ct.Sweep(t0.Add(59 * time.Second))
	select {
	case err := <-written:
		t.Fatalf("the write ended before the timeout: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	ct.Sweep(t0.Add(61 * time.Second))
	select {
	case err := <-written:
		if err == nil {
			t.Fatal("256 MB written to a client that reads nothing")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write is still blocked after the active timeout")
	}
}

// A client that keeps asking is never cut, however long it stays.
func TestConnTimeoutsKeepBusyConnections(t *testing.T) {
	ct, addr, t0 := timedServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c, r := dial(t, addr)
	for i := range 20 {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		if !strings.HasPrefix(string(body), "ok") {
			t.Fatalf("body %q", body)
		}
		waitState(t, ct, http.StateIdle)
		ct.Sweep(t0.Add(time.Duration(i+1) * 30 * time.Second)) // 600 s in all
	}
	if ct.Len() != 1 {
		t.Fatalf("%d connections watched, want 1", ct.Len())
	}
}

// BenchmarkSweep is how long a sweep holds the processor with n
// connections open, none expired: what a request arriving during it waits.
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{64, 1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			ct := NewConnTimeouts(10*time.Second, 60*time.Second, 120*time.Second)
			now := time.Now()
			ct.Sweep(now)
			for range n {
				c1, c2 := net.Pipe()
				b.Cleanup(func() { c1.Close(); c2.Close() })
				ct.ConnState(c1, http.StateNew)
				ct.ConnState(c1, http.StateIdle)
			}
			for b.Loop() {
				ct.Sweep(now)
			}
			if ct.Len() != n {
				b.Fatalf("%d connections left of %d", ct.Len(), n)
			}
		})
	}
}

package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// testServer is a real newsroom (the Main the binary runs) on a loopback
// port, with private networks allowed so it can reach test peers.
type testServer struct {
	*Main
	URL    string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort asks the kernel for a free loopback port. The base URL must
// name the port before the server starts, so the listener cannot be
// handed over; the small race is harmless on a test machine.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// testConfig builds a Config from command-line style arguments.
func testConfig(t testing.TB, args ...string) config.Config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cf := config.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg, err := cf.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startServer runs newsroom on backend "sqlite" or "postgres".
func startServer(t testing.TB, backend string, extra ...string) *testServer {
	t.Helper()
	return startServerWith(t, backend, nil, extra...)
}

// startServerWith is startServer with settings no flag reaches, set by
// edit.
func startServerWith(t testing.TB, backend string, edit func(*config.Config), extra ...string) *testServer {
	t.Helper()
	port := freePort(t)
	args := []string{
		"--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--base-url", fmt.Sprintf("http://127.0.0.1:%d", port),
		"--data-dir", t.TempDir(),
		"--allow-private-networks", "127.0.0.0/8,::1/128",
		"--log-level", "info",
		"--log-format", "text",
	}
	if backend == "postgres" {
		args = append(args, "--database-url", testdb.PostgresURL(t))
	}
	args = append(args, extra...)
	cfg := testConfig(t, args...)
	if edit != nil {
		edit(&cfg)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Open(ctx, cfg, logs)
	if err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	ts := &testServer{Main: m, URL: cfg.BaseURL.String(), logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- m.Run(ctx) }()
	t.Cleanup(func() {
		ts.stop(t)
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	waitHealthy(t, ts.URL)
	return ts
}

func (ts *testServer) stop(t testing.TB) {
	if ts.cancel == nil {
		return
	}
	ts.cancel()
	ts.cancel = nil
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("server did not stop within 20s")
	}
	ts.Close()
}

func waitHealthy(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s/healthz never answered", base)
}

// createOrg makes an organisation the way `newsroom org create` does.
func (ts *testServer) createOrg(t testing.TB, handle, name string) *newsroom.Organisation {
	t.Helper()
	o := &newsroom.Organisation{Handle: handle, Name: name}
	svc := newOrgs(ts.Store, ts.URLs, nil)
	if err := svc.Create(context.Background(), o); err != nil {
		t.Fatalf("create org: %v", err)
	}
	return o
}

// get fetches path with an Accept header and returns status and body.
func (ts *testServer) get(t testing.TB, path, accept string) (int, http.Header, string) {
	t.Helper()
	return fetch(t, ts.URL+path, accept)
}

// fetch GETs url with an Accept header and returns status and body.
func fetch(t testing.TB, url, accept string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// eventually retries check until it returns "" or time runs out.
func eventually(t testing.TB, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if last = check(); last == "" {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: %s", what, last)
}

// backends runs fn against SQLite and PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			if b == "postgres" {
				testdb.PostgresServer(t)
			}
			fn(t, b)
		})
	}
}

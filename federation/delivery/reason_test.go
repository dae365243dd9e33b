package delivery

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
)

// Each reason comes from a real failure on loopback, as the sender meets
// it: a closed port, a server that never answers, one that hangs up, one
// answering an error status.
func TestReason(t *testing.T) {
	pem, _, err := transport.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := transport.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	client := transport.NewClient(transport.Options{
		AllowedNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Timeout:     time.Second,
	})
	attempt := func(inbox string) string {
		start := time.Now()
		res, err := client.Deliver(context.Background(), inbox, []byte(`{}`), "https://news.example.org/actor#main-key", key)
		return Reason(res, err, time.Since(start))
	}

	// The closed port is on an address of its own: the refusal marks its
	// host down, and the kernel may give the same port to a server below.
	closed, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	if got := attempt("http://" + addr + "/inbox"); got != "refused" {
		t.Errorf("closed port: %q", got)
	}

	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	if got := attempt("http://" + silent.Addr().String() + "/inbox"); got != "timeout:1" {
		t.Errorf("silent server: %q", got)
	}
	// Marked down by that timeout, the server is not tried again at once.
	if got := attempt("http://" + silent.Addr().String() + "/inbox"); got != "down" {
		t.Errorf("silent server, second delivery: %q", got)
	}

	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
	}))
	defer hangup.Close()
	if got := attempt(hangup.URL + "/inbox"); got != "reset" {
		t.Errorf("hang-up: %q", got)
	}

	for code, want := range map[int]string{503: "status:503", 410: "gone:410", 403: "status:403"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
		if got := attempt(srv.URL + "/inbox"); got != want {
			t.Errorf("answer %d: %q, want %q", code, got, want)
		}
		srv.Close()
	}

	if got := attempt("http://10.1.2.3/inbox"); got != "forbidden" {
		t.Errorf("private address: %q", got)
	}
	if got := attempt("http://no-such-host.invalid/inbox"); got != "dns" {
		t.Errorf("unknown host: %q", got)
	}
}

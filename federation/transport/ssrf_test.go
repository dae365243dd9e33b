package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	refused := []string{
		"127.0.0.1", "127.255.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.254",
		"192.0.0.8", "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::127.0.0.1", "::a00:1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0",
		"fec0::1", "ff02::1", "2001:db8::1", "2001::1", "2002:7f00:1::1", "100::1", "3fff::1",
	}
	for _, s := range refused {
		err := checkAddr(netip.MustParseAddr(s), nil)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: got %v, want refusal", s, err)
		}
	}
	public := []string{"93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "2a01:4f8::1", "::ffff:93.184.216.34", "100.128.0.1", "172.32.0.1"}
	for _, s := range public {
		if err := checkAddr(netip.MustParseAddr(s), nil); err != nil {
			t.Errorf("%s: refused: %v", s, err)
		}
	}
	// An allow-list opens exactly its ranges, also through IPv4 mapping.
	allowed := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, s := range []string{"127.0.0.1", "::ffff:127.0.0.1"} {
		if err := checkAddr(netip.MustParseAddr(s), allowed); err != nil {
			t.Errorf("%s with 127/8 allowed: %v", s, err)
		}
	}
	for _, s := range []string{"::127.0.0.1", "10.0.0.1", "::1"} {
		if err := checkAddr(netip.MustParseAddr(s), allowed); err == nil {
			t.Errorf("%s with 127/8 allowed: not refused", s)
		}
	}
}

func TestControlHook(t *testing.T) {
	t.Parallel()
	ctl := control(nil)
	for _, c := range []struct{ network, addr string }{
		{"tcp", "127.0.0.1:6379"}, {"tcp6", "[::1]:80"}, {"tcp6", "[::ffff:127.0.0.1]:80"},
		{"tcp4", "169.254.169.254:80"}, {"udp", "93.184.216.34:53"}, {"tcp", "nonsense"},
	} {
		if err := ctl(c.network, c.addr, nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s %s: got %v, want refusal", c.network, c.addr, err)
		}
	}
	if err := ctl("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("public address refused: %v", err)
	}
}

func TestLooksNumeric(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.1", "1.2.3.4", "example.0x1", "4."} {
		if !looksNumeric(h) {
			t.Errorf("%q not seen as numeric", h)
		}
	}
	for _, h := range []string{"example.com", "0x7f000001.example", "1.2.3.com", "xn--bcher-kva.example", "a0x1"} {
		if looksNumeric(h) {
			t.Errorf("%q seen as numeric", h)
		}
	}
}

func get(ctx context.Context, c *Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// okServer answers "ok" to everything and counts requests.
func okServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientRefusesForbiddenAddresses(t *testing.T) {
	t.Parallel()
	srv := okServer(t) // a real listener on loopback, so a refusal is not a connection error
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	names := map[string]string{"private.test": "10.0.0.1", "loop.test": "127.0.0.1", "mapped.test": "::ffff:127.0.0.1", "0x7f000001": "127.0.0.1"}
	c := NewClient(Options{LookupIP: fakeDNS(names), Timeout: 5 * time.Second})
	inputs := []string{
		srv.URL + "/",
		"http://127.0.0.1:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://[::127.0.0.1]/",
		"http://[::1]/",
		"http://169.254.169.254/latest/meta-data/",
		"http://0x7f000001/",
		"http://0x7f000001:" + port + "/",
		"http://2130706433/",
		"http://0177.0.0.1/",
		"http://127.1/",
		"http://192.0.0.8/",
		"http://private.test/",
		"http://loop.test:" + port + "/",
		"http://mapped.test:" + port + "/",
		"ftp://example.com/",
		"file:///etc/passwd",
		"gopher://127.0.0.1:6379/_INFO",
	}
	for _, in := range inputs {
		resp, err := get(t.Context(), c, in)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: fetched, want refusal", in)
			continue
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: got %v, want ErrForbiddenAddress", in, err)
		}
		t.Logf("%s: %v", in, err)
	}
}

// TestClientRefusesLocalhostName resolves "localhost" through the system
// resolver (/etc/hosts): a name whose address is loopback, as a DNS
// rebinding attack would give, is refused at connect time.
func TestClientRefusesLocalhostName(t *testing.T) {
	t.Parallel()
	srv := okServer(t)
	u, _ := url.Parse(srv.URL)
	c := NewClient(Options{Timeout: 5 * time.Second})
	_, err := get(t.Context(), c, "http://localhost:"+u.Port()+"/")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("got %v, want ErrForbiddenAddress", err)
	}
}

func TestClientAllowedLoopback(t *testing.T) {
	t.Parallel()
	srv := okServer(t)
	u, _ := url.Parse(srv.URL)
	c := loopbackClient(map[string]string{"loop.test": "127.0.0.1"})
	for _, in := range []string{srv.URL + "/", "http://loop.test:" + u.Port() + "/", "http://[::ffff:127.0.0.1]:" + u.Port() + "/"} {
		resp, err := get(t.Context(), c, in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		b, err := c.ReadBody(resp)
		if err != nil || string(b) != "ok" {
			t.Errorf("%s: body %q, %v", in, b, err)
		}
	}
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	t.Parallel()
	c := NewClient(Options{})
	if tr := c.http.Transport.(*http.Transport); tr.Proxy != nil {
		t.Fatal("transport uses a proxy")
	}
}

// redirectServer redirects /r/N to /r/N-1 and answers /r/0.
func redirectServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			io.WriteString(w, "end")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientRedirectLimit(t *testing.T) {
	t.Parallel()
	srv := redirectServer(t)
	c := loopbackClient(nil)
	resp, err := get(t.Context(), c, srv.URL+"/r/3")
	if err != nil {
		t.Fatalf("3 redirects: %v", err)
	}
	if got := resp.Request.URL.Path; got != "/r/0" {
		t.Errorf("final URL path %q, want /r/0", got)
	}
	resp.Body.Close()
	_, err = get(t.Context(), c, srv.URL+"/r/4")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("4 redirects: got %v, want ErrTooManyRedirects", err)
	}
}

func TestClientRedirectToForbiddenAddress(t *testing.T) {
	t.Parallel()
	targets := []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:1/",
		"http://10.0.0.1/",
		"http://0x7f000001/",
		"file:///etc/passwd",
		"gopher://127.0.0.1:6379/_",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(r.URL.Path, "/%d", &i)
		w.Header().Set("Location", targets[i])
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	// Only the server's own address is allowed, not the rest of loopback.
	c := NewClient(Options{AllowedNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, LookupIP: fakeDNS(nil)})
	for i, target := range targets {
		_, err := get(t.Context(), c, fmt.Sprintf("%s/%d", srv.URL, i))
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("redirect to %s: got %v, want ErrForbiddenAddress", target, err)
		}
	}
}

func TestNoRedirectForPost(t *testing.T) {
	t.Parallel()
	srv := redirectServer(t)
	c := loopbackClient(nil)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/r/1", strings.NewReader("x"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want the 302 itself", resp.StatusCode)
	}
}

func TestReadLimited(t *testing.T) {
	t.Parallel()
	b, err := ReadLimited(strings.NewReader("12345"), 5)
	if err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	if _, err := ReadLimited(strings.NewReader("123456"), 5); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}

// TestClientRefusesAnnouncedLargeBody refuses on Content-Length alone.
func TestClientRefusesAnnouncedLargeBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "52428800")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 1024))
	}))
	t.Cleanup(srv.Close)
	c := NewClient(Options{AllowedNets: loopbackNets, MaxBodyBytes: 1 << 20})
	resp, err := get(t.Context(), c, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadBody(resp); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

// TestClientRefusesHugeChunkedBody streams 50 MB without a length: reading
// stops at the cap, quickly, without memory growing with the body. Not
// parallel, so the allocation count is this test's own.
func TestClientRefusesHugeChunkedBody(t *testing.T) {
	const total = 50 << 20
	sent := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 32<<10)
		var n int64
		defer func() { sent <- n }()
		for n < total {
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	c := NewClient(Options{AllowedNets: loopbackNets, MaxBodyBytes: 1 << 20})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	resp, err := get(t.Context(), c, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != -1 {
		t.Fatalf("content length %d, want chunked", resp.ContentLength)
	}
	_, err = c.ReadBody(resp)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
		t.Errorf("allocated %d MB reading a body capped at 1 MB", grown>>20)
	}
	srv.CloseClientConnections()
	if n := <-sent; n >= total {
		t.Errorf("server could send all %d bytes", n)
	}
}

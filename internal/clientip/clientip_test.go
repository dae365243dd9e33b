package clientip

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestAddr(t *testing.T) {
	proxy := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")})
	cases := []struct {
		name, remote string
		header       http.Header
		r            Resolver
		want         string
	}{
		{"no proxy trusted: the header is ignored", "192.0.2.1:1", http.Header{"X-Forwarded-For": {"198.51.100.7"}}, New(nil), "192.0.2.1"},
		{"untrusted peer lies", "192.0.2.1:1", http.Header{"X-Forwarded-For": {"198.51.100.7"}}, proxy, "192.0.2.1"},
		{"trusted proxy", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"198.51.100.7"}}, proxy, "198.51.100.7"},
		{"client-written hops to the left are not believed", "127.0.0.1:1",
			http.Header{"X-Forwarded-For": {"203.0.113.9, 198.51.100.7"}}, proxy, "198.51.100.7"},
		{"two proxies of ours", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"198.51.100.7, 10.1.2.3"}}, proxy, "198.51.100.7"},
		{"several header lines", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"203.0.113.9", "198.51.100.7"}}, proxy, "198.51.100.7"},
		{"Forwarded", "127.0.0.1:1", http.Header{"Forwarded": {`for=198.51.100.7;proto=https`}}, proxy, "198.51.100.7"},
		{"Forwarded v6", "127.0.0.1:1", http.Header{"Forwarded": {`for="[2001:db8::1]:4711"`}}, proxy, "2001:db8::1"},
		{"garbage hop", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"not-an-address"}}, proxy, "127.0.0.1"},
		{"only proxies", "127.0.0.1:1", http.Header{"X-Forwarded-For": {"10.0.0.5"}}, proxy, "10.0.0.5"},
		{"mapped v4 peer", "[::ffff:127.0.0.1]:1", http.Header{"X-Forwarded-For": {"198.51.100.7"}}, proxy, "198.51.100.7"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		r.Header = c.header
		if got := c.r.Addr(r).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestKeyGroupsIPv6By64(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	if Key(a) != Key(b) || Key(a) != "2001:db8:1:2::/64" {
		t.Errorf("%s, %s", Key(a), Key(b))
	}
	if Key(netip.MustParseAddr("192.0.2.1")) != "192.0.2.1" {
		t.Error("IPv4 changed")
	}
}

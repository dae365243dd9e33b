package transport

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"sync"
	"testing"
)

// Key generation is slow; tests share two keys.
var testKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var ks [2]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return ks, err
		}
		ks[i] = k
	}
	return ks, nil
})

func testKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	ks, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return ks[i]
}

var loopbackNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// fakeDNS resolves only the names it is given, so that no test query leaves
// the machine.
func fakeDNS(names map[string]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		a, ok := names[host]
		if !ok {
			return nil, fmt.Errorf("fake dns: no such host %q", host)
		}
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
}

// loopbackClient may reach loopback test servers; names resolve through
// names only.
func loopbackClient(names map[string]string) *Client {
	return NewClient(Options{AllowedNets: loopbackNets, LookupIP: fakeDNS(names)})
}

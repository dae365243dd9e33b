// Package clientip tells who sent a request when reverse proxies stand in
// between. Only proxies the operator names are believed: anyone can send
// an X-Forwarded-For header, so reading it from an untrusted peer would let
// an attacker choose the address a login throttle counts against.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address.
type Resolver struct {
	trusted []netip.Prefix
}

// New trusts the proxies in the given ranges to say whom they forward for.
func New(trusted []netip.Prefix) Resolver { return Resolver{trusted: trusted} }

// Addr is the client's address: the peer's, or, when the peer is a trusted
// proxy, the nearest address in the forwarding chain that is not one of
// ours. The chain is read from the right, where our own proxies append:
// what stands to the left of the first untrusted hop was written by the
// client and proves nothing.
func (r Resolver) Addr(req *http.Request) netip.Addr {
	peer := peerAddr(req)
	if !r.isTrusted(peer) {
		return peer
	}
	hops := forwardedFor(req.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !r.isTrusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (r Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(req *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// forwardedFor lists the addresses of X-Forwarded-For, or failing that of
// the for= parameters of Forwarded (RFC 7239), client first.
func forwardedFor(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, v := range xff {
			for _, part := range strings.Split(v, ",") {
				hops = append(hops, strings.TrimSpace(part))
			}
		}
		return hops
	}
	for _, v := range h.Values("Forwarded") {
		for _, elem := range strings.Split(v, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(k, "for") {
					continue
				}
				val = strings.Trim(val, `"`)
				if strings.HasPrefix(val, "[") {
					val = strings.TrimPrefix(val[:max(strings.Index(val, "]"), 0)], "[")
				} else if host, _, err := net.SplitHostPort(val); err == nil {
					val = host
				}
				hops = append(hops, val)
			}
		}
	}
	return hops
}

// Key is what a throttle counts an address under: the address, or its
// /64 for IPv6, since one subscriber is usually given a whole /64.
func Key(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

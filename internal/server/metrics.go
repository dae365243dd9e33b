package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
)

// metricsGate serves /metrics on the public address only to the machine
// itself or to a holder of the token: the figures (routes, error rates,
// queue depths) tell an attacker when the server is struggling. A request
// relayed by a reverse proxy on the same machine arrives from loopback
// too; proxies say so with a forwarding header, and such a request needs
// the token.
func metricsGate(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if directLoopback(r) || validBearer(r, token) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		http.Error(w, "metrics are served to loopback or with a bearer token", http.StatusUnauthorized)
	})
}

func directLoopback(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func validBearer(r *http.Request, token string) bool {
	const prefix = "Bearer "
	got := r.Header.Get("Authorization")
	if token == "" || len(got) <= len(prefix) || got[:len(prefix)] != prefix {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got[len(prefix):]), []byte(token)) == 1
}

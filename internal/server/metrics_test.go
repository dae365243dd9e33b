package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMetricsGate(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("figures")) })
	cases := []struct {
		name, remote, token string
		header              map[string]string
		want                int
	}{
		{"loopback", "127.0.0.1:5000", "", nil, 200},
		{"loopback v6", "[::1]:5000", "", nil, 200},
		{"elsewhere", "192.0.2.7:5000", "", nil, 401},
		{"relayed by a local proxy", "127.0.0.1:5000", "", map[string]string{"X-Forwarded-For": "192.0.2.7"}, 401},
		{"relayed, Forwarded", "127.0.0.1:5000", "", map[string]string{"Forwarded": "for=192.0.2.7"}, 401},
		{"relayed, X-Real-IP", "127.0.0.1:5000", "", map[string]string{"X-Real-IP": "192.0.2.7"}, 401},
		{"token", "192.0.2.7:5000", "s3cret", map[string]string{"Authorization": "Bearer s3cret"}, 200},
		{"wrong token", "192.0.2.7:5000", "s3cret", map[string]string{"Authorization": "Bearer s3cre"}, 401},
		{"no token configured", "192.0.2.7:5000", "", map[string]string{"Authorization": "Bearer "}, 401},
		{"basic", "192.0.2.7:5000", "s3cret", map[string]string{"Authorization": "Basic s3cret"}, 401},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.RemoteAddr = c.remote
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		metricsGate(c.token, ok).ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
		}
		if w.Code != 200 && w.Body.String() == "figures" {
			t.Errorf("%s: figures served with %d", c.name, w.Code)
		}
	}
}

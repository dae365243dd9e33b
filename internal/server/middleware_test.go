package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/metrics"
)

func TestRequestIDs(t *testing.T) {
	h := withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, requestID(w))
	}))
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for range 1000 {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("X-Request-Id", "forged")
		h.ServeHTTP(w, r)
		id := w.Header().Get("X-Request-Id")
		if !hex16.MatchString(id) || w.Body.String() != id {
			t.Fatalf("id %q, logged as %q", id, w.Body.String())
		}
		if seen[id] {
			t.Fatalf("id %q given twice", id)
		}
		seen[id] = true
	}
}

// The security headers' values are shared by every response: a handler
// changing its own must not change the next response's.
func TestSecurityHeadersAreNotShared(t *testing.T) {
	h := withSecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Referrer-Policy"] = append(w.Header()["Referrer-Policy"], "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
	}))
	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if got := w.Header().Values("Referrer-Policy"); len(got) != 2 || got[0] != "same-origin" {
			t.Fatalf("Referrer-Policy %q", got)
		}
	}
	if securityHeaders[2].value[0] != "same-origin" || len(securityHeaders[2].value) != 1 ||
		securityHeaders[0].value[0] != contentSecurityPolicy {
		t.Errorf("shared values changed: %v", securityHeaders)
	}
}

func TestBodyLimit(t *testing.T) {
	var read int
	h := withBodyLimit(func(*http.Request) (int64, http.Handler) { return 10, nil }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		read = len(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		}
	}))
	for _, c := range []struct {
		name   string
		r      *http.Request
		status int
		read   int
	}{
		{"GET", httptest.NewRequest(http.MethodGet, "/", nil), 200, 0},
		{"small POST", httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789")), 200, 10},
		{"declared too large", httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789a")), 413, 0},
	} {
		read = 0
		w := httptest.NewRecorder()
		h.ServeHTTP(w, c.r)
		if w.Code != c.status || read != c.read {
			t.Errorf("%s: %d after reading %d bytes, want %d after %d", c.name, w.Code, read, c.status, c.read)
		}
	}
	// A body of unknown length is cut while read.
	r := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(strings.NewReader("0123456789"), strings.NewReader("abc")))
	r.ContentLength = -1
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || read > 10 {
		t.Errorf("unknown length: %d after reading %d bytes", w.Code, read)
	}
}

// A route with a handler for bodies over its limit answers them itself,
// with nothing of the body to read.
func TestBodyLimitAnsweredByTheRoute(t *testing.T) {
	reached := false
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n, err := r.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("the route's page could read the body: %d %v", n, err)
		}
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		io.WriteString(w, "<p>Trop lourd</p>")
	})
	h := withBodyLimit(func(*http.Request) (int64, http.Handler) { return 10, page }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
	}))
	body := &countingReader{r: strings.NewReader(strings.Repeat("x", 1<<20))}
	r := httptest.NewRequest(http.MethodPost, "/", body)
	r.ContentLength = 1 << 20 // declared, as browsers do
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || w.Body.String() != "<p>Trop lourd</p>" || reached || body.n != 0 {
		t.Errorf("%d %q, handler reached %v, %d bytes read", w.Code, w.Body, reached, body.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// Successes are counted on the series looked up in advance, the rest on
// theirs, each under the route, method and status it had.
func TestInstrumentCounts(t *testing.T) {
	m := metrics.New()
	status := http.StatusOK
	h := instrument(slog.New(slog.DiscardHandler), m, "/orgs/:handle", http.MethodGet,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	any := instrument(slog.New(slog.DiscardHandler), m, "not_found", "",
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orgs/a", nil))
	}
	status = http.StatusNotFound
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orgs/b", nil))
	any.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/nothing", nil))
	for _, c := range []struct {
		route, method, status string
		want                  uint64
	}{
		{"/orgs/:handle", "GET", "200", 3},
		{"/orgs/:handle", "GET", "404", 1},
		{"not_found", "POST", "200", 1},
	} {
		if got := m.HTTPRequests.WithLabelValues(c.route, c.method, c.status).Get(); got != c.want {
			t.Errorf("%s %s %s: %v, want %v", c.method, c.route, c.status, got, c.want)
		}
	}
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if n := strings.Count(w.Body.String(), "\nnewsroom_http_request_duration_seconds_count{"); n != 2 {
		t.Errorf("%d duration series, want 2", n)
	}
}

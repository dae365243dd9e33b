package transport

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// docServer serves documents by path: each route gives a content type and
// a body in which {base} is the server's own URL.
type docServer struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]route
	verified []error // signature check of each request
}

type route struct {
	status   int
	ctype    string
	body     string
	location string
}

func newDocServer(t *testing.T, routes map[string]route) *docServer {
	d := &docServer{routes: routes}
	key := testKey(t, 0)
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := VerifyRequest(r, nil, time.Now(), staticLookup(&key.PublicKey))
		d.mu.Lock()
		d.verified = append(d.verified, err)
		rt, ok := d.routes[r.URL.Path]
		d.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if rt.location != "" {
			w.Header().Set("Location", rt.location)
			w.WriteHeader(http.StatusFound)
			return
		}
		if rt.ctype != "" {
			w.Header().Set("Content-Type", rt.ctype)
		}
		if rt.status != 0 {
			w.WriteHeader(rt.status)
		}
		u, _ := url.Parse(d.URL)
		io.WriteString(w, strings.NewReplacer("{base}", d.URL, "{port}", u.Port()).Replace(rt.body))
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) set(path string, rt route) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.routes == nil {
		d.routes = map[string]route{}
	}
	d.routes[path] = rt
}

func testFetcher(t *testing.T, names map[string]string) *Fetcher {
	return &Fetcher{Client: loopbackClient(names), KeyID: testKeyID, Key: testKey(t, 0), MaxBody: 64 << 10}
}

const asType = "application/activity+json"

func TestFetch(t *testing.T) {
	t.Parallel()
	d := newDocServer(t, map[string]route{
		"/actor":     {ctype: asType, body: `{"id":"{base}/actor","type":"Person"}`},
		"/ld":        {ctype: `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, body: `{"id":"{base}/ld"}`},
		"/charset":   {ctype: "application/activity+json; charset=utf-8", body: `{"id":"{base}/charset"}`},
		"/fragment":  {ctype: asType, body: `{"id":"{base}/fragment#main-key"}`},
		"/caps":      {ctype: asType, body: `{"id":"HTTP://127.0.0.1:{port}/caps"}`},
		"/redirect":  {location: "/actor"},
		"/alias":     {ctype: asType, body: `{"id":"{base}/actor"}`}, // refetched from its id
		"/html":      {ctype: "text/html", body: `{"id":"{base}/html"}`},
		"/json":      {ctype: "application/json", body: `{"id":"{base}/json"}`},
		"/ldbare":    {ctype: "application/ld+json", body: `{"id":"{base}/ldbare"}`},
		"/image":     {ctype: "image/png", body: `{"id":"{base}/image"}`},
		"/noid":      {ctype: asType, body: `{"type":"Note"}`},
		"/numid":     {ctype: asType, body: `{"id":42}`},
		"/elsewhere": {ctype: asType, body: `{"id":"{base}/liar"}`},
		"/liar":      {ctype: asType, body: `{"id":"{base}/someone-else"}`},
		"/array":     {ctype: asType, body: `[1,2]`},
		"/gone":      {status: http.StatusGone, ctype: asType, body: `{}`},
		"/big":       {ctype: asType, body: `{"id":"{base}/big","x":"` + strings.Repeat("a", 70<<10) + `"}`},
		"/deep":      {ctype: asType, body: `{"id":` + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + `}`},
	})
	f := testFetcher(t, nil)

	ok := map[string]string{
		"/actor": "/actor", "/ld": "/ld", "/charset": "/charset", "/fragment": "/fragment",
		"/caps": "/caps", "/redirect": "/actor", "/alias": "/actor", "/actor#main-key": "/actor",
	}
	for path, want := range ok {
		body, err := f.Fetch(t.Context(), d.URL+path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if !strings.Contains(string(body), want) {
			t.Errorf("%s: body %s, want document %s", path, body, want)
		}
	}

	refused := map[string]error{
		"/html": ErrContentType, "/json": ErrContentType, "/ldbare": ErrContentType, "/image": ErrContentType,
		"/noid": ErrIDMismatch, "/numid": ErrIDMismatch, "/elsewhere": ErrIDMismatch,
		"/gone": ErrGone, "/big": ErrTooLarge, "/missing": nil, "/array": nil, "/deep": nil,
	}
	for path, want := range refused {
		_, err := f.Fetch(t.Context(), d.URL+path)
		if err == nil {
			t.Errorf("%s: accepted", path)
			continue
		}
		if want != nil && !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", path, err, want)
		}
	}
	var se *StatusError
	if _, err := f.Fetch(t.Context(), d.URL+"/missing"); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("missing: %v", err)
	}

	// Every request, redirects and refetches included, was signed.
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, err := range d.verified {
		if err != nil {
			t.Errorf("request %d: signature: %v", i, err)
		}
	}
}

// TestFetchCrossHostRedirect: good.test redirects to evil.test, which
// serves a document claiming to be good.test's. The final URL counts, so it
// is refused, and so is the refetch from the id (redirected again).
func TestFetchCrossHostRedirect(t *testing.T) {
	t.Parallel()
	evil := newDocServer(t, map[string]route{"/o": {ctype: asType}})
	good := newDocServer(t, nil)
	gu, _ := url.Parse(good.URL)
	eu, _ := url.Parse(evil.URL)
	goodURL := fmt.Sprintf("http://good.test:%s/o", gu.Port())
	good.set("/o", route{location: fmt.Sprintf("http://evil.test:%s/o", eu.Port())})
	evil.set("/o", route{ctype: asType, body: `{"id":"` + goodURL + `","type":"Note","content":"forged"}`})

	f := testFetcher(t, map[string]string{"good.test": "127.0.0.1", "evil.test": "127.0.0.1"})
	if _, err := f.Fetch(t.Context(), goodURL); !errors.Is(err, ErrIDMismatch) {
		t.Fatalf("got %v, want ErrIDMismatch", err)
	}
}

func TestFetchRefusesForbiddenAddress(t *testing.T) {
	t.Parallel()
	f := &Fetcher{Client: NewClient(Options{LookupIP: fakeDNS(nil)}), KeyID: testKeyID, Key: testKey(t, 0)}
	if _, err := f.Fetch(t.Context(), "http://169.254.169.254/latest/meta-data/"); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("got %v", err)
	}
}

func TestIsActivityContentType(t *testing.T) {
	t.Parallel()
	yes := []string{
		"application/activity+json",
		"Application/Activity+JSON; charset=utf-8",
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`,
		`application/ld+json;profile="http://example.test/x https://www.w3.org/ns/activitystreams"`,
	}
	no := []string{"", "application/json", "text/html", "image/png", "application/ld+json",
		`application/ld+json; profile="https://example.test/other"`, "application/activity+json;;;"}
	for _, ct := range yes {
		if !IsActivityContentType(ct) {
			t.Errorf("%q refused", ct)
		}
	}
	for _, ct := range no {
		if IsActivityContentType(ct) {
			t.Errorf("%q accepted", ct)
		}
	}
}

func TestNormaliseURL(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"HTTPS://Example.COM/users/a", "https://example.com/users/a"},
		{"https://example.com:443/users/a", "https://example.com/users/a"},
		{"http://example.com:80/x", "http://example.com/x"},
		{"https://example.com./users/a#main-key", "https://example.com/users/a"},
		{"https://example.com", "https://example.com/"},
		{"https://Bücher.example/a", "https://xn--bcher-kva.example/a"},
		{"https://example.com/a?b=c#d", "https://example.com/a?b=c"},
		{"http://[::FFFF:7f00:1]:8080/", "http://[::ffff:127.0.0.1]:8080/"},
	}
	for _, c := range same {
		got, err := NormaliseURL(c[0])
		if err != nil || got != c[1] {
			t.Errorf("NormaliseURL(%q) = %q, %v; want %q", c[0], got, err, c[1])
		}
	}
	different := [][2]string{
		{"https://example.com/Users/a", "https://example.com/users/a"},
		{"https://example.com:8443/a", "https://example.com/a"},
		{"http://example.com/a", "https://example.com/a"},
		{"https://example.com/a%2Fb", "https://example.com/a/b"},
	}
	for _, c := range different {
		a, _ := NormaliseURL(c[0])
		b, _ := NormaliseURL(c[1])
		if a == b {
			t.Errorf("%q and %q normalise alike", c[0], c[1])
		}
	}
	for _, bad := range []string{"ftp://example.com/", "mailto:a@example.com", "https://user@example.com/", "https:///x", "/relative", "https://exa mple.com/"} {
		if got, err := NormaliseURL(bad); err == nil {
			t.Errorf("NormaliseURL(%q) = %q", bad, got)
		}
	}
}

func TestNormaliseHostAndSameHost(t *testing.T) {
	t.Parallel()
	hosts := map[string]string{
		"Example.COM.":          "example.com",
		"example.com:8080":      "example.com:8080",
		"BÜCHER.example":        "xn--bcher-kva.example",
		"xn--bcher-kva.example": "xn--bcher-kva.example",
		"127.0.0.1:3000":        "127.0.0.1:3000",
		"[::1]:3000":            "[::1]:3000",
		"::1":                   "[::1]",
	}
	for in, want := range hosts {
		if got, err := NormaliseHost(in); err != nil || got != want {
			t.Errorf("NormaliseHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".", "[::1", "[1.2.3.4]", "example.com:port", "a:1:2x", "exa mple.com"} {
		if got, err := NormaliseHost(bad); err == nil {
			t.Errorf("NormaliseHost(%q) = %q", bad, got)
		}
	}
	if !SameHost("https://Example.com./users/a", "https://example.com:443/inbox") {
		t.Error("same host not recognised")
	}
	if !SameHost("https://bücher.example/a", "xn--bcher-kva.example") {
		t.Error("IDN host not recognised")
	}
	for _, pair := range [][2]string{
		{"https://a.test/x", "https://b.test/x"},
		{"http://127.0.0.1:3000/a", "http://127.0.0.1:3001/a"},
		{"https://a.test/x", "https://a.test.evil.test/x"},
		{"https://a.test/x", "not a url"},
	} {
		if SameHost(pair[0], pair[1]) {
			t.Errorf("%q and %q seen as the same host", pair[0], pair[1])
		}
	}
}

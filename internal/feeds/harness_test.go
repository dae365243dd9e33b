package feeds

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

var testURLs = func() urls.Builder {
	u, _ := url.Parse("https://news.example.org")
	return urls.New(u)
}()

// file is what the member's site serves at one path.
type file struct {
	body   []byte
	ctype  string
	status int
	header map[string]string
	// handler, when set, answers instead.
	handler http.HandlerFunc
}

// site is a member organisation's website on loopback. Bodies may hold
// {{BASE}}, replaced by the server's URL; a file's ETag is its content's.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string]file
	requests map[string][]http.Header
	sent     map[string]int64 // body bytes written per path
}

func newSite(t *testing.T) *site {
	s := &site{files: map[string]file{}, requests: map[string][]http.Header{}, sent: map[string]int64{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *site) put(path string, f file) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.body = bytes.ReplaceAll(f.body, []byte("{{BASE}}"), []byte(s.URL))
	s.files[path] = f
}

// fixture reads testdata/name and serves it at path.
func (s *site) fixture(t *testing.T, path, name, ctype string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s.put(path, file{body: b, ctype: ctype})
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.URL.Path]
	s.requests[r.URL.Path] = append(s.requests[r.URL.Path], r.Header.Clone())
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if f.handler != nil {
		f.handler(w, r)
		return
	}
	for k, v := range f.header {
		w.Header().Set(k, v)
	}
	if f.status != 0 && f.status != http.StatusOK {
		w.WriteHeader(f.status)
		return
	}
	etag := `"` + sumBytes(f.body)[:16] + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	n, _ := w.Write(f.body)
	s.mu.Lock()
	s.sent[r.URL.Path] += int64(n)
	s.mu.Unlock()
}

func (s *site) lastRequest(path string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.requests[path]
	if len(rs) == 0 {
		return nil
	}
	return rs[len(rs)-1]
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests[path])
}

func sumBytes(b []byte) string { return sum(string(b)) }

// pngImage is a real picture of w×h pixels.
func pngImage(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fixture is the importer on a real database, with the real publishing
// service, media store and SSRF-safe client (loopback allowed, nothing
// else private).
type fixture struct {
	st       store.Store
	svc      *Service
	org      *newsroom.Organisation
	site     *site
	mediaDir string
	now      time.Time
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, site: newSite(t), mediaDir: t.TempDir(), now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	f.org = &newsroom.Organisation{Handle: "emmaus-connect", Name: "Emmaüs Connect", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := st.CreateOrg(t.Context(), f.org); err != nil {
		t.Fatal(err)
	}
	n := 0
	ps := posts.New(posts.Deps{Store: st, URLs: testURLs, Now: func() time.Time { return f.now },
		NewID: func() string { n++; return fmt.Sprintf("01JF%022d", n) }})
	client := transport.NewClient(transport.Options{AllowedNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Timeout: 10 * time.Second})
	f.svc = New(Deps{Store: st, Client: client, Posts: ps, Media: media.New(media.NewFiles(f.mediaDir), st, nil), URLs: testURLs,
		Now: func() time.Time { return f.now }})
	f.svc.jitter = func() float64 { return 0.5 }
	return f
}

func (f *fixture) add(t *testing.T, in AddInput) *newsroom.FeedSource {
	t.Helper()
	if in.OrgID == 0 {
		in.OrgID = f.org.ID
	}
	added, err := f.svc.Add(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return added.Source
}

func (f *fixture) poll(t *testing.T, id int64) *Result {
	t.Helper()
	res, err := f.svc.Poll(t.Context(), id, Progress{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) posts(t *testing.T, status newsroom.PostStatus) []newsroom.Post {
	t.Helper()
	ps, err := f.st.ListPosts(t.Context(), store.PostFilter{OrgID: f.org.ID, Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// countJobs counts River jobs of a kind.
func countJobs(t *testing.T, s store.Store, kind string) int { return testdb.CountJobs(t, s, kind) }

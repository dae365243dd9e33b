package site

import (
	"bytes"
	goimage "image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/media/s3test"
)

// mediaServer serves /media/ from blobs on a real HTTP server, as the
// route table does.
func mediaServer(t *testing.T, blobs media.Blobs) string {
	t.Helper()
	h := New(Deps{Media: blobs})
	r := httprouter.New()
	r.HandlerFunc(http.MethodGet, "/media/:name", h.Media)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

func fetch(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// Media in an S3 bucket is streamed through /media/ with the headers
// of the directory store: ranges, ETag and 304, 404 for what is missing,
// and 503 with Retry-After, quickly, once the store is down.
func TestMediaFromS3(t *testing.T) {
	srv := s3test.Start(t)
	blobs := srv.Store(t, srv.Bucket(t), srv.Admin)
	img := goimage.NewRGBA(goimage.Rect(0, 0, 300, 200))
	for x := range 300 {
		img.Set(x, x%200, color.RGBA{0xff, uint8(x), 0, 0x80})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	m, err := media.New(blobs, s3test.NoRows{}, nil).Save(t.Context(), bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := s3test.ReadAll(t, blobs, media.FileName(*m))
	base := mediaServer(t, blobs)
	url := base + "/media/" + media.FileName(*m)

	resp, body := fetch(t, url)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("GET: %d, %d bytes, want %d", resp.StatusCode, len(body), len(want))
	}
	etag := resp.Header.Get("ETag")
	for name, v := range map[string]string{"Content-Type": "image/png", "ETag": `"` + m.ID + `"`,
		"Cache-Control": "public, max-age=31536000, immutable", "Content-Security-Policy": mediaPolicy} {
		if got := resp.Header.Get(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	resp, body = fetch(t, url, "Range", "bytes=100-149")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[100:150]) {
		t.Fatalf("range: %d, %q", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
	resp, body = fetch(t, url, "Range", "bytes=-10")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[len(want)-10:]) {
		t.Fatalf("suffix range: %d", resp.StatusCode)
	}
	if resp, _ = fetch(t, url, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ = fetch(t, base+"/media/"+strings.Repeat("e", 64)+".png"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing object: %d", resp.StatusCode)
	}

	srv.Stop()
	start := time.Now()
	resp, _ = fetch(t, url)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("store down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("store down answered after %s", d)
	}
	// A reader revalidating needs nothing from the store.
	if resp, _ = fetch(t, url, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match with the store down: %d", resp.StatusCode)
	}
}

// A store that accepts connections and never answers gives readers a 503
// after the configured timeout, not a hang.
func TestMediaFromSilentStore(t *testing.T) {
	addr := s3test.Silent(t)
	blobs, err := media.ParseLocation("s3://media?endpoint=http://"+addr+"&region=us-east-1&style=path&timeout=1s", "",
		media.Credentials{AccessKey: "k", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, _ := fetch(t, mediaServer(t, blobs)+"/media/"+strings.Repeat("f", 64)+".jpg")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("silent store: %d", resp.StatusCode)
	}
	if d := time.Since(start); d < time.Second || d > 4*time.Second {
		t.Fatalf("answered after %s, want about the 1s timeout", d)
	}
}

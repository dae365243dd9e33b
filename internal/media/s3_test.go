package media_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/media/s3test"
	"github.com/soga/newsroom/internal/newsroom"
)

type rows struct {
	mu   sync.Mutex
	list []newsroom.Media
}

func (r *rows) PutMedia(_ context.Context, m newsroom.Media) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, m)
	return nil
}

func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 0x80, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// One SeaweedFS serves every case: starting it costs seconds.
func TestS3Store(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()

	t.Run("round trip", func(t *testing.T) {
		blobs := srv.Store(t, srv.Bucket(t), srv.Admin)
		rec := &rows{}
		m, err := media.New(blobs, rec, nil).Save(ctx, bytes.NewReader(photo(t, 800, 500)))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.list) != 1 {
			t.Fatalf("recorded %d rows", len(rec.list))
		}
		// The same bytes through a directory store are what S3 must
		// give back.
		dir := media.NewFiles(t.TempDir())
		if _, err := media.New(dir, &rows{}, nil).Save(ctx, bytes.NewReader(photo(t, 800, 500))); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{media.FileName(*m), media.SmallName(*m)} {
			want := s3test.ReadAll(t, dir, name)
			obj, err := blobs.Open(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(obj)
			if !bytes.Equal(got, want) || obj.Size != int64(len(want)) || obj.ModTime.IsZero() {
				t.Fatalf("%s: got %d bytes (size %d), want %d", name, len(got), obj.Size, len(want))
			}
			// A range: seek, then read only that part.
			if _, err := obj.Seek(100, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			part := make([]byte, 50)
			if _, err := io.ReadFull(obj, part); err != nil || !bytes.Equal(part, want[100:150]) {
				t.Fatalf("range read: %v", err)
			}
			obj.Close()
		}
		var listed []string
		if err := blobs.Walk(ctx, func(name string, size int64) error {
			listed = append(listed, name)
			if n, err := blobs.Stat(ctx, name); err != nil || n != size {
				t.Errorf("stat %s = %d, %v; listed %d", name, n, err, size)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 {
			t.Fatalf("listed %v", listed)
		}
		// Saving the same image again writes nothing new and succeeds.
		if _, err := media.New(blobs, rec, nil).Save(ctx, bytes.NewReader(photo(t, 800, 500))); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("missing object", func(t *testing.T) {
		blobs := srv.Store(t, srv.Bucket(t), srv.Admin)
		if _, err := blobs.Open(ctx, strings.Repeat("a", 64)+".jpg"); !errors.Is(err, media.ErrNotFound) {
			t.Fatalf("open missing: %v", err)
		}
		if _, err := blobs.Stat(ctx, strings.Repeat("a", 64)+".jpg"); !errors.Is(err, media.ErrNotFound) {
			t.Fatalf("stat missing: %v", err)
		}
	})

	t.Run("write refused", func(t *testing.T) {
		// A read-only key is refused every write, as a full bucket or a
		// quota would: the upload fails, nothing is recorded.
		blobs := srv.Store(t, srv.Bucket(t), srv.Reader)
		rec := &rows{}
		_, err := media.New(blobs, rec, nil).Save(ctx, bytes.NewReader(photo(t, 64, 64)))
		if !errors.Is(err, media.ErrUnavailable) {
			t.Fatalf("save with a read-only key: %v", err)
		}
		if len(rec.list) != 0 {
			t.Fatalf("recorded %d rows for an image that was not stored", len(rec.list))
		}
		if strings.Contains(err.Error(), srv.Reader.SecretKey) {
			t.Fatalf("error shows the secret key: %v", err)
		}
	})

	t.Run("wrong keys never shown", func(t *testing.T) {
		bad := media.Credentials{AccessKey: "nobody" + srv.Admin.AccessKey, SecretKey: "wrong" + srv.Admin.SecretKey}
		blobs := srv.Store(t, srv.Bucket(t), bad)
		_, err := blobs.Open(ctx, strings.Repeat("b", 64)+".jpg")
		if !errors.Is(err, media.ErrUnavailable) {
			t.Fatalf("open with unknown keys: %v", err)
		}
		if strings.Contains(err.Error(), bad.SecretKey) || strings.Contains(blobs.String(), bad.AccessKey) {
			t.Fatalf("a key is shown: %v / %s", err, blobs)
		}
	})

	t.Run("store down", func(t *testing.T) {
		other := s3test.Start(t)
		blobs := other.Store(t, other.Bucket(t), other.Admin)
		other.Stop()
		start := time.Now()
		_, err := blobs.Open(ctx, strings.Repeat("c", 64)+".jpg")
		if !errors.Is(err, media.ErrUnavailable) {
			t.Fatalf("open on a stopped store: %v", err)
		}
		_, err = media.New(blobs, &rows{}, nil).Save(ctx, bytes.NewReader(photo(t, 64, 64)))
		if !errors.Is(err, media.ErrUnavailable) {
			t.Fatalf("save on a stopped store: %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("a refused connection took %s to report", d)
		}
	})
}

// A store that takes connections and never answers: the reader gets
// ErrUnavailable once the location's timeout has passed, not a hang.
func TestS3SlowStoreTimesOut(t *testing.T) {
	ln := s3test.Silent(t)
	blobs, err := media.ParseLocation("s3://slow?endpoint=http://"+ln+"&region=us-east-1&style=path&timeout=1s", "",
		media.Credentials{AccessKey: "k", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = blobs.Open(t.Context(), strings.Repeat("d", 64)+".jpg")
	if !errors.Is(err, media.ErrUnavailable) {
		t.Fatalf("open on a silent store: %v", err)
	}
	if d := time.Since(start); d < time.Second || d > 4*time.Second {
		t.Fatalf("gave up after %s, want about the 1s timeout", d)
	}
}

func TestParseLocation(t *testing.T) {
	creds := media.Credentials{AccessKey: "AKIA", SecretKey: "secret"}
	good := map[string]string{
		"":                "file:/data/media",
		"file:/srv/media": "file:/srv/media",
		"s3://news?endpoint=https://s3.example.org&region=fr-par":               "s3://news at https://s3.example.org",
		"s3://news?endpoint=http://127.0.0.1:8333&region=x&style=path":          "s3://news at http://127.0.0.1:8333",
		"s3://news?endpoint=https://s3.example.org&style=virtual&timeout=500ms": "s3://news at https://s3.example.org",
	}
	for loc, want := range good {
		b, err := media.ParseLocation(loc, "/data/media", creds)
		if err != nil || b.String() != want {
			t.Errorf("ParseLocation(%q) = %v, %v; want %s", loc, b, err, want)
		}
	}
	for _, loc := range []string{"file:", "ftp://x", "s3://", "s3://b/path", "s3://b?endpoint=ftp://x",
		"s3://b?style=sideways", "s3://b?timeout=-1s"} {
		if _, err := media.ParseLocation(loc, "/data/media", creds); err == nil {
			t.Errorf("ParseLocation(%q) accepted", loc)
		}
	}
	if _, err := media.ParseLocation("s3://b?endpoint=https://s3.example.org", "", media.Credentials{}); err == nil {
		t.Error("an S3 store without keys accepted")
	}
}

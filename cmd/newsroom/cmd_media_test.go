package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/media/s3test"
)

func saveTestImage(t *testing.T, blobs media.Blobs, shade uint8) {
	t.Helper()
	if _, err := media.New(blobs, s3test.NoRows{}, nil).Save(t.Context(), bytes.NewReader(testPNG(t, 120+int(shade), 80))); err != nil {
		t.Fatal(err)
	}
}

// media migrate copies a directory's media into a bucket, and a second
// run copies only what is new: an interrupted copy resumes.
func TestCLIMediaMigrate(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	dir := t.TempDir()
	src := media.NewFiles(filepath.Join(dir, "media"))
	for shade := range uint8(3) {
		saveTestImage(t, src, shade*80)
	}
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_BASE_URL": "https://news.example",
		"AWS_ACCESS_KEY_ID": srv.Admin.AccessKey, "AWS_SECRET_ACCESS_KEY": srv.Admin.SecretKey}
	r := cli(t, e, "media", "migrate", "--to", srv.Location(bucket))
	if r.code != 0 || !strings.Contains(r.stdout, "done: 6 copied, 0 already there, 6 in all") ||
		!strings.Contains(r.stdout, "--media-store") {
		t.Fatalf("first run: %+v", r)
	}
	if strings.Contains(r.stdout+r.stderr, srv.Admin.SecretKey) {
		t.Fatal("the secret key was printed")
	}
	target := srv.Store(t, bucket, srv.Admin)
	n := 0
	if err := src.Walk(t.Context(), func(name string, size int64) error {
		n++
		if !bytes.Equal(s3test.ReadAll(t, src, name), s3test.ReadAll(t, target, name)) {
			t.Errorf("%s differs in the bucket", name)
		}
		return nil
	}); err != nil || n != 6 {
		t.Fatalf("walk: %d, %v", n, err)
	}

	saveTestImage(t, src, 250)
	r = cli(t, e, "media", "migrate", "--to", srv.Location(bucket))
	if r.code != 0 || !strings.Contains(r.stdout, "done: 2 copied, 6 already there, 8 in all") {
		t.Fatalf("second run: %+v", r)
	}

	// A target that refuses writes stops the copy with an error that says
	// how to resume.
	e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"] = srv.Reader.AccessKey, srv.Reader.SecretKey
	r = cli(t, e, "media", "migrate", "--to", srv.Location(srv.Bucket(t)))
	if r.code != 1 || !strings.Contains(r.stderr, "run the same command again") || strings.Contains(r.stderr, srv.Reader.SecretKey) {
		t.Fatalf("refused run: %+v", r)
	}
	if r := cli(t, e, "media", "migrate"); r.code != 2 {
		t.Fatalf("without --to: %+v", r)
	}
}

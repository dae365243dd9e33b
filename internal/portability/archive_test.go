package portability

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// build writes an archive of the given parts, with a manifest made by
// edit from the one they would get.
func build(t *testing.T, parts map[string]any, edit func(m *Manifest, files map[string][]byte)) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	m := &Manifest{Format: Format, Version: Version}
	m.Source.ActorID = "https://old.example/orgs/soga"
	aw := &archiveWriter{tw: tw, at: time.Unix(0, 0), m: m}
	files := map[string][]byte{}
	for _, name := range []string{orgName, postsName, followersName, mediaListName} {
		b, _ := json.Marshal(parts[name])
		files[name] = b
	}
	if edit != nil {
		edit(m, files)
	}
	for _, name := range []string{orgName, postsName, followersName, mediaListName, "media/x.png"} {
		if b, ok := files[name]; ok {
			if err := aw.file(name, b, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	mb, _ := json.Marshal(m)
	if err := aw.file(manifestName, mb, false); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// Every way an archive can be wrong is refused as ErrArchive, before
// anything is written (readArchive writes nothing).
func TestReadArchiveRefuses(t *testing.T) {
	good := map[string]any{orgName: Org{Handle: "soga", Name: "Soga"}, postsName: []Post{}, followersName: []Follower{}, mediaListName: []Media{}}
	if _, err := readArchive(bytes.NewReader(build(t, good, nil))); err != nil {
		t.Fatalf("a good archive: %v", err)
	}
	whole := build(t, good, nil)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "EOF"},
		{"not gzip", []byte("PK\x03\x04 a zip"), "gzip"},
		{"truncated", whole[:len(whole)/2], ""},
		{"newer version", build(t, good, func(m *Manifest, _ map[string][]byte) { m.Version = Version + 1 }), "version"},
		{"other format", build(t, good, func(m *Manifest, _ map[string][]byte) { m.Format = "mastodon" }), "format"},
		{"no source", build(t, good, func(m *Manifest, _ map[string][]byte) { m.Source.ActorID = "" }), "source"},
		{"part missing", build(t, good, func(_ *Manifest, f map[string][]byte) { delete(f, postsName) }), "posts.json"},
		{"counts", build(t, good, func(m *Manifest, _ map[string][]byte) { m.Posts = 3 }), "counts"},
		{"bad status", build(t, map[string]any{orgName: good[orgName], postsName: []map[string]any{{"ID": "01X", "Status": "deleted"}},
			followersName: good[followersName], mediaListName: good[mediaListName]}, func(m *Manifest, _ map[string][]byte) { m.Posts = 1 }), "status"},
		{"image file missing", build(t, map[string]any{orgName: good[orgName], postsName: good[postsName], followersName: good[followersName],
			mediaListName: []map[string]any{{"ID": "x", "MIMEType": "image/png", "files": []string{"x.png"}}}},
			func(m *Manifest, _ map[string][]byte) { m.Media = 1 }), "missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readArchive(bytes.NewReader(c.data))
			if !errors.Is(err, ErrArchive) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want ErrArchive mentioning %q", err, c.want)
			}
		})
	}
}

// A file altered after the manifest was written does not match it.
func TestReadArchiveRefusesAlteredFile(t *testing.T) {
	good := map[string]any{orgName: Org{Handle: "soga", Name: "Soga"}, postsName: []Post{}, followersName: []Follower{}, mediaListName: []Media{}}
	data := build(t, good, nil)
	zr, _ := gzip.NewReader(bytes.NewReader(data))
	var raw bytes.Buffer
	raw.ReadFrom(zr)
	altered := bytes.Replace(raw.Bytes(), []byte(`"Soga"`), []byte(`"Evil"`), 1)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(altered)
	gz.Close()
	_, err := readArchive(&buf)
	if !errors.Is(err, ErrArchive) || !strings.Contains(err.Error(), "org.json") {
		t.Errorf("altered org.json: %v", err)
	}
}

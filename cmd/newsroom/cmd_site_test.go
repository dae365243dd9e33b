package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// newsroom site set changes only the flags given, refuses a pale accent
// and an unknown zone naming the flags, and site show prints the result.
func TestCLISite(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_BASE_URL": "https://news.example"}
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, testPNG(t, 120, 60), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, e, "site", "set", "--name", "Réseau Entraide", "--url", "entraide.example", "--timezone", "Europe/Paris",
		"--accent", "#8A1C4A", "--footer", "Mentions *légales*", "--logo", logo)
	if r.code != 0 {
		t.Fatalf("site set: %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"Réseau Entraide", "https://entraide.example/", "Europe/Paris", "#8a1c4a", "(120x60)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("site set output lacks %q: %s", want, r.stdout)
		}
	}
	if r := cli(t, e, "site", "set", "--tagline", "Les nouvelles"); r.code != 0 || !strings.Contains(r.stdout, "Réseau Entraide") {
		t.Errorf("a tagline alone changed the name: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, e, "site", "set", "--accent", "#aaaaaa", "--timezone", "Mars/Olympus", "--url", "javascript:alert(1)")
	if r.code != 1 || !strings.Contains(r.stderr, "--accent: is too light") || !strings.Contains(r.stderr, "--timezone") ||
		!strings.Contains(r.stderr, "--url") {
		t.Errorf("refusal: %d %s", r.code, r.stderr)
	}
	r = cli(t, e, "site", "show")
	if r.code != 0 || !strings.Contains(r.stdout, "Les nouvelles") || !strings.Contains(r.stdout, "#8a1c4a") {
		t.Errorf("site show: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, e, "site", "set", "--no-logo"); r.code != 0 || strings.Contains(r.stdout, "(120x60)") {
		t.Errorf("--no-logo: %s", r.stdout)
	}
}

// HEAD on a static file answers as GET does, without the body: link
// checkers and card fetchers ask HEAD first.
func TestHeadOnStatic(t *testing.T) {
	ts := startServer(t, "sqlite")
	_, _, home := ts.get(t, "/", "text/html")
	css := regexp.MustCompile(`/static/style\.[0-9a-f]+\.css`).FindString(home)
	if css == "" {
		t.Fatalf("no stylesheet on the home page: %s", home)
	}
	get, err := http.Get(ts.URL + css)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(get.Body)
	get.Body.Close()
	head, err := http.Head(ts.URL + css)
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(head.Body)
	head.Body.Close()
	if head.StatusCode != http.StatusOK || len(rest) != 0 || head.ContentLength != int64(len(body)) ||
		head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || head.Header.Get("ETag") != get.Header.Get("ETag") {
		t.Errorf("HEAD %s: %d, %d bytes, length %d (GET: %d bytes), %v", css, head.StatusCode, len(rest), head.ContentLength, len(body), head.Header)
	}
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

// A press release published, edited and withdrawn from the command line
// while `newsroom serve` runs with its pages and documents cached: each
// step shows within a second, as HTML and as ActivityStreams, with no
// cache lifetime to wait out. The server and every command are separate
// processes of the real binary. On PostgreSQL a second instance serves
// the same database behind the same base URL, and follows too.
func TestCommandLineWritesReachServingCache(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	backends(t, func(t *testing.T, backend string) {
		port := freePort(t)
		dataDir := t.TempDir()
		dbURL := "sqlite:" + filepath.Join(dataDir, "newsroom.db")
		if backend == "postgres" {
			dbURL = testdb.PostgresURL(t)
		}
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		common := []string{"--base-url", base, "--data-dir", dataDir, "--database-url", dbURL,
			"--log-format", "text", "--log-level", "warn"}
		cfg := testConfig(t, common...)
		st, err := openStore(context.Background(), cfg, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := newOrgs(st, urls.New(cfg.BaseURL), nil).Create(context.Background(), &newsroom.Organisation{Handle: "soga", Name: "SOGA"}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		startProcess(t, bin, append([]string{"--listen", fmt.Sprintf("127.0.0.1:%d", port)}, common...))
		waitHealthy(t, base)
		// instances are the addresses the site is served from.
		instances := []string{base}
		if backend == "postgres" {
			port2 := freePort(t)
			startProcess(t, bin, append([]string{"--listen", fmt.Sprintf("127.0.0.1:%d", port2)}, common...))
			second := fmt.Sprintf("http://127.0.0.1:%d", port2)
			waitHealthy(t, second)
			instances = append(instances, second)
		}
		// at is u as served by each instance.
		at := func(u string) []string {
			var us []string
			for _, i := range instances {
				us = append(us, i+strings.TrimPrefix(u, base))
			}
			return us
		}

		cli := func(args ...string) string {
			t.Helper()
			args = append(args[:2:2], append(common, args[2:]...)...)
			cmd := exec.Command(bin, args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("newsroom %s: %v\n%s", strings.Join(args[:2], " "), err, stderrOf(err))
			}
			return strings.TrimSpace(string(out))
		}
		get := func(url, accept string) (int, string) {
			t.Helper()
			code, _, body := fetch(t, url, accept)
			return code, body
		}
		const html, as = "text/html", "application/activity+json"
		// within checks that url shows what want accepts within a second
		// of start, when the command exited.
		within := func(step string, start time.Time, url, accept string, want func(code int, body string) bool) {
			t.Helper()
			for {
				code, body := get(url, accept)
				if want(code, body) {
					t.Logf("%s: %s of %s as %s shown %s after the command", backend, step, url, accept, time.Since(start).Round(time.Millisecond))
					return
				}
				if time.Since(start) > time.Second {
					t.Fatalf("%s: %s not shown as %s after 1s: %d %.300s", backend, step, accept, code, body)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}

		// The home page is cached before the post exists.
		for _, home := range at(base + "/") {
			if code, _ := get(home, html); code != http.StatusOK {
				t.Fatalf("home: %d", code)
			}
		}
		file := filepath.Join(t.TempDir(), "release.md")
		write := func(text string) {
			if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		write("---\ntitle: Communiqué du 1er décembre\n---\nNous annonçons une fusion.\n")
		postURL := cli("post", "publish", "--org", "soga", "--kind", "press", file)
		done := time.Now()
		for _, home := range at(base + "/") {
			within("publication on the home page", done, home, html, func(code int, body string) bool {
				return code == 200 && strings.Contains(body, "Communiqué du 1er décembre")
			})
		}

		// Both representations are cached: a second request is served
		// from memory.
		for _, u := range at(postURL) {
			for _, accept := range []string{html, as, html, as} {
				if code, body := get(u, accept); code != http.StatusOK || !strings.Contains(body, "fusion") {
					t.Fatalf("%s as %s: %d %.300s", u, accept, code, body)
				}
			}
		}
		write("---\ntitle: Communiqué du 1er décembre (rectificatif)\n---\nNous annonçons un partenariat.\n")
		cli("post", "edit", postURL, file)
		done = time.Now()
		for _, u := range at(postURL) {
			for _, accept := range []string{html, as} {
				within("edit", done, u, accept, func(code int, body string) bool {
					return code == 200 && strings.Contains(body, "partenariat") && !strings.Contains(body, "fusion")
				})
			}
		}

		for _, u := range at(postURL) {
			for _, accept := range []string{html, as} {
				if code, _ := get(u, accept); code != http.StatusOK {
					t.Fatalf("%s as %s before deletion: %d", u, accept, code)
				}
			}
		}
		cli("post", "delete", postURL)
		done = time.Now()
		for _, u := range at(postURL) {
			for _, accept := range []string{html, as} {
				within("deletion", done, u, accept, func(code int, _ string) bool { return code == http.StatusGone })
			}
		}

		// The site's name, set from the command line, shows in the pages
		// and in what other servers read, on every instance.
		cli("site", "set", "--name", "Réseau Entraide")
		done = time.Now()
		for _, home := range at(base + "/") {
			within("the site's name", done, home, html, func(code int, body string) bool {
				return code == http.StatusOK && strings.Contains(body, `class="brand">Réseau Entraide</a>`)
			})
		}
		for _, ni := range at(base + "/nodeinfo/2.1") {
			within("NodeInfo's nodeName", done, ni, "application/json", func(code int, body string) bool {
				return code == http.StatusOK && strings.Contains(body, `"nodeName":"Réseau Entraide"`)
			})
		}
	})
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

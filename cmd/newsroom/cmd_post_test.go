package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
)

// cli runs a newsroom command against ts's database and returns its exit
// code, output and errors.
func (ts *testServer) cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return ts.command(t, "post", args...)
}

// command runs "newsroom NAME ARGS…" against ts's database, as an
// administrator on the server's machine would; args[0] is the
// subcommand, before which the settings go. Loopback counts as public,
// where the test peers and websites are.
func (ts *testServer) command(t *testing.T, name string, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	args = append(args[:1:1], append([]string{"--base-url", ts.URL, "--data-dir", ts.Config.DataDir,
		"--database-url", ts.Config.DatabaseURL, "--log-format", "text",
		"--allow-private-networks", "127.0.0.0/8,::1/128"}, args[1:]...)...)
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errs, getenv: func(string) string { return "" }}
	code := run(context.Background(), append([]string{name}, args...), e)
	return code, strings.TrimSpace(out.String()), errs.String()
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// An editor publishes an event from a Markdown file, edits it, deletes it:
// the peer sees each step, and mistakes are reported by field.
func TestPostCommand(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		org := ts.createOrg(t, "soga", "Social Good Accelerator")
		peer := fedtest.NewPeer(t, "alice")
		followedBy(t, ts, org, peer)

		file := writeFile(t, "forum.md", `---
title: Forum des associations
summary: Rencontres et ateliers.
tags: [forum, "#Lyon", vie associative]
start: 2030-05-02 18:00
end: 2030-05-02 20:00
timezone: Europe/Paris
place: Halle
locality: Lyon
translation:
  lang: en
  title: Associations fair
  body: |
    Meetings and **workshops**.
---
Rencontres et **ateliers**.
`)
		code, postURL, errs := ts.cli(t, "publish", "--org", "soga", "--kind", "event", "--lang", "fr", file)
		if code != 0 || !strings.HasPrefix(postURL, ts.URL+"/orgs/soga/posts/") {
			t.Fatalf("publish: exit %d, out %q, err %s", code, postURL, errs)
		}
		obj := activityOf(t, ts, peer, "Create", postURL, nil)
		tags, _ := obj["tag"].([]any)
		var names []string
		for _, tag := range tags {
			names = append(names, fmt.Sprint(tag.(map[string]any)["name"]))
		}
		if strings.Join(names, " ") != "#forum #Lyon #VieAssociative" {
			t.Errorf("hashtags %q", names)
		}
		if obj["type"] != "Event" || obj["startTime"] != "2030-05-02T18:00:00+02:00" || len(tags) != 3 ||
			obj["nameMap"].(map[string]any)["en"] != "Associations fair" {
			t.Errorf("event: %v", obj)
		}

		edited := writeFile(t, "forum2.md", "---\ntitle: Forum des associations\nstart: 2030-05-02 18:30\ntimezone: Europe/Paris\nplace: Halle\n---\nHoraire changé.\n")
		if code, _, errs := ts.cli(t, "edit", postURL, edited); code != 0 {
			t.Fatalf("edit: exit %d: %s", code, errs)
		}
		upd := activityOf(t, ts, peer, "Update", postURL, nil)
		if upd["startTime"] != "2030-05-02T18:30:00+02:00" || !strings.Contains(upd["content"].(string), "Horaire changé.") {
			t.Errorf("update: %v", upd)
		}

		if code, _, errs := ts.cli(t, "delete", postURL); code != 0 {
			t.Fatalf("delete: exit %d: %s", code, errs)
		}
		activityOf(t, ts, peer, "Delete", postURL, nil)

		bad := writeFile(t, "bad.md", "---\nsummary: pas de titre\ntags: [\"deux-mots\"]\n---\n")
		code, _, errs = ts.cli(t, "publish", "--org", "soga", bad)
		if code != 1 || !strings.Contains(errs, "--title: is required") || !strings.Contains(errs, "--body: is required") ||
			!strings.Contains(errs, "--tags: hashtags hold only letters") {
			t.Errorf("invalid file: exit %d: %s", code, errs)
		}
		if code, _, _ := ts.cli(t, "publish", "--org", "nobody", file); code != 2 {
			t.Errorf("unknown org: exit %d", code)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

// cli runs the newsroom command in-process with its own environment.
func cli(t *testing.T, envVars map[string]string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return envVars[k] },
	})
	return cliResult{code, out.String(), errb.String()}
}

func TestCLIUsage(t *testing.T) {
	if r := cli(t, nil); r.code != 2 || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("no args: %+v", r)
	}
	if r := cli(t, nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
	if r := cli(t, nil, "help"); r.code != 0 || !strings.Contains(r.stdout, "serve") {
		t.Errorf("help: %+v", r)
	}
	if r := cli(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "newsroom ") {
		t.Errorf("version: %+v", r)
	}
	if r := cli(t, nil, "serve", "--help"); r.code != 0 || !strings.Contains(r.stderr, "NEWSROOM_DATABASE_URL") {
		t.Errorf("serve --help must list the settings: %+v", r)
	}
	if r := cli(t, nil, "org", "create", "--bogus"); r.code != 2 {
		t.Errorf("bad flag: %+v", r)
	}
}

// The forms scripts depend on, against one data directory.
func TestCLIOrgsUsersDomains(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_BASE_URL": "https://news.example"}
	ok := func(r cliResult) cliResult {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return r
	}
	r := ok(cli(t, e, "org", "create", "--handle", "soga", "--name", "Social Good Accelerator"))
	if !strings.Contains(r.stdout, "@soga@news.example") || !strings.Contains(r.stdout, "https://news.example/orgs/soga") {
		t.Errorf("org create output: %q", r.stdout)
	}
	ok(cli(t, e, "org", "create", "--handle", "Emmaus-Connect", "--name", "Emmaüs Connect"))
	if r := cli(t, e, "org", "create", "--handle", "soga", "--name", "Again"); r.code != 1 || !strings.Contains(r.stderr, "--handle") {
		t.Errorf("duplicate handle: %+v", r)
	}
	if r := cli(t, e, "org", "create", "--handle", "no spaces!", "--name", "X"); r.code != 1 || !strings.Contains(r.stderr, "--handle") {
		t.Errorf("invalid handle: %+v", r)
	}
	r = ok(cli(t, e, "org", "list"))
	if !strings.Contains(r.stdout, "@emmaus-connect@news.example") || !strings.Contains(r.stdout, "Emmaüs Connect") {
		t.Errorf("org list: %q", r.stdout)
	}

	withPw := map[string]string{"NEWSROOM_PASSWORD": "correct horse battery"}
	for k, v := range e {
		withPw[k] = v
	}
	ok(cli(t, withPw, "user", "create", "--email", "Admin@Example.org", "--admin"))
	ok(cli(t, withPw, "user", "create", "--email", "editor@example.org", "--org", "emmaus-connect"))
	if r := cli(t, withPw, "user", "create", "--email", "admin@example.org", "--admin"); r.code != 1 || !strings.Contains(r.stderr, "already") {
		t.Errorf("duplicate email: %+v", r)
	}
	if r := cli(t, e, "user", "create", "--email", "x@example.org", "--admin"); r.code != 2 || !strings.Contains(r.stderr, "NEWSROOM_PASSWORD") {
		t.Errorf("no password and no terminal: %+v", r)
	}
	short := map[string]string{"NEWSROOM_PASSWORD": "short", "NEWSROOM_DATA_DIR": dir}
	if r := cli(t, short, "user", "create", "--email", "y@example.org", "--admin"); r.code != 1 || !strings.Contains(r.stderr, "at least") {
		t.Errorf("short password: %+v", r)
	}
	if r := cli(t, withPw, "user", "create", "--email", "z@example.org"); r.code != 2 {
		t.Errorf("neither --admin nor --org: %+v", r)
	}
	r = ok(cli(t, e, "user", "list"))
	if !strings.Contains(r.stdout, "admin@example.org") || !strings.Contains(r.stdout, "emmaus-connect") {
		t.Errorf("user list: %q", r.stdout)
	}
	ok(cli(t, withPw, "user", "set-password", "--email", "editor@example.org"))
	r = ok(cli(t, e, "user", "reset-link", "--email", "Editor@example.org"))
	if !regexp.MustCompile(`^https://news\.example/reset/[A-Za-z0-9_-]{43}\n`).MatchString(r.stdout) {
		t.Errorf("reset-link output: %q", r.stdout)
	}
	if r := cli(t, e, "user", "reset-link", "--email", "nobody@example.org"); r.code != 1 {
		t.Errorf("reset-link of nobody: %+v", r)
	}

	ok(cli(t, e, "domain", "block", "Spam.Example.", "--reason", "spam waves"))
	ok(cli(t, e, "domain", "block", "--reason", "bots", "bots.example"))
	r = ok(cli(t, e, "domain", "list"))
	if !regexp.MustCompile(`spam\.example +\S+ +spam waves\n`).MatchString(r.stdout) ||
		!regexp.MustCompile(`bots\.example +\S+ +bots\n`).MatchString(r.stdout) {
		t.Errorf("domain list, with the reasons given before and after the domain: %q", r.stdout)
	}
	ok(cli(t, e, "domain", "unblock", "bots.example"))
	ok(cli(t, e, "domain", "unblock", "spam.example"))
	if r := cli(t, e, "domain", "block", "https://x.example/"); r.code != 2 {
		t.Errorf("URL instead of domain: %+v", r)
	}

	r = ok(cli(t, e, "migrate", "status"))
	if !strings.Contains(r.stdout, "0001_init") || strings.Contains(r.stdout, " pending\n") {
		t.Errorf("migrate status: %q", r.stdout)
	}
}

// Each bad setting gets one clear sentence naming it, and a non-zero exit.
func TestServeRefusesBadSettings(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"port in use":        {map[string]string{"NEWSROOM_LISTEN": busy.Addr().String()}, "already in use"},
		"invalid base URL":   {map[string]string{"NEWSROOM_BASE_URL": "news.example"}, "NEWSROOM_BASE_URL"},
		"unwritable datadir": {map[string]string{"NEWSROOM_DATA_DIR": filepath.Join(file, "data")}, "NEWSROOM_DATA_DIR"},
		"wrong database URL": {map[string]string{"NEWSROOM_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, "NEWSROOM_DATABASE_URL"},
		"unknown database":   {map[string]string{"NEWSROOM_DATABASE_URL": "mysql://x"}, "NEWSROOM_DATABASE_URL"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.env["NEWSROOM_DATA_DIR"] == "" {
				tc.env["NEWSROOM_DATA_DIR"] = t.TempDir()
			}
			r := cli(t, tc.env, "serve")
			if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want mention of %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// A database migrated by a newer newsroom is refused and left untouched.
func TestServeRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_LISTEN": "127.0.0.1:0"}
	if r := cli(t, e, "migrate", "up"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "newsroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	r := cli(t, e, "serve")
	if r.code == 0 || !strings.Contains(r.stderr, "newer") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = 999`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("future migration row: %d %v", n, err)
	}
}

// The feed command's mistakes are usage errors (exit 2) or sentences
// (exit 1), before anything is fetched or stored.
func TestCLIFeedMistakes(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_BASE_URL": "https://news.example"}
	if r := cli(t, e, "org", "create", "--handle", "emmaus-connect", "--name", "Emmaüs Connect"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"feed"}, 2, "feed takes"},
		{[]string{"feed", "subscribe"}, 2, `not "subscribe"`},
		{[]string{"feed", "add", "https://emmaus-connect.example/"}, 2, "--org"},
		{[]string{"feed", "add", "--org", "emmaus-connect"}, 2, "one address"},
		{[]string{"feed", "add", "--org", "nobody", "https://x.example/"}, 1, "nobody"},
		{[]string{"feed", "add", "--org", "emmaus-connect", "--backfill", "-3", "https://x.example/"}, 2, "--backfill"},
		{[]string{"feed", "add", "--org", "emmaus-connect", "--kind", "event", "https://x.example/"}, 1, "article or press"},
		{[]string{"feed", "add", "--org", "emmaus-connect", "ftp://x.example/"}, 1, "not a web address"},
		{[]string{"feed", "add", "--org", "emmaus-connect", "http://127.0.0.1:1/feed"}, 1, "private or reserved"},
		{[]string{"feed", "remove", "https://never-added.example/"}, 1, "feed list"},
		{[]string{"feed", "list", "extra"}, 2, "unexpected argument"},
	} {
		r := cli(t, e, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	if r := cli(t, e, "feed", "list"); r.code != 0 || !strings.Contains(r.stdout, "FEED") {
		t.Errorf("empty list: %+v", r)
	}
}

// On a terminal the poll draws a bar over itself and clears it; elsewhere
// it draws nothing but the lines that follow.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	bar := &progressBar{w: &out, on: true}
	bar.items(0, 4)
	bar.image()
	bar.items(2, 4)
	bar.done()
	if got := out.String(); !strings.Contains(got, "\r[...............") || !strings.Contains(got, "\r[###############...............] 2/4 items, 1 images") || !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("bar drew %q", got)
	}
	out.Reset()
	off := &progressBar{w: &out}
	off.items(1, 2)
	off.image()
	off.done()
	if out.Len() != 0 {
		t.Errorf("bar drew %q off a terminal", out.String())
	}
}

// The network commands' mistakes are usage errors (exit 2) that say what
// to type; an unknown account or organisation is named.
func TestCLINetworkUsage(t *testing.T) {
	dir := t.TempDir()
	e := map[string]string{"NEWSROOM_DATA_DIR": dir, "NEWSROOM_BASE_URL": "https://news.example"}
	if r := cli(t, e, "org", "create", "--handle", "soga", "--name", "SOGA"); r.code != 0 {
		t.Fatalf("org create: %+v", r)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"network"}, 2, "network takes 'add', 'list' or 'remove'"},
		{[]string{"network", "follow"}, 2, `not "follow"`},
		{[]string{"network", "add", "--org", "soga"}, 2, "one ACCOUNT"},
		{[]string{"network", "add", "@ada@member.example"}, 2, "--org is required"},
		{[]string{"network", "add", "--org", "nobody", "@ada@member.example"}, 2, "no organisation @nobody"},
		// The address is refused before anything leaves: a private host.
		{[]string{"network", "add", "--org", "soga", "@ada@127.0.0.1:1"}, 1, "cannot find this account"},
		{[]string{"network", "add", "--org", "soga", "not-an-account"}, 1, "is not user@host"},
		{[]string{"network", "remove", "--org", "soga", "@ada@member.example"}, 1, "no organisation follows @ada@member.example"},
		{[]string{"network", "remove"}, 2, "one ACCOUNT"},
	} {
		r := cli(t, e, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want %d with %q: %s", c.args, r.code, c.code, c.want, r.stderr)
		}
	}
	if r := cli(t, e, "network", "list"); r.code != 0 || !strings.Contains(r.stdout, "ACCOUNT") {
		t.Errorf("network list: %+v", r)
	}
}

package config

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Load(func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL.String() != "http://localhost:8080" || c.Listen != "127.0.0.1:8080" {
		t.Errorf("defaults: %v %v", c.BaseURL, c.Listen)
	}
	if c.Backend() != "sqlite" || c.SQLitePath() != "data/newsroom.db" {
		t.Errorf("database default: %q", c.DatabaseURL)
	}
	if len(c.AllowPrivateNetworks) != 0 {
		t.Errorf("private networks must be refused by default: %v", c.AllowPrivateNetworks)
	}
}

func TestFlagBeatsEnv(t *testing.T) {
	c, err := load(t, []string{"--listen", "127.0.0.1:9000"},
		map[string]string{"NEWSROOM_LISTEN": "127.0.0.1:7000", "NEWSROOM_BASE_URL": "https://News.Example/",
			"NEWSROOM_DATABASE_URL": "postgres://u@h/db", "NEWSROOM_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8, ::1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" {
		t.Errorf("listen = %q", c.Listen)
	}
	if c.BaseURL.String() != "https://news.example" {
		t.Errorf("base = %q", c.BaseURL)
	}
	if c.Backend() != "postgres" {
		t.Errorf("backend = %q", c.Backend())
	}
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	if len(c.AllowPrivateNetworks) != 2 || c.AllowPrivateNetworks[0] != want[0] || c.AllowPrivateNetworks[1] != want[1] {
		t.Errorf("nets = %v", c.AllowPrivateNetworks)
	}
}

func TestErrorsNameTheSetting(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"relative base":  {map[string]string{"NEWSROOM_BASE_URL": "news.example"}, "NEWSROOM_BASE_URL"},
		"base with path": {map[string]string{"NEWSROOM_BASE_URL": "https://x.example/news"}, "root of its domain"},
		"listen":         {map[string]string{"NEWSROOM_LISTEN": "8080"}, "NEWSROOM_LISTEN"},
		"database":       {map[string]string{"NEWSROOM_DATABASE_URL": "mysql://x"}, "NEWSROOM_DATABASE_URL"},
		"cidr":           {map[string]string{"NEWSROOM_ALLOW_PRIVATE_NETWORKS": "localhost"}, "NEWSROOM_ALLOW_PRIVATE_NETWORKS"},
		"log level":      {map[string]string{"NEWSROOM_LOG_LEVEL": "loud"}, "NEWSROOM_LOG_LEVEL"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := load(t, nil, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not mention %q", err, tc.want)
			}
		})
	}
}

// The README's configuration table must list every setting.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range Table() {
		line := fmt.Sprintf("| `--%s` | `%s` |", row[0], row[1])
		if !strings.Contains(string(b), line) {
			t.Errorf("README lacks the row for --%s / %s", row[0], row[1])
		}
	}
}

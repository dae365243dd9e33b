// Package config reads newsroom's settings from command-line flags and
// NEWSROOM_* environment variables. A Config is a plain value handed down
// by the composition root; nothing reads the environment anywhere else.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/mail"
	"github.com/soga/newsroom/internal/media"
)

// Config is every setting of a newsroom process.
type Config struct {
	BaseURL              *url.URL
	Listen               string
	MetricsListen        string // empty: /metrics on the main listener
	MetricsToken         string // lets other hosts read /metrics on the main listener
	DatabaseURL          string // "sqlite:PATH" or "postgres://…"
	DataDir              string
	LogLevel             slog.Level
	LogFormat            string // "text", "json" or "auto"
	AllowPrivateNetworks []netip.Prefix
	TrustedProxies       []netip.Prefix // whose X-Forwarded-For and Forwarded headers are believed
	ShutdownTimeout      time.Duration
	JobTimeout           time.Duration
	FeedInterval         time.Duration // between polls of a website feed, unless it asks for longer
	CompactInterval      time.Duration // between compactions of finished fan-outs' delivery rows
	BoostLimit           int           // boosts of one member account per organisation and hour
	// MediaStore is where images are kept: "file:DIR" or an s3:// URL
	// (see media.ParseLocation); empty means MediaDir.
	MediaStore string
	// S3AccessKey and S3SecretKey come from AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY only, never from a flag (which any local user
	// could read in the process list), and are never printed.
	S3AccessKey, S3SecretKey string
	// SMTPURL (smtp://user:password@host:587, or smtps://) and SMTPFrom
	// let the login page email password reset links; empty, it says to
	// ask an administrator.
	SMTPURL, SMTPFrom string
	// ExtraRootCAs are trusted by the client for other servers besides the
	// system's roots. No flag sets it: only tests and benchmarks do, for
	// inbox servers with a certificate of their own CA.
	ExtraRootCAs []*x509.Certificate
}

// Backend names the storage behind DatabaseURL: "sqlite" or "postgres".
func (c Config) Backend() string {
	if strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// SQLitePath is the database file for the sqlite backend.
func (c Config) SQLitePath() string {
	return strings.TrimPrefix(c.DatabaseURL, "sqlite:")
}

// TempDir holds the temporary files of uploads being received: under the
// data directory, so that what a killed process leaves is found and
// removed at the next start, and never fills the system's /tmp.
func (c Config) TempDir() string { return filepath.Join(c.DataDir, "tmp") }

// MediaDir is where uploaded images are kept, named by their hash.
func (c Config) MediaDir() string { return filepath.Join(c.DataDir, "media") }

// MediaCredentials are the S3 keys for the media store.
func (c Config) MediaCredentials() media.Credentials {
	return media.Credentials{AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey}
}

// setting describes one option once, for flags, environment and docs.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"base-url", "NEWSROOM_BASE_URL", "http://localhost:8080", "public base URL (scheme and host, no path)"},
	{"listen", "NEWSROOM_LISTEN", "127.0.0.1:8080", "address to listen on"},
	{"metrics-listen", "NEWSROOM_METRICS_LISTEN", "", "separate address for /metrics (empty: served on the main address)"},
	{"metrics-token", "NEWSROOM_METRICS_TOKEN", "", "bearer token that lets other hosts read /metrics on the main address (without it only direct loopback requests may)"},
	{"database-url", "NEWSROOM_DATABASE_URL", "", "sqlite:PATH or postgres://… (default: sqlite in the data directory)"},
	{"data-dir", "NEWSROOM_DATA_DIR", "data", "directory for the SQLite database and uploaded media"},
	{"media-store", "NEWSROOM_MEDIA_STORE", "", "where images are kept: file:DIR, or s3://BUCKET?endpoint=URL&region=R[&style=path|virtual] with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (default: file: in the data directory; several instances need S3)"},
	{"log-level", "NEWSROOM_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "NEWSROOM_LOG_FORMAT", "auto", "text, json, or auto (text on a terminal)"},
	{"allow-private-networks", "NEWSROOM_ALLOW_PRIVATE_NETWORKS", "", "comma-separated CIDR ranges outgoing requests may reach (e.g. 127.0.0.0/8 for local tests)"},
	{"trusted-proxies", "NEWSROOM_TRUSTED_PROXIES", "", "comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For and Forwarded headers name the client (e.g. 127.0.0.1/32)"},
	{"shutdown-timeout", "NEWSROOM_SHUTDOWN_TIMEOUT", "15s", "how long to drain requests and jobs on shutdown"},
	{"job-timeout", "NEWSROOM_JOB_TIMEOUT", "2m", "longest a background job may run; jobs left running by a process that died are run again after twice this"},
	{"feed-interval", "NEWSROOM_FEED_INTERVAL", "15m", "time between polls of an organisation's website feed (longer when the feed or its server asks)"},
	{"compact-interval", "NEWSROOM_COMPACT_INTERVAL", "10m", "time between compactions of finished fan-outs (their per-inbox delivery rows folded into counts; failures kept)"},
	{"boost-limit", "NEWSROOM_BOOST_LIMIT", "10", "most posts of one followed member account an organisation boosts in an hour; more are dropped (logged)"},
	{"smtp-url", "NEWSROOM_SMTP_URL", "", "SMTP server that sends password reset links: smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://…:465; prefer the variable, which other local users cannot read (empty: people ask an administrator)"},
	{"smtp-from", "NEWSROOM_SMTP_FROM", "", "From address of the reset links, e.g. \"Newsroom <newsroom@example.org>\" (needed with --smtp-url)"},
}

// Flags holds the raw values of the settings registered on a FlagSet.
type Flags struct {
	values map[string]*string
	fs     *flag.FlagSet
}

// Register adds every setting to fs. Call Load after fs.Parse.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{values: make(map[string]*string), fs: fs}
	for _, s := range settings {
		f.values[s.flag] = fs.String(s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.usage, s.env, s.def))
	}
	return f
}

// Load resolves each setting (flag, then environment, then default) and
// validates the result. getenv is os.Getenv outside tests.
func (f *Flags) Load(getenv func(string) string) (Config, error) {
	raw := make(map[string]string, len(settings))
	set := make(map[string]bool)
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, s := range settings {
		switch {
		case set[s.flag]:
			raw[s.flag] = *f.values[s.flag]
		case getenv(s.env) != "":
			raw[s.flag] = getenv(s.env)
		default:
			raw[s.flag] = s.def
		}
	}
	c, err := parse(raw)
	c.S3AccessKey, c.S3SecretKey = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	return c, err
}

func parse(raw map[string]string) (Config, error) {
	var c Config
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (--%s / %s): %s", name, name, envOf(name), fmt.Sprintf(format, args...)))
	}

	u, err := url.Parse(raw["base-url"])
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("base-url", "%q is not an absolute http(s) URL such as https://news.example.org", raw["base-url"])
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		bad("base-url", "%q must be only a scheme and host: newsroom must be served at the root of its domain", raw["base-url"])
	default:
		u.Path = ""
		u.Host = strings.ToLower(u.Host)
		c.BaseURL = u
	}

	c.Listen = raw["listen"]
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port", c.Listen)
	}
	c.MetricsListen = raw["metrics-listen"]
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			bad("metrics-listen", "%q is not host:port", c.MetricsListen)
		}
	}

	c.MetricsToken = raw["metrics-token"]

	c.DataDir = raw["data-dir"]
	if c.DataDir == "" {
		bad("data-dir", "must not be empty")
	}
	c.DatabaseURL = raw["database-url"]
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "newsroom.db")
	}
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		if strings.TrimPrefix(c.DatabaseURL, "sqlite:") == "" {
			bad("database-url", "sqlite: needs a file path, as in sqlite:data/newsroom.db")
		}
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			bad("database-url", "not a valid postgres:// URL")
		}
	default:
		bad("database-url", "must start with sqlite: or postgres://")
	}

	c.MediaStore = raw["media-store"]
	if c.MediaStore != "" && !strings.HasPrefix(c.MediaStore, "file:") && !strings.HasPrefix(c.MediaStore, "s3://") {
		bad("media-store", "must start with file: or s3://")
	}

	if err := c.LogLevel.UnmarshalText([]byte(raw["log-level"])); err != nil {
		bad("log-level", "%q is not one of debug, info, warn, error", raw["log-level"])
	}
	c.LogFormat = raw["log-format"]
	switch c.LogFormat {
	case "text", "json", "auto":
	default:
		bad("log-format", "%q is not one of text, json, auto", c.LogFormat)
	}

	c.AllowPrivateNetworks = parsePrefixes(raw, "allow-private-networks", bad)
	c.TrustedProxies = parsePrefixes(raw, "trusted-proxies", bad)

	d, err := time.ParseDuration(raw["shutdown-timeout"])
	if err != nil || d <= 0 {
		bad("shutdown-timeout", "%q is not a positive duration such as 15s", raw["shutdown-timeout"])
	}
	c.ShutdownTimeout = d

	d, err = time.ParseDuration(raw["job-timeout"])
	if err != nil || d < time.Second {
		bad("job-timeout", "%q is not a duration of at least 1s such as 2m", raw["job-timeout"])
	}
	c.JobTimeout = d

	d, err = time.ParseDuration(raw["feed-interval"])
	if err != nil || d < 10*time.Second {
		bad("feed-interval", "%q is not a duration of at least 10s such as 15m", raw["feed-interval"])
	}
	c.FeedInterval = d

	d, err = time.ParseDuration(raw["compact-interval"])
	if err != nil || d < time.Second {
		bad("compact-interval", "%q is not a duration of at least 1s such as 10m", raw["compact-interval"])
	}
	c.CompactInterval = d

	n, err := strconv.Atoi(raw["boost-limit"])
	if err != nil || n < 1 {
		bad("boost-limit", "%q is not a whole number of at least 1", raw["boost-limit"])
	}
	c.BoostLimit = n

	c.SMTPURL, c.SMTPFrom = raw["smtp-url"], raw["smtp-from"]
	if c.SMTPURL != "" {
		if _, err := mail.New(c.SMTPURL, c.SMTPFrom); err != nil {
			// The URL holds a password: never print it back.
			bad("smtp-url", "%v", err)
		}
	}
	return c, errors.Join(errs...)
}

func envOf(flagName string) string {
	for _, s := range settings {
		if s.flag == flagName {
			return s.env
		}
	}
	return ""
}

// Table returns the settings as rows (flag, env, default, usage) for the
// README and --help.
func Table() [][4]string {
	rows := make([][4]string, len(settings))
	for i, s := range settings {
		rows[i] = [4]string{s.flag, s.env, s.def, s.usage}
	}
	return rows
}

// parsePrefixes reads a comma-separated list of CIDR ranges; a bare
// address stands for itself alone.
func parsePrefixes(raw map[string]string, name string, bad func(string, string, ...any)) []netip.Prefix {
	var out []netip.Prefix
	for _, part := range strings.Split(raw[name], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				bad(name, "%q is not a CIDR range such as 127.0.0.0/8", part)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

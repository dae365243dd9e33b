package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/newsroom"
)

// env is the outside world a command sees; tests hand in their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// useTempDir makes a directory the process's temporary directory;
	// nil where commands run inside another program (tests), whose
	// temporary directory is not ours to change.
	useTempDir func(dir string) error
}

// errUsage marks a mistake in the command line: exit code 2.
var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, e env) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (applies pending migrations first)", cmdServe},
		{"migrate", "apply migrations (up) or list them (status)", cmdMigrate},
		{"org", "create or list organisations; aliases, move, followers (--csv), export, import", cmdOrg},
		{"user", "create users, set passwords, list users", cmdUser},
		{"domain", "block, unblock or list remote domains", cmdDomain},
		{"site", "show or set the site's name, tagline, logo, colour, website, footer and time zone", cmdSite},
		{"post", "publish, edit or delete a post from a Markdown file", cmdPost},
		{"feed", "import an organisation's website feed: add, list, remove, poll", cmdFeed},
		{"network", "follow members' fediverse accounts to boost their posts: add, list, remove", cmdNetwork},
		{"media", "copy the media to another store (migrate --to s3://…)", cmdMedia},
		{"healthcheck", "exit 0 if the local server answers /healthz (for containers)", cmdHealthcheck},
		{"version", "print the version", cmdVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "newsroom %s: an association's news on the fediverse\n\nUsage: newsroom COMMAND [flags]\n\nCommands:\n", Version())
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nEvery command reads the same settings; 'newsroom serve --help' lists them.\n")
}

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:], e)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(e.stderr, "newsroom %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(e.stderr, "newsroom %s: %v\n", name, describe(err))
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "newsroom: unknown command %q\n\n", name)
	usage(e.stderr)
	return 2
}

// describe turns a validation error into sentences a person can act on.
func describe(err error) error {
	var v *newsroom.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, len(keys))
	for _, k := range keys {
		msg, ok := cliMessages[v.Fields[k]]
		if !ok {
			msg = "is not valid (" + v.Fields[k] + ")"
		}
		msgs = append(msgs, fmt.Sprintf("--%s: %s", strings.ReplaceAll(k, "_", "-"), msg))
	}
	return errors.New(strings.Join(msgs, "; "))
}

var cliMessages = map[string]string{
	"required":           "is required",
	"too_long":           "is too long",
	"invalid":            "is not a valid value",
	"handle_invalid":     "use 1 to 64 lowercase letters, digits, '-' or '_'",
	"handle_reserved":    "this handle is reserved",
	"handle_taken":       "an organisation already has this handle",
	"email_invalid":      "is not an email address",
	"url_invalid":        "is not an http or https address",
	"email_taken":        "a user already has this email",
	"password_too_short": fmt.Sprintf("must have at least %d characters", newsroom.MinPasswordLen),
	"too_many":           "has too many entries",
	"alt_required":       "every image needs a description (alt text)",
	"same_lang":          "must differ from the post's language",
	"end_before_start":   "must not be before the start",
	"immutable":          "cannot change once published",
	"network.own":        "is one of this newsroom's own organisations",
	"colour_invalid":     "is not a colour: use # and six hexadecimal digits, like #0b5394",
	"accent_contrast":    fmt.Sprintf("is too light: its contrast with white must be at least %.1f:1", newsroom.MinAccentContrast),
	"move.self":          "is this organisation's own account",
	"move.unknown":       "no such account could be found (WebFinger and actor fetch failed)",
	"move.not_alias":     "that account does not list this organisation among its aliases (alsoKnownAs): add the old address there first",
	"moved":              "the organisation has moved to another account: it no longer publishes here",
	"tag_invalid":        "hashtags hold only letters, digits and _ (the words of a tag such as vie associative are joined: #VieAssociative)",
}

// newFlags makes a FlagSet for a subcommand with every setting on it.
func newFlags(name string, e env) (*flag.FlagSet, *config.Flags) {
	fs := flag.NewFlagSet("newsroom "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs, config.Register(fs)
}

// parse parses args and loads the configuration. Flags may come after the
// arguments, as people write them ("domain block spam.example --reason
// spam"): the flag package alone stops at the first argument and would
// silently take "--reason" for one.
func parse(fs *flag.FlagSet, cf *config.Flags, args []string, e env) (config.Config, error) {
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, err
		}
		return config.Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := cf.Load(e.getenv)
	if err != nil {
		return config.Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			positional = append(positional, rest...) // after "--", nothing is a flag
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

func cmdVersion(ctx context.Context, args []string, e env) error {
	fmt.Fprintln(e.stdout, "newsroom", Version())
	return nil
}

func cmdServe(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("serve", e)
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if e.useTempDir != nil {
		if err := e.useTempDir(cfg.TempDir()); err != nil {
			return err
		}
	}
	m, err := Open(ctx, cfg, e.stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

func cmdMigrate(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("migrate", e)
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	action := fs.Arg(0)
	if action == "" {
		action = "up"
	}
	if action != "up" && action != "status" {
		return fmt.Errorf("%w: migrate takes 'up' or 'status', not %q", errUsage, action)
	}
	st, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if action == "up" {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
	}
	states, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, s := range states {
		status := "pending"
		if s.Applied {
			status = "applied"
			if !s.AppliedAt.IsZero() {
				status += " " + s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
		}
		fmt.Fprintf(e.stdout, "%-9s %-40s %s\n", s.Source, s.Name, status)
	}
	return nil
}

// readPassword takes NEWSROOM_PASSWORD, or asks on a terminal.
func readPassword(e env, prompt string) (string, error) {
	if p := e.getenv("NEWSROOM_PASSWORD"); p != "" {
		return p, nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return "", fmt.Errorf("%w: set NEWSROOM_PASSWORD or run this command in a terminal to type the password", errUsage)
	}
	p1, err := askPassword(f, e.stderr, prompt)
	if err != nil {
		return "", err
	}
	p2, err := askPassword(f, e.stderr, "Again: ")
	if err != nil {
		return "", err
	}
	if p1 != p2 {
		return "", errors.New("the two passwords differ")
	}
	return p1, nil
}

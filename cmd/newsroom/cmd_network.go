package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/soga/newsroom/federation/inbox"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

func cmdNetwork(ctx context.Context, args []string, e env) error {
	const want = "network takes 'add', 'list' or 'remove'"
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, want)
	}
	switch args[0] {
	case "add":
		return networkAdd(ctx, args[1:], e)
	case "list":
		return networkList(ctx, args[1:], e)
	case "remove":
		return networkRemove(ctx, args[1:], e)
	default:
		return fmt.Errorf("%w: %s, not %q", errUsage, want, args[0])
	}
}

// listFlag is a repeatable flag; each value may also hold several words
// separated by commas.
type listFlag []string

func (w *listFlag) String() string { return strings.Join(*w, ",") }

func (w *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*w = append(*w, s)
		}
	}
	return nil
}

// cliNetwork is the network service of a command: it resolves accounts
// with this process's own client, signed with the instance actor's key,
// and leaves the delivery of what it writes to the running server.
func cliNetwork(ctx context.Context, st store.Store, cfg config.Config) (*network.Service, error) {
	keys, client, err := cliKeys(ctx, st, cfg)
	if err != nil {
		return nil, err
	}
	return newNetwork(st, cfg, urls.New(cfg.BaseURL), nil, keys, client, slog.New(slog.DiscardHandler)), nil
}

// cliKeys are a command's own client and the keys cache that fetches
// actors with it, signed with the instance actor's key.
func cliKeys(ctx context.Context, st store.Store, cfg config.Config) (*inbox.Keys, *transport.Client, error) {
	pem, err := instanceKey(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor key: %w", err)
	}
	priv, err := transport.ParsePrivateKey(pem)
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor key: %w", err)
	}
	u := urls.New(cfg.BaseURL)
	client := newClient(cfg, u)
	return inbox.NewKeys(st, &transport.Fetcher{Client: client, KeyID: u.InstanceKey(), Key: priv}), client, nil
}

// cliOrg finds the organisation --org names.
func cliOrg(ctx context.Context, st store.Store, handle string) (*newsroom.Organisation, error) {
	if handle == "" {
		return nil, fmt.Errorf("%w: --org is required", errUsage)
	}
	org, err := st.OrgByHandle(ctx, newsroom.NormaliseHandle(handle))
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, fmt.Errorf("%w: --org: no organisation @%s", errUsage, handle)
	}
	return org, err
}

func networkAdd(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("network add", e)
	handle := fs.String("org", "", "handle of the organisation that follows and boosts (required)")
	var tags, langs listFlag
	fs.Var(&tags, "tag", "boost only posts with this hashtag (repeatable; default: every public post)")
	fs.Var(&langs, "lang", "boost only posts in this language (repeatable)")
	review := fs.Bool("review", false, "queue matching posts for an editor's approval instead of boosting them at once")
	sensitive := fs.Bool("allow-sensitive", false, "boost posts marked sensitive too")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: newsroom network add --org HANDLE [--tag TAG]... [--lang LANG]... [--review] @user@host|ACTOR-URL\n\n")
		fs.PrintDefaults()
	}
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: network add takes one ACCOUNT (@user@host or an actor URL)", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := cliOrg(ctx, st, *handle)
	if err != nil {
		return err
	}
	svc, err := cliNetwork(ctx, st, cfg)
	if err != nil {
		return err
	}
	a, err := svc.Add(ctx, org, fs.Arg(0), network.Rules{Tags: tags, Langs: langs, Review: *review, AllowSensitive: *sensitive})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "@%s now follows @%s (%s): %s until it accepts\n", urls.New(cfg.BaseURL).Handle(org.Handle), a.Acct, a.ActorID, a.State)
	return nil
}

func networkList(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("network list", e)
	handle := fs.String("org", "", "only this organisation's accounts")
	_, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	orgs, err := st.ListOrgs(ctx)
	if err != nil {
		return err
	}
	handles := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		handles[o.ID] = o.Handle
	}
	var orgID int64
	if *handle != "" {
		org, err := cliOrg(ctx, st, *handle)
		if err != nil {
			return err
		}
		orgID = org.ID
	}
	list, err := st.ListNetworkAccounts(ctx, orgID, "", 0, 0)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tACCOUNT\tNAME\tSTATE\tRULES")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t@%s\t%s\t%s\t%s\n", handles[a.OrgID], a.Acct, a.Name, a.State, describeRules(a))
	}
	return tw.Flush()
}

// describeRules says in a few words which posts of an account are boosted.
func describeRules(a newsroom.NetworkAccount) string {
	var parts []string
	if len(a.Tags) > 0 {
		parts = append(parts, "#"+strings.Join(a.Tags, " #"))
	}
	if len(a.Langs) > 0 {
		parts = append(parts, "lang "+strings.Join(a.Langs, ","))
	}
	if len(parts) == 0 {
		parts = append(parts, "every public post")
	}
	if a.AllowSensitive {
		parts = append(parts, "sensitive too")
	}
	if a.Review {
		parts = append(parts, "review")
	}
	return strings.Join(parts, "; ")
}

func networkRemove(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("network remove", e)
	handle := fs.String("org", "", "the organisation that stops following (default: every one that follows ACCOUNT)")
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: network remove takes one ACCOUNT", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var orgs []newsroom.Organisation
	if *handle != "" {
		org, err := cliOrg(ctx, st, *handle)
		if err != nil {
			return err
		}
		orgs = append(orgs, *org)
	} else if orgs, err = st.ListOrgs(ctx); err != nil {
		return err
	}
	svc := newNetwork(st, cfg, urls.New(cfg.BaseURL), nil, nil, nil, slog.New(slog.DiscardHandler))
	removed := 0
	for i := range orgs {
		err := svc.Remove(ctx, &orgs[i], fs.Arg(0))
		if errors.Is(err, newsroom.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		removed++
		fmt.Fprintf(e.stdout, "@%s no longer follows %s\n", orgs[i].Handle, fs.Arg(0))
	}
	if removed == 0 {
		return fmt.Errorf("no organisation follows %s", fs.Arg(0))
	}
	return nil
}

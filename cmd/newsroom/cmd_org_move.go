package main

import (
	"context"
	"fmt"

	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// orgMove moves an organisation to another account: the new account
// must list ours in its alsoKnownAs. The running server delivers the Move.
func orgMove(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org move", e)
	handle := fs.String("org", "", "the organisation that moves (required)")
	to := fs.String("to", "", "its new account, @user@server or an actor URL, which lists this organisation in its aliases (required)")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := cliOrg(ctx, st, *handle)
	if err != nil {
		return err
	}
	svc, err := cliOrgs(ctx, st, cfg)
	if err != nil {
		return err
	}
	target, err := svc.Move(ctx, org.ID, *to)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "@%s moved to %s: its followers' servers are sent the Move\n", urls.New(cfg.BaseURL).Handle(org.Handle), target)
	return nil
}

// orgAliases shows or sets the accounts an organisation is also known as.
func orgAliases(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org aliases", e)
	handle := fs.String("org", "", "the organisation (required)")
	var set listFlag
	fs.Var(&set, "set", "an account it is also known as, @user@server or an actor URL (repeatable; replaces the list)")
	clear := fs.Bool("clear", false, "remove every alias")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := cliOrg(ctx, st, *handle)
	if err != nil {
		return err
	}
	if len(set) > 0 || *clear {
		svc, err := cliOrgs(ctx, st, cfg)
		if err != nil {
			return err
		}
		if err := svc.SetAliases(ctx, org.ID, set); err != nil {
			return err
		}
		if org, err = st.OrgByID(ctx, org.ID); err != nil {
			return err
		}
	}
	for _, a := range org.AlsoKnownAs {
		fmt.Fprintln(e.stdout, a)
	}
	if org.Moved() {
		fmt.Fprintf(e.stdout, "moved to %s\n", org.MovedTo)
	}
	return nil
}

// orgFollowers lists an organisation's followers, as Mastodon's import
// CSV with --csv.
func orgFollowers(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org followers", e)
	handle := fs.String("org", "", "the organisation (required)")
	asCSV := fs.Bool("csv", false, "write Mastodon's follows import format (Account address,Show boosts,…)")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := cliOrg(ctx, st, *handle)
	if err != nil {
		return err
	}
	aud := audience.New(st, urls.New(cfg.BaseURL), newULID)
	if *asCSV {
		return aud.FollowersCSV(ctx, e.stdout, org.ID)
	}
	return aud.EachFollowerAcct(ctx, org.ID, func(acct string) error {
		_, err := fmt.Fprintln(e.stdout, acct)
		return err
	})
}

// cliOrgs is the organisation service of a command, able to resolve
// remote accounts with the command's own client; the running server
// delivers what it writes.
func cliOrgs(ctx context.Context, st store.Store, cfg config.Config) (*orgs.Service, error) {
	keys, client, err := cliKeys(ctx, st, cfg)
	if err != nil {
		return nil, err
	}
	svc := newOrgs(st, urls.New(cfg.BaseURL), nil)
	svc.Resolver = newResolver(cfg, keys, client)
	return svc, nil
}

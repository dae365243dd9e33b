package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

func cmdUser(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: user takes 'create', 'set-password', 'reset-link' or 'list'", errUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], e)
	case "set-password":
		return userSetPassword(ctx, args[1:], e)
	case "reset-link":
		return userResetLink(ctx, args[1:], e)
	case "list":
		return userList(ctx, args[1:], e)
	default:
		return fmt.Errorf("%w: user takes 'create', 'set-password', 'reset-link' or 'list', not %q", errUsage, args[0])
	}
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func userCreate(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("user create", e)
	email := fs.String("email", "", "login email (required)")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "make the user an administrator")
	lang := fs.String("lang", "", "interface language: fr or en (default: from the browser)")
	var orgHandles stringList
	fs.Var(&orgHandles, "org", "handle of an organisation the user edits (repeatable)")
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	if !*admin && len(orgHandles) == 0 {
		return fmt.Errorf("%w: give --admin, or --org HANDLE for each organisation the user edits", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var orgIDs []int64
	for _, h := range orgHandles {
		o, err := st.OrgByHandle(ctx, newsroom.NormaliseHandle(h))
		if err != nil {
			return fmt.Errorf("--org %s: %w", h, err)
		}
		orgIDs = append(orgIDs, o.ID)
	}
	password, err := readPassword(e, "Password: ")
	if err != nil {
		return err
	}
	u, err := users.New(st).Create(ctx, users.NewUser{Email: *email, Name: *name, Password: password,
		IsAdmin: *admin, Lang: *lang, OrgIDs: orgIDs})
	if err != nil {
		return err
	}
	role := "editor"
	if u.IsAdmin {
		role = "administrator"
	}
	fmt.Fprintf(e.stdout, "created %s %s; log in at %s/login\n", role, u.Email, cfg.BaseURL)
	return nil
}

func userSetPassword(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("user set-password", e)
	_, st, u, err := userByEmailFlag(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	password, err := readPassword(e, "New password: ")
	if err != nil {
		return err
	}
	if err := users.New(st).SetPassword(ctx, u.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; their sessions were ended\n", u.Email)
	return nil
}

// userResetLink prints a one-time link with which the person chooses a
// new password themselves, as the users page makes one: for an
// administrator locked out, or a server without the editor in reach.
func userResetLink(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("user reset-link", e)
	cfg, st, u, err := userByEmailFlag(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	link, err := users.New(st).ResetLink(ctx, u.ID, users.ResetLifetime)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s/reset/%s\nworks once, until %s, for %s; earlier links stopped working\n",
		cfg.BaseURL, link.Token, link.Expires.Format("2006-01-02 15:04 MST"), u.Email)
	return nil
}

func userList(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("user list", e)
	_, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	orgs, err := st.ListOrgs(ctx)
	if err != nil {
		return err
	}
	handles := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		handles[o.ID] = o.Handle
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tORGANISATIONS")
	for _, u := range list {
		ids, err := st.UserOrgIDs(ctx, u.ID)
		if err != nil {
			return err
		}
		var hs []string
		for _, id := range ids {
			hs = append(hs, handles[id])
		}
		role := "editor"
		if u.IsAdmin {
			role = "admin"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, role, strings.Join(hs, ","))
	}
	return tw.Flush()
}

// userByEmailFlag parses a user command's flags and finds the account
// its --email names. The caller closes the store.
func userByEmailFlag(ctx context.Context, fs *flag.FlagSet, cf *config.Flags, args []string, e env) (config.Config, migratingStore, *newsroom.User, error) {
	email := fs.String("email", "", "login email (required)")
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return cfg, nil, nil, err
	}
	if *email == "" {
		return cfg, nil, nil, fmt.Errorf("%w: --email is required", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return cfg, nil, nil, err
	}
	u, err := st.UserByEmail(ctx, newsroom.NormaliseEmail(*email))
	if err != nil {
		st.Close()
		return cfg, nil, nil, fmt.Errorf("--email %s: %w", *email, err)
	}
	return cfg, st, u, nil
}

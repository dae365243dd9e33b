package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

func cmdOrg(ctx context.Context, args []string, e env) error {
	const want = "org takes 'create', 'list', 'aliases', 'move', 'followers', 'export' or 'import'"
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, want)
	}
	switch args[0] {
	case "create":
		return orgCreate(ctx, args[1:], e)
	case "list":
		return orgList(ctx, args[1:], e)
	case "aliases":
		return orgAliases(ctx, args[1:], e)
	case "move":
		return orgMove(ctx, args[1:], e)
	case "followers":
		return orgFollowers(ctx, args[1:], e)
	case "export":
		return orgExport(ctx, args[1:], e)
	case "import":
		return orgImport(ctx, args[1:], e)
	default:
		return fmt.Errorf("%w: %s, not %q", errUsage, want, args[0])
	}
}

func orgCreate(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org create", e)
	handle := fs.String("handle", "", "the fediverse handle, as in @HANDLE@host (required)")
	name := fs.String("name", "", "display name (required)")
	bio := fs.String("bio", "", "a short presentation")
	website := fs.String("website", "", "website URL")
	lang := fs.String("lang", "fr", "default language of posts")
	actorType := fs.String("type", string(newsroom.ActorOrganization), "actor type: Organization, Group or Service")
	boostsMembers := fs.Bool("boosts-members", false, "boost the posts of this site's organisations that allow it (for the association)")
	allowsBoosts := fs.Bool("allows-boosts", false, "let the organisations that boost their members boost this one's posts")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	o := &newsroom.Organisation{Handle: *handle, Name: *name, Bio: *bio, Website: *website,
		DefaultLang: *lang, ActorType: newsroom.ActorType(*actorType), BoostsMembers: *boostsMembers, AllowsBoosts: *allowsBoosts}
	u := urls.New(cfg.BaseURL)
	if err := newOrgs(st, u, nil).Create(ctx, o); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created @%s: %s\n", u.Handle(o.Handle), u.Org(o.Handle))
	return nil
}

func orgList(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org list", e)
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.ListOrgs(ctx)
	if err != nil {
		return err
	}
	u := urls.New(cfg.BaseURL)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HANDLE\tNAME\tACTOR")
	for _, o := range list {
		fmt.Fprintf(tw, "@%s\t%s\t%s\n", u.Handle(o.Handle), o.Name, u.Org(o.Handle))
	}
	return tw.Flush()
}

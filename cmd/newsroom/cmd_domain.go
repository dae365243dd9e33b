package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/soga/newsroom/internal/newsroom"
)

func cmdDomain(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: domain takes 'block', 'unblock' or 'list'", errUsage)
	}
	action := args[0]
	fs, cf := newFlags("domain "+action, e)
	reason := fs.String("reason", "", "why the domain is blocked (block only)")
	cfg, err := parse(fs, cf, args[1:], e)
	if err != nil {
		return err
	}
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(fs.Arg(0))), ".")
	if action != "list" && (domain == "" || strings.ContainsAny(domain, "/:@ ")) {
		return fmt.Errorf("%w: domain %s takes a domain name, as in: newsroom domain %s spam.example", errUsage, action, action)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "block":
		if err := st.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: domain, Reason: *reason}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "blocked %s: its requests are refused and its followers removed\n", domain)
	case "unblock":
		if err := st.RemoveDomainBlock(ctx, domain); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "unblocked %s\n", domain)
	case "list":
		list, err := st.ListDomainBlocks(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DOMAIN\tSINCE\tREASON")
		for _, b := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Domain, b.CreatedAt.Format("2006-01-02"), b.Reason)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("%w: domain takes 'block', 'unblock' or 'list', not %q", errUsage, action)
	}
	return nil
}

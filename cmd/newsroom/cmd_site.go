package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/urls"
)

// cmdSite shows or changes the site's identity and time zone. A running
// server learns of the change from the database, like any other write.
func cmdSite(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "show") {
		return fmt.Errorf("%w: site takes 'set' or 'show'", errUsage)
	}
	action := args[0]
	fs, cf := newFlags("site "+action, e)
	text := map[string]*string{
		"name":     fs.String("name", "", "the association's name, shown in the header, titles, feeds and link cards"),
		"tagline":  fs.String("tagline", "", "a line under the name"),
		"url":      fs.String("url", "", "the association's main website (example.org or https://example.org/)"),
		"timezone": fs.String("timezone", "", "IANA time zone public pages show times in, e.g. Europe/Paris"),
		"footer":   fs.String("footer", "", "footer of every public page: legal notice and contact, plain text or Markdown"),
		"accent":   fs.String("accent", "", "accent colour, #rrggbb, with a contrast of at least 4.5:1 against white"),
	}
	logo := fs.String("logo", "", "image file of the logo (favicon, header, the server's fediverse icon)")
	noLogo := fs.Bool("no-logo", false, "remove the logo")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args[1:], e)
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := openMedia(cfg)
	if err != nil {
		return err
	}
	svc := newSettings(st, blobs, urls.New(cfg.BaseURL), nil, slog.New(slog.DiscardHandler))
	if action == "show" {
		site, err := svc.Current(ctx)
		if err != nil {
			return err
		}
		return printSite(e, site)
	}
	in, err := siteInput(fs, text, *logo, *noLogo)
	if err != nil {
		return err
	}
	if c, ok := in.Logo.(*os.File); ok {
		defer c.Close()
	}
	site, err := svc.Update(ctx, in)
	if err != nil {
		return renameFields(err)
	}
	return printSite(e, site)
}

// siteInput holds the flags given, and only those: the others keep their
// value.
func siteInput(fs *flag.FlagSet, text map[string]*string, logo string, noLogo bool) (settings.Input, error) {
	var in settings.Input
	fields := map[string]**string{"name": &in.Name, "tagline": &in.Tagline, "url": &in.Website,
		"timezone": &in.TimeZone, "footer": &in.Footer, "accent": &in.Accent}
	fs.Visit(func(f *flag.Flag) {
		if dst, ok := fields[f.Name]; ok {
			*dst = text[f.Name]
		}
	})
	in.RemoveLogo = noLogo
	if logo != "" {
		f, err := os.Open(logo)
		if err != nil {
			return in, fmt.Errorf("logo: %w", err)
		}
		in.Logo = f
	}
	return in, nil
}

// renameFields names the flags a person typed where the form's fields
// are named otherwise (time_zone is --timezone, website --url).
func renameFields(err error) error {
	var v *newsroom.ValidationError
	if errors.As(err, &v) {
		if msg, ok := v.Fields["time_zone"]; ok {
			delete(v.Fields, "time_zone")
			v.Fields["timezone"] = msg
		}
		if msg, ok := v.Fields["website"]; ok {
			delete(v.Fields, "website")
			v.Fields["url"] = msg
		}
	}
	return err
}

func printSite(e env, s settings.Site) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	logo := s.LogoID
	if s.Logo != nil {
		logo = fmt.Sprintf("%s (%dx%d)", s.LogoID, s.Logo.Width, s.Logo.Height)
	}
	for _, row := range [][2]string{{"name", s.Name}, {"tagline", s.Tagline}, {"url", s.Website},
		{"timezone", s.TimeZone}, {"accent", s.Accent}, {"logo", logo}, {"footer", s.Footer}} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/portability"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// orgExport writes an organisation to an archive file, through a
// temporary file renamed at the end: a failed export leaves no archive
// that looks whole.
func orgExport(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org export", e)
	handle := fs.String("org", "", "the organisation to export (required)")
	withKey := fs.Bool("with-key", false, "include the actor's private key (only when the same domain moves to a new machine; keep the file secret)")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: org export takes the archive's file name (… FILE.tar.gz)", errUsage)
	}
	org, err := cliOrg(ctx, st, *handle)
	if err != nil {
		return err
	}
	svc, err := cliPortability(st, cfg)
	if err != nil {
		return err
	}
	name := fs.Arg(0)
	tmp, err := os.CreateTemp(filepath.Dir(name), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	m, err := svc.Export(ctx, tmp, org.Handle, portability.ExportOptions{WithKey: *withKey})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exported @%s to %s: %d posts, %d images, %d followers\n", org.Handle, name, m.Posts, m.Media, m.Followers)
	return nil
}

// orgImport recreates an organisation from an archive.
func orgImport(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("org import", e)
	handle := fs.String("handle", "", "its handle here (default: the one it had)")
	cfg, st, err := parseAndOpen(ctx, fs, cf, args, e)
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: org import takes the archive's file name", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	svc, err := cliPortability(st, cfg)
	if err != nil {
		return err
	}
	res, err := svc.Import(ctx, f, portability.ImportOptions{Handle: *handle})
	if err != nil {
		return err
	}
	u := urls.New(cfg.BaseURL)
	verb := "imported"
	if !res.Created {
		verb = "completed the import of"
	}
	fmt.Fprintf(e.stdout, "%s @%s (%s): %d new posts, %d images, %d followers; also known as %s\n",
		verb, u.Handle(res.Org.Handle), u.Org(res.Org.Handle), res.Posts, res.Media, res.Followers, res.OldActor)
	fmt.Fprintf(e.stdout, "next, on the old server: newsroom org move --org %s --to %s\n", res.OldHandle, u.Org(res.Org.Handle))
	return nil
}

func cliPortability(st store.Store, cfg config.Config) (*portability.Service, error) {
	blobs, err := openMedia(cfg)
	if err != nil {
		return nil, err
	}
	return &portability.Service{Store: st, Blobs: blobs, URLs: urls.New(cfg.BaseURL), GenerateKey: transport.GenerateKey}, nil
}

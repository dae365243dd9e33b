package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/urls"
)

func cmdPost(ctx context.Context, args []string, e env) error {
	const want = "post takes 'publish', 'edit' or 'delete'"
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, want)
	}
	switch args[0] {
	case "publish":
		return postPublish(ctx, args[1:], e)
	case "edit":
		return postEdit(ctx, args[1:], e)
	case "delete":
		return postDelete(ctx, args[1:], e)
	default:
		return fmt.Errorf("%w: %s, not %q", errUsage, want, args[0])
	}
}

func postPublish(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post publish", e)
	handle := fs.String("org", "", "handle of the organisation publishing (required)")
	kind := fs.String("kind", "", "article, press or event (default: the file's kind, else article)")
	lang := fs.String("lang", "", "language of the post (default: the organisation's)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: newsroom post publish --org HANDLE [--kind KIND] [--lang LANG] FILE.md\n\n%s\n\n", posts.FileHelp)
		fs.PrintDefaults()
	}
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: post publish takes one FILE", errUsage)
	}
	in, err := readPostFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if *kind != "" {
		in.Kind = newsroom.PostKind(*kind)
	}
	if in.Kind == "" {
		in.Kind = newsroom.KindArticle
	}
	if *lang != "" {
		in.Lang = *lang
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := st.OrgByHandle(ctx, newsroom.NormaliseHandle(*handle))
	if errors.Is(err, newsroom.ErrNotFound) {
		return fmt.Errorf("%w: --org: no organisation @%s", errUsage, *handle)
	}
	if err != nil {
		return err
	}
	in.OrgID = org.ID
	u := urls.New(cfg.BaseURL)
	p, err := newPosts(st, u, nil, nil).Publish(ctx, in)
	if err != nil {
		return err
	}
	if p.Status == newsroom.StatusScheduled {
		fmt.Fprintf(e.stderr, "scheduled for %s\n", p.PublishAt.Format(time.RFC3339))
	}
	fmt.Fprintln(e.stdout, u.Post(org.Handle, p.ID))
	return nil
}

func postEdit(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post edit", e)
	kind := fs.String("kind", "", "article, press or event (default: the file's kind, else unchanged)")
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: post edit takes a post URL and a FILE", errUsage)
	}
	in, err := readPostFile(fs.Arg(1))
	if err != nil {
		return err
	}
	if *kind != "" {
		in.Kind = newsroom.PostKind(*kind)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u := urls.New(cfg.BaseURL)
	cur, err := postByURL(ctx, st, u, fs.Arg(0))
	if err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = cur.Kind
	}
	if in.Lang == "" {
		in.Lang = cur.Lang
	}
	if _, err := newPosts(st, u, nil, nil).Update(ctx, cur.ID, in); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, fs.Arg(0))
	return nil
}

func postDelete(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post delete", e)
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: post delete takes a post URL", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u := urls.New(cfg.BaseURL)
	p, err := postByURL(ctx, st, u, fs.Arg(0))
	if err != nil {
		return err
	}
	if err := newPosts(st, u, nil, nil).Delete(ctx, p.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted %s\n", fs.Arg(0))
	return nil
}

// postByURL finds a post by its URL (or bare id), checking the URL names
// the organisation the post belongs to.
func postByURL(ctx context.Context, st migratingStore, u urls.Builder, ref string) (*newsroom.Post, error) {
	handle, id, ok := u.PostFromURL(ref)
	if !ok {
		if strings.ContainsAny(ref, "/:") {
			return nil, fmt.Errorf("%w: %q is not a post URL of %s", errUsage, ref, u.Base())
		}
		id = ref
	}
	p, err := st.PostByID(ctx, id)
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, fmt.Errorf("%w: no post %s", errUsage, ref)
	}
	if err != nil {
		return nil, err
	}
	if handle != "" {
		org, err := st.OrgByID(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(org.Handle, handle) {
			return nil, fmt.Errorf("%w: no post %s", errUsage, ref)
		}
	}
	return p, nil
}

// readPostFile reads the post file at path (posts.ParseFile). Field
// errors are not prefixed with the path: the command reports them by
// field, like the service's.
func readPostFile(path string) (posts.PostInput, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return posts.PostInput{}, err
	}
	in, err := posts.ParseFile(raw)
	var v *newsroom.ValidationError
	if err != nil && !errors.As(err, &v) {
		return posts.PostInput{}, fmt.Errorf("%s: %w", path, err)
	}
	return in, err
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/soga/newsroom/internal/feeds"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

const feedUsage = "feed takes 'add', 'list', 'remove' or 'poll'"

func cmdFeed(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, feedUsage)
	}
	action := args[0]
	fs, cf := newFlags("feed "+action, e)
	handle := fs.String("org", "", "the organisation's handle (add: required; list, poll: only this one's feeds)")
	review := fs.Bool("review", false, "add: imported items wait as drafts for an editor")
	kind := fs.String("kind", string(newsroom.KindArticle), "add: the kind of the posts: article or press")
	backfill := fs.Int("backfill", feeds.DefaultBackfill, "add: how many of the feed's items to import at the first poll, without sending them to followers")
	cfg, err := parse(fs, cf, args[1:], e)
	if err != nil {
		return err
	}
	switch action {
	case "add", "remove":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: feed %s takes one address, as in: newsroom feed %s --org emmaus-connect https://emmaus-connect.org/", errUsage, action, action)
		}
	case "list", "poll":
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
		}
	default:
		return fmt.Errorf("%w: %s, not %q", errUsage, feedUsage, action)
	}
	if action == "add" && *handle == "" {
		return fmt.Errorf("%w: feed add needs --org HANDLE", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	// Pictures of the items go where the server keeps its media.
	blobs, err := openMedia(cfg)
	if err != nil {
		return err
	}
	u := urls.New(cfg.BaseURL)
	svc := newFeeds(cfg, st, blobs, u, newPosts(st, u, nil, nil), newOrgs(st, u, nil), newLogger(cfg, io.Discard))
	var org *newsroom.Organisation
	if *handle != "" {
		if org, err = st.OrgByHandle(ctx, newsroom.NormaliseHandle(*handle)); err != nil {
			return fmt.Errorf("organisation %q: %w", *handle, err)
		}
	}
	switch action {
	case "add":
		return feedAdd(ctx, svc, org, feeds.AddInput{OrgID: org.ID, URL: fs.Arg(0), Review: *review,
			Kind: newsroom.PostKind(*kind), Backfill: *backfill}, cfg.FeedInterval, e)
	case "remove":
		return feedRemove(ctx, svc, fs.Arg(0), e)
	case "list":
		return feedList(ctx, svc, st, orgID(org), e)
	default:
		return feedPoll(ctx, svc, orgID(org), e)
	}
}

func orgID(o *newsroom.Organisation) int64 {
	if o == nil {
		return 0
	}
	return o.ID
}

func feedAdd(ctx context.Context, svc *feeds.Service, org *newsroom.Organisation, in feeds.AddInput, every time.Duration, e env) error {
	if in.Backfill < 0 {
		return fmt.Errorf("%w: --backfill must be 0 or more", errUsage)
	}
	added, err := svc.Add(ctx, in)
	if err != nil {
		return err
	}
	if added.Discovered {
		fmt.Fprintf(e.stdout, "found the feed %s in the page %s\n", added.Source.FeedURL, in.URL)
	}
	fmt.Fprintf(e.stdout, "added %q (%s) to @%s; the server polls it within seconds, then every %s or so ('newsroom feed poll' polls now)\n",
		added.Title, added.Source.FeedURL, org.Handle, every)
	return nil
}

func feedRemove(ctx context.Context, svc *feeds.Service, url string, e env) error {
	list, err := svc.List(ctx, 0)
	if err != nil {
		return err
	}
	removed := 0
	for _, src := range list {
		if src.FeedURL == strings.TrimSpace(url) {
			if err := svc.Remove(ctx, src.ID); err != nil {
				return err
			}
			removed++
		}
	}
	if removed == 0 {
		return fmt.Errorf("no feed %s: 'newsroom feed list' shows the feeds", url)
	}
	fmt.Fprintf(e.stdout, "removed %s; the posts it imported stay\n", url)
	return nil
}

func feedList(ctx context.Context, svc *feeds.Service, st interface {
	OrgByID(context.Context, int64) (*newsroom.Organisation, error)
}, orgID int64, e env) error {
	list, err := svc.List(ctx, orgID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tFEED\tSTATE\tLAST POLL\tNEXT POLL\tHTTP\tIMPORTED\tLAST ERROR")
	handles := map[int64]string{}
	for _, src := range list {
		if handles[src.OrgID] == "" {
			o, err := st.OrgByID(ctx, src.OrgID)
			if err != nil {
				return err
			}
			handles[src.OrgID] = o.Handle
		}
		state := "polling"
		switch {
		case src.Disabled:
			state = "disabled"
		case src.Review:
			state = "polling, to review"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", handles[src.OrgID], src.FeedURL, state,
			when(src.LastPollAt), when(src.NextPollAt), src.LastStatus, src.Imported, src.LastError)
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// feedPoll polls now, in this process, each enabled source in turn. On a
// terminal a bar shows the items and images; otherwise one line per source.
func feedPoll(ctx context.Context, svc *feeds.Service, orgID int64, e env) error {
	list, err := svc.List(ctx, orgID)
	if err != nil {
		return err
	}
	f, isFile := e.stdout.(*os.File)
	tty := isFile && isTerminal(f)
	var failed []string
	for _, src := range list {
		if src.Disabled {
			fmt.Fprintf(e.stdout, "%s: disabled (%s)\n", src.FeedURL, src.LastError)
			continue
		}
		bar := &progressBar{w: e.stdout, on: tty}
		res, err := svc.Poll(ctx, src.ID, feeds.Progress{Items: bar.items, Image: bar.image})
		bar.done()
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s: HTTP %d, %d imported, %d updated", src.FeedURL, res.Source.LastStatus, res.Imported, res.Updated)
		if res.Source.LastError != "" {
			line += ": " + res.Source.LastError
			failed = append(failed, src.FeedURL)
		}
		fmt.Fprintln(e.stdout, line)
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, ", ") + ": see the errors above")
	}
	return nil
}

// progressBar draws "[#####.....] 12/40 items, 3 images" over itself.
type progressBar struct {
	w            io.Writer
	on           bool
	count, total int
	images       int
}

func (b *progressBar) items(done, total int) {
	b.count, b.total = done, total
	b.draw()
}

func (b *progressBar) image() {
	b.images++
	b.draw()
}

func (b *progressBar) draw() {
	if !b.on || b.total == 0 {
		return
	}
	drawBar(b.w, b.count, b.total, fmt.Sprintf("items, %d images", b.images))
}

func (b *progressBar) done() {
	if b.on && b.total > 0 {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

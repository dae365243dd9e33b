package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/soga/newsroom/internal/media"
)

func cmdMedia(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "migrate" {
		return fmt.Errorf("%w: media takes 'migrate --to s3://BUCKET?endpoint=URL&region=R'", errUsage)
	}
	fs, cf := newFlags("media migrate", e)
	to := fs.String("to", "", "the media store to copy into, as --media-store takes it (s3://… or file:DIR)")
	cfg, err := parse(fs, cf, args[1:], e)
	if err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: media migrate needs --to, as in --to 's3://newsroom-media?endpoint=https://s3.example.org&region=fr-par'", errUsage)
	}
	from, err := openMedia(cfg)
	if err != nil {
		return err
	}
	target, err := media.ParseLocation(*to, "", cfg.MediaCredentials())
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	fmt.Fprintf(e.stdout, "copying media from %s to %s\n", from, target)
	bar := newProgress(e.stdout)
	p, err := media.Copy(ctx, from, target, bar.show)
	bar.end()
	if err != nil {
		return fmt.Errorf("%w (%d of %d done; run the same command again to resume)", err, p.Done, p.Total)
	}
	fmt.Fprintf(e.stdout, "done: %d copied, %d already there, %d in all\n", p.Copied, p.Skipped, p.Total)
	fmt.Fprintf(e.stdout, "now restart every instance with --media-store '%s' (or NEWSROOM_MEDIA_STORE)\n", *to)
	return nil
}

// progress draws a bar on a terminal, and otherwise prints a plain line
// every tenth of the way, which logs keep readably.
type progress struct {
	w    io.Writer
	tty  bool
	last int
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && isTerminal(f), last: -1}
}

func (b *progress) show(p media.CopyProgress) {
	if p.Total == 0 {
		return
	}
	if b.tty {
		drawBar(b.w, p.Done, p.Total, fmt.Sprintf("(%d copied, %d already there)", p.Copied, p.Skipped))
		return
	}
	if tenth := p.Done * 10 / p.Total; tenth != b.last {
		b.last = tenth
		fmt.Fprintf(b.w, "%d/%d (%d copied, %d already there)\n", p.Done, p.Total, p.Copied, p.Skipped)
	}
}

func (b *progress) end() {
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/soga/newsroom/internal/newsroom"
)

// Progress hears what a poll does, for the command line's progress bar.
// Either method may be nil.
type Progress struct {
	// Items is called with the items done and the items to do.
	Items func(done, total int)
	// Image is called after each image fetched (or refused).
	Image func()
}

// Result is what one poll did.
type Result struct {
	Source   newsroom.FeedSource // as stored after the poll
	Imported int                 // new posts (or drafts)
	Updated  int                 // posts changed because their item changed
	Failed   int                 // items skipped for an error
}

// Poll fetches the source's feed now and imports what is new or changed.
// The source's state (status, error, next poll) is stored whatever
// happens; the error returned is only the store's. A source that is
// disabled is left alone.
func (s *Service) Poll(ctx context.Context, id int64, progress Progress) (*Result, error) {
	src, err := s.store.FeedSourceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if src.Disabled {
		res.Source = *src
		return res, nil
	}
	now := s.now().UTC()
	// The pace the feed asked for last time (<ttl>, sy:updatePeriod) is
	// not in a 304, which has no body: it is kept from the last poll.
	var pace time.Duration
	if src.Failures == 0 && !src.LastPollAt.IsZero() {
		pace = min(src.NextPollAt.Sub(src.LastPollAt), MaxInterval)
	}
	src.LastPollAt = now
	hint, pollErr := s.poll(ctx, src, res, progress)
	if pollErr == nil && src.LastStatus == http.StatusNotModified {
		hint = max(hint, pace)
	}
	if pollErr != nil {
		s.failed(src, hint, pollErr)
	} else {
		src.Failures, src.LastError, src.LastErrorKey, src.LastErrorDetail = 0, "", "", ""
		src.NextPollAt = now.Add(stretch(s.interval, hint))
	}
	if res.Failed > 0 {
		// Without its validators the next poll reads the feed again, and
		// the items not imported this time (the job's time ran out, the
		// database failed) are tried again.
		src.ETag, src.LastModified = "", ""
		if src.LastError == "" {
			src.LastError = fmt.Sprintf("%d items could not be imported yet; see the server's log", res.Failed)
			src.LastErrorKey, src.LastErrorDetail = "items_failed", strconv.Itoa(res.Failed)
		}
	}
	// The poll's state is written even when its context ended, or the
	// next poll would not know what this one did.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.store.UpdateFeedSource(wctx, src); err != nil {
		return nil, err
	}
	res.Source = *src
	s.log.Info("feed polled", "source", src.ID, "url", src.FeedURL, "status", src.LastStatus,
		"imported", res.Imported, "updated", res.Updated, "failed", res.Failed, "error", src.LastError,
		"next", src.NextPollAt)
	return res, nil
}

// failed records a failed poll: backoff with jitter, and after a 410 or
// MaxFailures in a row, the source is disabled.
func (s *Service) failed(src *newsroom.FeedSource, hint time.Duration, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		s.log.Warn("feed poll failed", "source", src.ID, "err", err)
		p = problem("internal", "could not import the feed (%v)", err).(*Problem)
	}
	src.Failures++
	src.LastError, src.LastErrorKey, src.LastErrorDetail = p.Text, p.Key, p.Detail
	wait := backoff(s.interval, src.Failures, s.jitter())
	src.NextPollAt = src.LastPollAt.Add(max(wait, hint))
	switch {
	case src.LastStatus == http.StatusGone:
		src.Disabled = true
		src.LastError = "the site says this feed is gone for good (HTTP 410); polling stopped"
	case src.Failures >= MaxFailures:
		src.Disabled = true
		src.LastError = fmt.Sprintf("%d failed polls in a row; polling stopped. Last error: %s", src.Failures, p.Text)
		src.LastErrorKey, src.LastErrorDetail = "stopped", strconv.Itoa(src.Failures)
	}
}

// poll does the fetching and importing; hint is how long the server or
// the feed asked us to wait.
func (s *Service) poll(ctx context.Context, src *newsroom.FeedSource, res *Result, progress Progress) (hint time.Duration, err error) {
	header := http.Header{}
	if src.ETag != "" {
		header.Set("If-None-Match", src.ETag)
	}
	if src.LastModified != "" {
		header.Set("If-Modified-Since", src.LastModified)
	}
	r, err := s.get(ctx, src.FeedURL, feedAccept, MaxFeedBytes, header)
	if r != nil {
		src.LastStatus = r.status
		hint = headerHint(r.header, s.now())
	} else {
		src.LastStatus = 0
	}
	if err != nil {
		return hint, err
	}
	switch r.status {
	case http.StatusOK:
	case http.StatusNotModified:
		return hint, nil
	case http.StatusGone:
		return hint, problem("gone", "the site says this feed is gone for good (HTTP 410)")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return hint, problem("later", "the site asks us to come back later (HTTP %d)", r.status)
	default:
		return hint, problem("status", "the site answered HTTP %d instead of the feed", r.status)
	}
	feed, err := parse(r.body)
	if err != nil {
		return hint, err
	}
	src.ETag, src.LastModified = bounded(r.header.Get("ETag")), bounded(r.header.Get("Last-Modified"))
	hint = max(hint, feedHint(feed))
	s.importItems(ctx, src, feed, res, progress)
	return hint, nil
}

// bounded drops a validator too long to be a real one.
func bounded(v string) string {
	if len(v) > 512 {
		return ""
	}
	return v
}

// importItems imports the feed's new and changed items, each in its own
// transaction; one item's failure does not stop the others.
func (s *Service) importItems(ctx context.Context, src *newsroom.FeedSource, feed *gofeed.Feed, res *Result, progress Progress) {
	items := s.items(src, feed)
	first := !src.Backfilled
	cache := map[string]*fetched{}
	for i, it := range items {
		if ctx.Err() != nil {
			res.Failed += len(items) - i
			break
		}
		if progress.Items != nil {
			progress.Items(i, len(items))
		}
		old, err := s.store.FeedItem(ctx, src.OrgID, it.key)
		if err != nil && !errors.Is(err, newsroom.ErrNotFound) {
			s.itemFailed(src, it, err, res)
			continue
		}
		switch {
		case old == nil && first && i >= src.Backfill:
			// Older than the backfill: remembered, never imported.
			err = s.store.AddFeedItem(ctx, newsroom.FeedItem{OrgID: src.OrgID, GUIDHash: it.key, SourceID: src.ID, ContentHash: it.hash})
			if errors.Is(err, newsroom.ErrConflict) {
				err = nil
			}
		case old == nil:
			// Feeds date to the second: an item of the second the source
			// was added in counts as after it.
			deliver := !first && (it.date.IsZero() || !it.date.Before(src.CreatedAt.Truncate(time.Second)))
			err = s.create(ctx, src, feed, it, deliver, cache, progress)
			if err == nil {
				res.Imported++
				src.Imported++
			}
			if errors.Is(err, errImportedMeanwhile) {
				err = nil
			}
		case old.ContentHash != it.hash && old.PostID != "":
			err = s.change(ctx, src, feed, it, old, cache, progress)
			if err == nil {
				res.Updated++
			}
		case old.ContentHash != it.hash:
			old.ContentHash = it.hash
			err = s.store.PutFeedItem(ctx, *old)
		}
		if err != nil {
			s.itemFailed(src, it, err, res)
		}
	}
	if progress.Items != nil {
		progress.Items(len(items), len(items))
	}
	src.Backfilled = true
}

func (s *Service) itemFailed(src *newsroom.FeedSource, it item, err error, res *Result) {
	res.Failed++
	s.log.Warn("feed item not imported", "source", src.ID, "item", it.link, "guid", it.guid, "err", err)
}

// items are the feed's distinct items, newest first, at most MaxItems.
func (s *Service) items(src *newsroom.FeedSource, feed *gofeed.Feed) []item {
	var out []item
	seen := map[string]bool{}
	for i, fi := range feed.Items {
		if fi == nil {
			continue
		}
		it := readItem(src.FeedURL, feed, fi, i)
		if seen[it.key] {
			continue // a GUID repeated within one feed: the first one stands
		}
		seen[it.key] = true
		out = append(out, it)
		if len(out) >= 4*MaxItems {
			break
		}
	}
	// Newest first. An undated item sorts with the item before it in the
	// feed, which lists newest first in practice.
	prev := time.Unix(1<<40, 0)
	for i := range out {
		if !out[i].date.IsZero() {
			prev = out[i].date
		}
		out[i].sortAt = prev
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].sortAt.After(out[j].sortAt) })
	if len(out) > MaxItems {
		out = out[:MaxItems]
	}
	return out
}

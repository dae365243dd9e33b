// Package feeds imports member organisations' website feeds (RSS, Atom,
// JSON Feed) as their posts: it owns the sources, polls them with
// conditional requests, remembers every item by its GUID, re-hosts the
// images, and hands the items to the publishing service. It fetches
// through the client it is given (the SSRF-safe one, in the server), and
// knows nothing of how that client is made.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// Bounds of what a source may cost.
const (
	MaxSourcesPerOrg = 20
	// MaxFeedBytes caps a feed's body; the largest real feeds (a
	// WordPress site's full content of its last 50 posts) stay far below.
	MaxFeedBytes = 10 << 20
	// MaxItems is how many items of one feed a poll looks at, newest first.
	MaxItems = 100
	// MaxImagesPerItem bounds what one item makes us download.
	MaxImagesPerItem = 8
	// MaxFailures in a row disable a source.
	MaxFailures     = 10
	DefaultBackfill = 20
	MaxBackfill     = MaxItems
	// MaxInterval is the longest a feed's own hints may stretch the wait.
	MaxInterval = 24 * time.Hour
	maxURL      = 2000
)

// Doer sends a request; the server's SSRF-safe client follows redirects
// itself, checking every hop.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Publisher turns items into posts (posts.Service).
type Publisher interface {
	Import(ctx context.Context, in posts.ImportInput, record func(tx store.Tx, p *newsroom.Post) error) (*newsroom.Post, error)
	ImportUpdate(ctx context.Context, id string, in posts.ImportInput, record func(tx store.Tx, p *newsroom.Post) error) (*newsroom.Post, error)
}

// MediaSaver cleans and stores an image (media.Store).
type MediaSaver interface {
	Save(ctx context.Context, r io.ReadSeeker) (*newsroom.Media, error)
}

// Actors tells followers' servers that an organisation's actor changed
// (orgs.Service).
type Actors interface {
	SendActor(ctx context.Context, tx store.Tx, orgID int64) error
}

// Deps is what a Service needs.
type Deps struct {
	Store store.Store
	// Actors, when set, is told when a source brings a new site to an
	// organisation, whose actor credits it in attributionDomains.
	Actors Actors
	Client Doer
	Posts  Publisher
	Media  MediaSaver
	URLs   urls.Builder
	// Interval is the wait between polls of a feed that says nothing
	// longer; default 15 minutes.
	Interval time.Duration
	Logger   *slog.Logger
	Now      func() time.Time
}

// Service adds, lists, removes and polls feed sources.
type Service struct {
	store    store.Store
	actors   Actors
	client   Doer
	posts    Publisher
	media    MediaSaver
	urls     urls.Builder
	interval time.Duration
	log      *slog.Logger
	now      func() time.Time
	jitter   func() float64
}

// New returns a Service.
func New(d Deps) *Service {
	s := &Service{store: d.Store, actors: d.Actors, client: d.Client, posts: d.Posts, media: d.Media, urls: d.URLs,
		interval: d.Interval, log: d.Logger, now: d.Now, jitter: rand.Float64}
	if s.interval <= 0 {
		s.interval = 15 * time.Minute
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// AddInput is what an administrator gives to follow a website.
type AddInput struct {
	OrgID int64
	// URL is the feed's, or a page of the site that links to its feed.
	URL      string
	Review   bool
	Kind     newsroom.PostKind // article (default) or press
	Backfill int               // -1 or 0 … MaxBackfill; -1 is DefaultBackfill
}

// Added says what Add did.
type Added struct {
	Source *newsroom.FeedSource
	// Discovered is set when URL was a page and the feed was found in it.
	Discovered bool
	Title      string // the feed's title
}

// Problem is an error said in plain words, for the administrator: Text
// in English for the command line and the logs; Key and Detail for the
// settings page, which says it in the reader's language
// ("feeds.problem.KEY" in the catalogues, with {{.Detail}}).
type Problem struct {
	Key, Detail string
	Text        string
}

func (p *Problem) Error() string { return p.Text }

// problem makes a Problem of key, whose detail is the first of args.
func problem(key string, format string, args ...any) error {
	p := &Problem{Key: key, Text: fmt.Sprintf(format, args...)}
	if len(args) > 0 {
		p.Detail = fmt.Sprint(args[0])
	}
	return p
}

// Add checks that in.URL leads to a feed (finding it in the page if it is
// one), and stores the source with its first poll's job in one commit.
func (s *Service) Add(ctx context.Context, in AddInput) (*Added, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return nil, fmt.Errorf("organisation %d: %w", in.OrgID, err)
	}
	switch in.Kind {
	case "":
		in.Kind = newsroom.KindArticle
	case newsroom.KindArticle, newsroom.KindPress:
	default:
		return nil, problem("kind", "kind must be article or press, not %q: a feed item has no event details", in.Kind)
	}
	if in.Backfill < 0 {
		in.Backfill = DefaultBackfill
	}
	if in.Backfill > MaxBackfill {
		return nil, problem("backfill", "backfill is at most %d items", MaxBackfill)
	}
	raw, err := checkURL(in.URL)
	if err != nil {
		return nil, err
	}
	existing, err := s.store.ListFeedSources(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxSourcesPerOrg {
		return nil, problem("too_many", "the organisation already has %d feeds, the most one organisation may have", MaxSourcesPerOrg)
	}
	feed, feedURL, discovered, err := s.discover(ctx, raw)
	if err != nil {
		return nil, err
	}
	site := absolute(feedURL, feed.Link)
	if site == "" {
		site = siteOf(feedURL)
	}
	src := &newsroom.FeedSource{OrgID: org.ID, FeedURL: feedURL, SiteURL: site, Review: in.Review,
		Kind: in.Kind, Backfill: in.Backfill, NextPollAt: s.now().UTC()}
	newSite := !slices.Contains(newsroom.SiteHosts(existing), firstOf(newsroom.SiteHosts([]newsroom.FeedSource{*src})))
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateFeedSource(ctx, src); err != nil {
			return err
		}
		if newSite && s.actors != nil {
			if err := s.actors.SendActor(ctx, tx, org.ID); err != nil {
				return err
			}
		}
		return tx.Enqueue(ctx, jobs.FeedPollArgs{SourceID: src.ID})
	})
	if errors.Is(err, newsroom.ErrConflict) {
		return nil, problem("exists", "the organisation already imports %s", feedURL)
	}
	if err != nil {
		return nil, err
	}
	return &Added{Source: src, Discovered: discovered, Title: oneLine(feed.Title)}, nil
}

// List returns an organisation's sources, or every source when orgID is 0.
func (s *Service) List(ctx context.Context, orgID int64) ([]newsroom.FeedSource, error) {
	return s.store.ListFeedSources(ctx, orgID)
}

// Remove forgets a source. Its posts stay, and so does the memory of its
// items: adding it again imports none of them twice.
func (s *Service) Remove(ctx context.Context, id int64) error {
	return s.store.DeleteFeedSource(ctx, id)
}

// PollSoon queues a poll of the source now, beside its regular ones. A
// source that was stopped (a 410, too many failures) starts again: its
// administrator asks because the site was fixed.
func (s *Service) PollSoon(ctx context.Context, id int64) error {
	return s.store.InTx(ctx, func(tx store.Tx) error {
		src, err := tx.FeedSourceByID(ctx, id)
		if err != nil {
			return err
		}
		if !src.Disabled {
			return tx.Enqueue(ctx, jobs.FeedPollArgs{SourceID: id, Once: true})
		}
		src.Disabled, src.Failures, src.NextPollAt = false, 0, s.now().UTC()
		if err := tx.UpdateFeedSource(ctx, src); err != nil {
			return err
		}
		return tx.Enqueue(ctx, jobs.FeedPollArgs{SourceID: id})
	})
}

// checkURL accepts an absolute http(s) URL of sensible length.
func checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > maxURL {
		return "", problem("not_url", "%q is not a web address (http:// or https://)", raw)
	}
	u.Fragment = ""
	return u.String(), nil
}

// absolute resolves ref against base; "" unless the result is http(s).
func absolute(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u, err := b.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// siteOf is the origin of a URL, as the site a feed belongs to.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/"
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// oneLine joins the words of s with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

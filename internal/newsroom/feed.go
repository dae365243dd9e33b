package newsroom

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// FeedSource is a member organisation's website feed, polled and imported
// as the organisation's posts.
type FeedSource struct {
	ID      int64
	OrgID   int64
	FeedURL string // the feed itself, after discovery from a site page
	SiteURL string // the site the feed belongs to (its <link>), for attribution
	Review  bool   // imported items wait as drafts for an editor
	Kind    PostKind
	// Backfill is how many of the items present at the first poll are
	// imported (without delivery); the older ones are only remembered.
	Backfill     int
	ETag         string
	LastModified string
	LastPollAt   time.Time // last attempt, successful or not
	NextPollAt   time.Time
	LastStatus   int    // HTTP status of the last attempt; 0 if none came back
	LastError    string // in plain words, in English; "" after a success
	// LastErrorKey and LastErrorDetail say LastError in the reader's
	// language (feeds.Problem).
	LastErrorKey, LastErrorDetail string
	Imported                      int // items turned into posts, over the source's life
	Failures                      int // consecutive failed polls
	Disabled                      bool
	// Backfilled is set once the first poll imported the feed's history:
	// from then on, new items are delivered.
	Backfilled bool
	CreatedAt  time.Time
}

// FeedItem remembers one item of an organisation's feeds, by the hash of
// its GUID (or link): the same item is never imported twice, even when the
// feed moves to another URL.
type FeedItem struct {
	OrgID    int64
	GUIDHash string // hex SHA-256 of the GUID, else of the link
	SourceID int64
	PostID   string // "" when the item was only remembered (older than the backfill)
	// ContentHash tells a changed item from an unchanged one.
	ContentHash string
	// Delivered says whether followers were sent the post: an edit of an
	// item they never received is not delivered either.
	Delivered bool
	UpdatedAt time.Time
}

// SiteHosts are the host names (without port) of the sites sources
// belong to, sorted and distinct: the domains whose pages credit the
// organisation's actor (its actor's attributionDomains).
func SiteHosts(sources []FeedSource) []string {
	var hosts []string
	for _, s := range sources {
		u, err := url.Parse(s.SiteURL)
		if err != nil || u.Hostname() == "" {
			continue
		}
		h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	slices.Sort(hosts)
	return hosts
}

// Package federation serves newsroom's ActivityPub documents: actors,
// collections, posts and stored activities, and the discovery documents
// that lead to them (WebFinger, host-meta, NodeInfo). Posts are built by
// the convert package, which makes everything we send; its subpackages
// verify inbox requests and deliver activities.
//
// It never imports the store or the server: it declares the few methods it
// needs as small interfaces, which the store satisfies and the composition
// root hands over.
package federation

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/httperr"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/urls"
)

// OrgSource finds our organisations (the store's Orgs).
type OrgSource interface {
	// OrgByHandle matches the handle case-insensitively and returns
	// newsroom.ErrNotFound for an unknown one.
	OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error)
}

// SiteSource lists the website feeds an organisation imports (the
// store's Feeds), whose sites its actor credits.
type SiteSource interface {
	ListFeedSources(ctx context.Context, orgID int64) ([]newsroom.FeedSource, error)
}

// MediaSource describes uploaded images (the store's MediaStore), needed to
// name an icon's file and media type.
type MediaSource interface {
	MediaByID(ctx context.Context, id string) (*newsroom.Media, error)
}

// CollectionSource reads what an organisation's collections list (the
// store's Followers and Activities).
type CollectionSource interface {
	CountFollowers(ctx context.Context, orgID int64) (int, error)
	// ListFollowers pages oldest first.
	ListFollowers(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Follower, error)
	// CountOutbox and ListOutbox read the Creates of the organisation's
	// posts still published; ListOutbox pages newest first.
	CountOutbox(ctx context.Context, orgID int64) (int, error)
	ListOutbox(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Activity, error)
}

// FollowingSource reads the accounts an organisation follows (the store's
// Network): the members' accounts whose posts it boosts.
type FollowingSource interface {
	CountNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState) (int, error)
	// ListNetworkAccounts pages oldest first.
	ListNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState, offset, limit int) ([]newsroom.NetworkAccount, error)
}

// Stats gives the usage figures NodeInfo publishes.
type Stats interface {
	// NodeStats returns the number of local actors (organisations) and of
	// published posts.
	NodeStats(ctx context.Context) (users, localPosts int, err error)
}

// StatsFunc adapts a function to Stats, as the store has no single method
// for it.
type StatsFunc func(ctx context.Context) (users, localPosts int, err error)

// NodeStats calls f.
func (f StatsFunc) NodeStats(ctx context.Context) (int, int, error) { return f(ctx) }

// Deps is what a Handler needs. URLs, Orgs, Collections, Stats and
// InstanceKeyPEM are required; without Media, actors have no icon or
// banner.
type Deps struct {
	URLs        urls.Builder
	Orgs        OrgSource
	Media       MediaSource
	Collections CollectionSource
	// Following lists whom organisations follow; without it, no one.
	Following  FollowingSource
	Activities ActivitySource
	Stats      Stats
	Logger     *slog.Logger
	// Posts serves posts; without it post URLs answer 404.
	Posts PostSource
	// Reactions counts likes and boosts for the posts' likes and shares
	// collections; without it objects carry none.
	Reactions ReactionSource
	// Quotes finds the quotes of our posts, for their authorizations;
	// without it, authorization URLs answer 404.
	Quotes QuoteSource
	// Sites lists an organisation's website feeds; without it the actor
	// credits only our own domain.
	Sites SiteSource
	// Settings name the site (NodeInfo, the instance actor) and give its
	// logo; without them, NodeName.
	Settings Settings

	// InstanceKeyPEM is the public key of the instance actor, which signs
	// our fetches from servers that refuse unsigned GETs.
	InstanceKeyPEM string

	// Version, NodeName, Repository and Homepage describe the software
	// and the site in NodeInfo. NodeName defaults to the host.
	Version    string
	NodeName   string
	Repository string
	Homepage   string
}

// Handler serves the ActivityStreams documents of our actors and their
// collections, and the discovery documents that lead to them. The server
// routes requests to its methods; methods taking a handle expect it from
// the route.
type Handler struct {
	urls        urls.Builder
	orgs        OrgSource
	media       MediaSource
	collections CollectionSource
	following   FollowingSource
	activities  ActivitySource
	posts       PostSource
	reactions   ReactionSource
	quotes      QuoteSource
	sites       SiteSource
	settings    Settings
	convert     *convert.Converter
	stats       Stats
	log         *slog.Logger
	instanceKey string
	version     string
	nodeName    string
	repository  string
	homepage    string
}

// NewHandler returns a Handler using d.
func NewHandler(d Deps) *Handler {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := d.NodeName
	if name == "" {
		name = d.URLs.Host()
	}
	conv := convert.New(d.URLs)
	return &Handler{
		urls:        d.URLs,
		orgs:        d.Orgs,
		media:       d.Media,
		collections: d.Collections,
		following:   d.Following,
		activities:  d.Activities,
		posts:       d.Posts,
		reactions:   d.Reactions,
		quotes:      d.Quotes,
		sites:       d.Sites,
		settings:    d.Settings,
		convert:     conv,
		stats:       d.Stats,
		log:         log,
		instanceKey: d.InstanceKeyPEM,
		version:     d.Version,
		nodeName:    name,
		repository:  d.Repository,
		homepage:    d.Homepage,
	}
}

// Settings are the site's identity (settings.Service).
type Settings interface {
	Get(ctx context.Context) settings.Site
}

// siteSettings are the settings, or the defaults.
func (h *Handler) siteSettings(ctx context.Context) settings.Site {
	if h.settings == nil {
		return settings.Site{Zone: time.UTC}
	}
	return h.settings.Get(ctx)
}

// name is the site's name as other servers show it: the one set, else
// NodeName.
func (h *Handler) name(s settings.Site) string {
	if s.Name != "" {
		return s.Name
	}
	return h.nodeName
}

// fail answers a request that could not be served. Domain errors become
// their status; anything else is logged and hidden behind a 500, because
// internal text must not reach a response.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch httperr.Status(err) {
	case http.StatusNotFound:
		writeError(w, http.StatusNotFound, "not found")
	case http.StatusGone:
		writeError(w, http.StatusGone, "gone")
	default:
		h.log.ErrorContext(r.Context(), "federation request failed",
			slog.String("path", r.URL.Path), slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal server error")
	}
}

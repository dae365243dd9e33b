package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/riverqueue/river"

	"github.com/soga/newsroom/federation"
	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/federation/delivery"
	"github.com/soga/newsroom/federation/inbox"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/clientip"
	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/feeds"
	"github.com/soga/newsroom/internal/foreground"
	"github.com/soga/newsroom/internal/mail"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/server"
	"github.com/soga/newsroom/internal/settings"
	"github.com/soga/newsroom/internal/site"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/upkeep"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/internal/users"
	"github.com/soga/newsroom/internal/view"
)

// instanceKeySetting holds the instance actor's private key.
const instanceKeySetting = "instance_actor_private_key"

// instanceKey loads the instance actor's key, making it on first start.
// Several instances sharing a database agree on the first one stored.
func instanceKey(ctx context.Context, st store.Store) (string, error) {
	pem, err := st.Setting(ctx, instanceKeySetting)
	if err == nil {
		return pem, nil
	}
	if !errors.Is(err, newsroom.ErrNotFound) {
		return "", err
	}
	priv, _, err := transport.GenerateKey()
	if err != nil {
		return "", err
	}
	return st.SettingOrInit(ctx, instanceKeySetting, priv)
}

// services are the long-lived pieces shared by routes and workers, each
// built once.
type services struct {
	client   *transport.Client
	fetcher  *transport.Fetcher
	keyPEM   string // instance actor public key
	posts    *posts.Service
	orgs     *orgs.Service
	users    *users.Service
	audience *audience.Service
	network  *network.Service
	keys     *inbox.Keys
	delivery *delivery.Sender
	// foreground lets an editor's requests go ahead of the deliveries'
	// signatures.
	foreground *foreground.Gate
	feeds      *feeds.Service
	settings   *settings.Service
	upkeep     *upkeep.Service
}

func (m *Main) buildServices(ctx context.Context) (*services, error) {
	privPEM, err := instanceKey(ctx, m.Store)
	if err != nil {
		return nil, fmt.Errorf("instance actor key: %w", err)
	}
	priv, err := transport.ParsePrivateKey(privPEM)
	if err != nil {
		return nil, fmt.Errorf("instance actor key: %w", err)
	}
	pub, err := transport.PublicKeyPEM(priv)
	if err != nil {
		return nil, err
	}
	client := newClient(m.Config, m.URLs)
	aud := audience.New(m.Store, m.URLs, newULID)
	aud.Pages = m.Cache
	fetcher := &transport.Fetcher{Client: client, KeyID: m.URLs.InstanceKey(), Key: priv}
	keys := inbox.NewKeys(m.Store, fetcher)
	accounts := newResolver(m.Config, keys, client)
	postSvc := newPosts(m.Store, m.URLs, m.Cache, mentionResolver{accounts})
	orgSvc := newOrgs(m.Store, m.URLs, m.Cache)
	orgSvc.Resolver = accounts
	fg := foreground.New(foreground.Window, m.Metrics)
	sender := delivery.NewSender(m.Store, client, m.URLs, m.Logger.With("component", "delivery"))
	sender.SetForeground(fg)
	return &services{
		client:     client,
		fetcher:    fetcher,
		keys:       keys,
		network:    newNetwork(m.Store, m.Config, m.URLs, m.Cache, keys, client, m.Logger),
		keyPEM:     pub,
		posts:      postSvc,
		orgs:       orgSvc,
		users:      users.New(m.Store),
		audience:   aud,
		delivery:   sender,
		foreground: fg,
		feeds:      newFeeds(m.Config, m.Store, m.Media, m.URLs, postSvc, orgSvc, m.Logger),
		settings:   newSettings(m.Store, m.Media, m.URLs, m.Cache, m.Logger),
		upkeep:     upkeep.New(m.Store, m.Logger.With("component", "upkeep")),
	}, nil
}

// newFeeds is the website feed importer of the server (its poll jobs and
// admin page) and of the command line. It fetches feeds and their images
// through its own SSRF-safe client, whose body cap fits a feed: the
// importer caps each body itself, feeds and images differently.
func newFeeds(cfg config.Config, st store.Store, blobs media.Blobs, u urls.Builder, p *posts.Service, o *orgs.Service, log *slog.Logger) *feeds.Service {
	client := transport.NewClient(transport.Options{
		AllowedNets:  cfg.AllowPrivateNetworks,
		UserAgent:    fmt.Sprintf("newsroom/%s (+%s; feed importer)", Version(), u.Base()),
		Timeout:      time.Minute,
		MaxBodyBytes: feeds.MaxFeedBytes,
	})
	return feeds.New(feeds.Deps{Store: st, Actors: o, Client: client, Posts: p, Media: media.New(blobs, st, nil),
		URLs: u, Interval: cfg.FeedInterval, Logger: log.With("component", "feeds")})
}

// newPosts is the publishing service of the server (its editor and
// scheduler) and of the command line. pages is nil from the command line:
// a server in another process learns of its writes from the database
// (Main.watchChanges). mentions is nil from the command line too, where
// only our own organisations can be mentioned.
func newPosts(st store.Store, u urls.Builder, pages newsroom.Invalidator, mentions posts.AccountResolver) *posts.Service {
	members := network.New(network.Deps{Store: st, URLs: u, NewID: newULID})
	return posts.New(posts.Deps{Store: st, URLs: u, Pages: pages, NewID: newULID, Members: members,
		Quotes: audience.New(st, u, newULID), Mentions: mentions})
}

// newOrgs is the organisation service, as newPosts.
func newOrgs(st store.Store, u urls.Builder, pages newsroom.Invalidator) *orgs.Service {
	return &orgs.Service{Store: st, GenerateKey: transport.GenerateKey, Pages: pages, Convert: convert.New(u), NewID: newULID, URLs: u}
}

// newSettings is the site settings service, as newPosts.
func newSettings(st store.Store, blobs media.Blobs, u urls.Builder, pages newsroom.Invalidator, log *slog.Logger) *settings.Service {
	return settings.New(settings.Deps{Store: st, Images: media.New(blobs, st, nil), Markdown: posts.NewRenderer(u), Pages: pages,
		Logger: log.With("component", "settings")})
}

// newClient is the one HTTP client of a process for other servers.
func newClient(cfg config.Config, u urls.Builder) *transport.Client {
	return transport.NewClient(transport.Options{
		AllowedNets:  cfg.AllowPrivateNetworks,
		UserAgent:    fmt.Sprintf("newsroom/%s (+%s)", Version(), u.Base()),
		Timeout:      20 * time.Second,
		ExtraRootCAs: cfg.ExtraRootCAs,
	})
}

// newNetwork is the service following members' accounts, for the server
// (its inbox and editor) and the command line (pages nil, as newPosts).
func newNetwork(st store.Store, cfg config.Config, u urls.Builder, pages newsroom.Invalidator, keys *inbox.Keys, client *transport.Client, log *slog.Logger) *network.Service {
	return network.New(network.Deps{Store: st, URLs: u, NewID: newULID, Pages: pages, Limit: cfg.BoostLimit,
		Logger:   log.With("component", "network"),
		Resolver: newResolver(cfg, keys, client)})
}

// newResolver finds remote accounts by WebFinger and a signed fetch.
// WebFinger goes over https, or over http only for an instance that
// itself runs on http (tests on loopback), as Mastodon's development mode
// does.
func newResolver(cfg config.Config, keys *inbox.Keys, client *transport.Client) *inbox.Resolver {
	scheme := "https"
	if cfg.BaseURL.Scheme == "http" {
		scheme = "http"
	}
	return &inbox.Resolver{Keys: keys, Client: client, Scheme: scheme}
}

func newULID() string { return ulid.Make().String() }

// registerWorkers adds every job kind's worker.
func (m *Main) registerWorkers(w *river.Workers, svc *services) error {
	fanout := delivery.NewFanoutWorker(m.Store, m.Logger.With("component", "fanout"))
	fanout.SetForeground(svc.foreground)
	if m.Config.Backend() == "postgres" {
		fanout.SetBatch(delivery.FanoutBatchShared)
	}
	deliver := delivery.NewDeliverWorker(svc.delivery)
	return errors.Join(
		river.AddWorkerSafely(w, fanout),
		river.AddWorkerSafely(w, deliver),
		river.AddWorkerSafely(w, delivery.NewDeliverBatchWorker(deliver)),
		river.AddWorkerSafely(w, delivery.NewDirectWorker(svc.delivery)),
		river.AddWorkerSafely(w, posts.NewPublishWorker(svc.posts)),
		river.AddWorkerSafely(w, feeds.NewPollWorker(svc.feeds)),
		river.AddWorkerSafely(w, upkeep.NewCompactWorker(svc.upkeep)),
		river.AddWorkerSafely(w, upkeep.NewPruneWorker(svc.upkeep)),
		river.AddWorkerSafely(w, network.NewSyncWorker(svc.network, svc.fetcher)),
	)
}

// handler builds the HTTP routes with their dependencies.
func (m *Main) handler(ctx context.Context, svc *services) (http.Handler, error) {
	views, err := view.New()
	if err != nil {
		return nil, err
	}
	views.SiteZone = svc.settings.Location
	var mailer editor.Mailer // nil unless configured: a nil *mail.Mailer would not be
	if m.Config.SMTPURL != "" {
		mm, err := mail.New(m.Config.SMTPURL, m.Config.SMTPFrom)
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		mailer = mm
	}
	ed := editor.New(editor.Deps{
		Store:    m.Store,
		Users:    svc.users,
		Orgs:     svc.orgs,
		Posts:    svc.posts,
		Audience: svc.audience,
		Feeds:    svc.feeds,
		Network:  svc.network,
		Settings: svc.settings,
		Media:    media.New(m.Media, m.Store, nil),
		Blocks:   m.Blocks,
		View:     views,
		URLs:     m.URLs,
		Logger:   m.Logger.With("component", "editor"),
		Secure:   m.Config.BaseURL.Scheme == "https",
		ClientIP: clientip.New(m.Config.TrustedProxies),
		Mail:     mailer,
	})
	fed := federation.NewHandler(federation.Deps{
		URLs:           m.URLs,
		Orgs:           m.Store,
		Media:          m.Store,
		Collections:    m.Store,
		Following:      m.Store,
		Activities:     m.Store,
		Posts:          m.Store,
		Reactions:      m.Store,
		Quotes:         m.Store,
		Sites:          m.Store,
		Settings:       svc.settings,
		Stats:          federation.StatsFunc(m.nodeStats),
		Logger:         m.Logger.With("component", "federation"),
		InstanceKeyPEM: svc.keyPEM,
		Version:        Version(),
	})
	in := inbox.New(inbox.Deps{
		Store:    m.Store,
		Audience: svc.audience,
		Blocks:   m.Blocks,
		Network:  svc.network,
		Keys:     svc.keys,
		// Member servers' Collection-Synchronization headers (FEP-8fcf).
		FollowersSync: svc.network,
		URLs:          m.URLs,
		Logger:        m.Logger.With("component", "inbox"),
		NewID:         newULID,
	})
	pages := site.New(site.Deps{
		Store:     m.Store,
		Boosts:    m.Store,
		Reactions: m.Store,
		View:      views,
		URLs:      m.URLs,
		Cache:     m.Cache,
		Settings:  svc.settings,
		Media:     m.Media,
		Logger:    m.Logger.With("component", "site"),
	})
	return server.New(server.Deps{
		Logger:     m.Logger,
		Metrics:    m.Metrics,
		DB:         m.Store,
		View:       views,
		Editor:     ed,
		Foreground: svc.foreground,
		Federation: fed,
		Inbox:      in,
		FollowersSync: &federation.FollowersSync{URLs: m.URLs, Store: m.Store, Signers: svc.keys,
			Logger: m.Logger.With("component", "federation")},
		Site:         pages,
		Cache:        m.Cache,
		ServeMetrics: m.Config.MetricsListen == "",
		MetricsToken: m.Config.MetricsToken,
	}), nil
}

func (m *Main) nodeStats(ctx context.Context) (int, int, error) {
	orgs, err := m.Store.ListOrgs(ctx)
	if err != nil {
		return 0, 0, err
	}
	posts, err := m.Store.CountPosts(ctx, store.PostFilter{Status: newsroom.StatusPublished})
	if err != nil {
		return 0, 0, err
	}
	return len(orgs), posts, nil
}

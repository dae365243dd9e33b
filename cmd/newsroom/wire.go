package main

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/soga/newsroom/internal/editor"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/orgs"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/server"
	"github.com/soga/newsroom/internal/site"
	"github.com/soga/newsroom/internal/store"
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
	delivery *delivery.Sender
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
	client := transport.NewClient(transport.Options{
		AllowedNets: m.Config.AllowPrivateNetworks,
		UserAgent:   fmt.Sprintf("newsroom/%s (+%s)", Version(), m.URLs.Base()),
		Timeout:     20 * time.Second,
	})
	aud := audience.New(m.Store, m.URLs, newULID)
	aud.Pages = m.Cache
	return &services{
		client:   client,
		fetcher:  &transport.Fetcher{Client: client, KeyID: m.URLs.InstanceKey(), Key: priv},
		keyPEM:   pub,
		posts:    newPosts(m.Store, m.URLs, m.Cache),
		orgs:     newOrgs(m.Store, m.URLs, m.Cache),
		users:    users.New(m.Store),
		audience: aud,
		delivery: delivery.NewSender(m.Store, client, m.URLs, m.Logger.With("component", "delivery")),
	}, nil
}

// newPosts is the publishing service of the server (its editor and
// scheduler) and of the command line. pages is nil from the command line:
// a server in another process learns of its writes from the database
// (Main.watchChanges).
func newPosts(st store.Store, u urls.Builder, pages newsroom.Invalidator) *posts.Service {
	return posts.New(posts.Deps{Store: st, URLs: u, Pages: pages, NewID: newULID})
}

// newOrgs is the organisation service, as newPosts.
func newOrgs(st store.Store, u urls.Builder, pages newsroom.Invalidator) *orgs.Service {
	return &orgs.Service{Store: st, GenerateKey: transport.GenerateKey, Pages: pages, Convert: convert.New(u), NewID: newULID}
}

func newULID() string { return ulid.Make().String() }

// registerWorkers adds every job kind's worker.
func (m *Main) registerWorkers(w *river.Workers, svc *services) error {
	fanout := delivery.NewFanoutWorker(m.Store, m.Logger.With("component", "fanout"))
	return errors.Join(
		river.AddWorkerSafely(w, fanout),
		river.AddWorkerSafely(w, delivery.NewDeliverWorker(svc.delivery)),
		river.AddWorkerSafely(w, delivery.NewDirectWorker(svc.delivery)),
		river.AddWorkerSafely(w, posts.NewPublishWorker(svc.posts)),
	)
}

// handler builds the HTTP routes with their dependencies.
func (m *Main) handler(ctx context.Context, svc *services) (http.Handler, error) {
	views, err := view.New()
	if err != nil {
		return nil, err
	}
	ed := editor.New(editor.Deps{
		Store:    m.Store,
		Users:    svc.users,
		Orgs:     svc.orgs,
		Posts:    svc.posts,
		Audience: svc.audience,
		Media:    media.New(m.Media, m.Store, nil),
		Blocks:   m.Blocks,
		View:     views,
		URLs:     m.URLs,
		Logger:   m.Logger.With("component", "editor"),
		Secure:   m.Config.BaseURL.Scheme == "https",
		ClientIP: clientip.New(m.Config.TrustedProxies),
	})
	fed := federation.NewHandler(federation.Deps{
		URLs:           m.URLs,
		Orgs:           m.Store,
		Media:          m.Store,
		Collections:    m.Store,
		Activities:     m.Store,
		Posts:          m.Store,
		Stats:          federation.StatsFunc(m.nodeStats),
		Logger:         m.Logger.With("component", "federation"),
		InstanceKeyPEM: svc.keyPEM,
		Version:        Version(),
	})
	in := inbox.New(inbox.Deps{
		Store:    m.Store,
		Audience: svc.audience,
		Blocks:   m.Blocks,
		Keys:     inbox.NewKeys(m.Store, svc.fetcher),
		URLs:     m.URLs,
		Logger:   m.Logger.With("component", "inbox"),
		NewID:    newULID,
	})
	pages := site.New(site.Deps{
		Store:  m.Store,
		View:   views,
		URLs:   m.URLs,
		Cache:  m.Cache,
		Media:  m.Media,
		Logger: m.Logger.With("component", "site"),
	})
	return server.New(server.Deps{
		Logger:       m.Logger,
		Metrics:      m.Metrics,
		DB:           m.Store,
		View:         views,
		Editor:       ed,
		Federation:   fed,
		Inbox:        in,
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

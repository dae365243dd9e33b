package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/domains"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/metrics"
	"github.com/soga/newsroom/internal/server"
	"github.com/soga/newsroom/internal/site"
	"github.com/soga/newsroom/internal/upkeep"
	"github.com/soga/newsroom/internal/urls"
	"github.com/soga/newsroom/internal/users"
)

// Main is a running newsroom: the store, the job client and the HTTP
// listeners. End-to-end tests start the same Main the binary does.
type Main struct {
	Config  config.Config
	Logger  *slog.Logger
	Store   migratingStore
	Jobs    *jobs.Client
	Metrics *metrics.Metrics
	URLs    urls.Builder
	// Cache holds rendered public pages and documents; the services that
	// write what they show empty it.
	Cache *site.Cache
	// Blocks is the blocklist, held in memory; the inbox reads it and the
	// admin pages write through it.
	Blocks *domains.Blocklist
	// Media holds the images' bytes: a directory, or an S3 bucket shared
	// by every instance.
	Media media.Blobs

	services   *services // kept for tests, which shorten the delivery backoff
	out        io.Writer
	listener   net.Listener
	httpServer *http.Server
	conns      *server.ConnTimeouts
	metricsLn  net.Listener
	metricsSrv *http.Server
	jobsCancel context.CancelFunc
}

// Open prepares everything and binds the listeners, but serves nothing
// until Run. Errors name the setting at fault.
func Open(ctx context.Context, cfg config.Config, out io.Writer) (*Main, error) {
	var err error
	m := &Main{Config: cfg, out: out, Logger: newLogger(cfg, out), Metrics: metrics.New(), URLs: urls.New(cfg.BaseURL),
		Cache: site.NewCache(site.CacheOptions{})}
	if m.Media, err = openMedia(cfg); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	m.Store = st
	m.Blocks = domains.New(st, m.Cache)

	svc, err := m.buildServices(ctx)
	if err != nil {
		m.Close()
		return nil, err
	}
	m.services = svc
	workers := river.NewWorkers()
	if err := m.registerWorkers(workers, svc); err != nil {
		m.Close()
		return nil, err
	}
	m.Jobs, err = jobs.New(st, workers, jobs.Options{Logger: m.Logger.With("component", "queue"), Metrics: m.Metrics,
		JobTimeout: cfg.JobTimeout, PeriodicJobs: upkeep.PeriodicJobs(cfg.CompactInterval)})
	if err != nil {
		m.Close()
		return nil, err
	}

	handler, err := m.handler(ctx, svc)
	if err != nil {
		m.Close()
		return nil, err
	}
	m.listener, err = listen(cfg.Listen, "listen (--listen / NEWSROOM_LISTEN)")
	if err != nil {
		m.Close()
		return nil, err
	}
	// The timeouts against slow clients are the sweep's (server.ConnTimeouts),
	// not net/http's, which cost four timer updates per request.
	m.conns = server.NewConnTimeouts(10*time.Second, 60*time.Second, 120*time.Second)
	m.httpServer = &http.Server{
		Handler:        handler,
		ConnState:      m.conns.ConnState,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	if cfg.MetricsListen != "" {
		m.metricsLn, err = listen(cfg.MetricsListen, "metrics-listen (--metrics-listen / NEWSROOM_METRICS_LISTEN)")
		if err != nil {
			m.Close()
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Metrics.Handler())
		m.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	}
	return m, nil
}

// openMedia builds the media store the configuration names.
func openMedia(cfg config.Config) (media.Blobs, error) {
	b, err := media.ParseLocation(cfg.MediaStore, cfg.MediaDir(), cfg.MediaCredentials())
	if err != nil {
		return nil, fmt.Errorf("media-store (--media-store / NEWSROOM_MEDIA_STORE): %w", err)
	}
	return b, nil
}

func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s: address %s is already in use by another program", setting, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on %s: %w", setting, addr, err)
	}
	return ln, nil
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully: it stops
// accepting, drains requests, and lets running jobs finish.
func (m *Main) Run(ctx context.Context) error {
	jobsCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.jobsCancel = cancel
	if err := m.Jobs.Start(jobsCtx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	m.startFeedPolls(ctx)
	backfilled := make(chan struct{})
	go func() {
		defer close(backfilled)
		m.backfillBlurhashes(jobsCtx)
	}()
	defer func() { <-backfilled }()
	// Each starts here and stops when Run returns, in reverse order.
	defer inBackground(ctx, m.watchChanges)()
	// Stopped after the server's shutdown, which waits for the requests
	// the sweep still bounds.
	defer inBackground(ctx, m.conns.Run)()
	defer m.paceCollector(ctx)()
	defer inBackground(ctx, m.Cache.RunSweeper)()
	errc := make(chan error, 2)
	go func() { errc <- m.httpServer.Serve(m.listener) }()
	if m.metricsSrv != nil {
		go func() { errc <- m.metricsSrv.Serve(m.metricsLn) }()
	}
	m.Logger.Info("newsroom ready", "version", Version(), "url", m.Config.BaseURL.String(),
		"listen", m.Addr(), "database", m.Store.Backend(), "media", m.Media.String())
	m.announceSetup(ctx)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	m.Logger.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer scancel()
	if err := m.httpServer.Shutdown(sctx); err != nil {
		m.Logger.Warn("http shutdown", "err", err)
	}
	if m.metricsSrv != nil {
		_ = m.metricsSrv.Shutdown(sctx)
	}
	if err := m.Jobs.Stop(sctx); err != nil {
		m.Logger.Warn("jobs shutdown", "err", err)
	}
	cancel()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// startFeedPolls makes sure every enabled feed source has its poll job: a
// job lost (discarded after failing too often, or a database restored
// without it) comes back at the next start. Jobs are unique by source, so
// a source whose job is there keeps it, and several instances starting
// together insert one.
func (m *Main) startFeedPolls(ctx context.Context) {
	sources, err := m.Store.ListFeedSources(ctx, 0)
	if err != nil {
		m.Logger.Error("cannot list feed sources; their polls start at the next start", "err", err)
		return
	}
	for _, src := range sources {
		if src.Disabled {
			continue
		}
		if err := m.Jobs.Insert(ctx, jobs.FeedPollArgs{SourceID: src.ID}); err != nil {
			m.Logger.Error("cannot queue a feed's poll", "source", src.ID, "err", err)
		}
	}
}

// backfillBlurhashes gives the images uploaded before uploads computed a
// blurhash theirs, in the background, once per start: the first start of
// this version does the work, later ones find nothing to do (or only
// images whose bytes are missing, logged each time). Several instances
// starting together may hash an image twice, and write the same value.
func (m *Main) backfillBlurhashes(ctx context.Context) {
	done, failed, err := media.Backfill(ctx, m.Media, m.Store, m.Logger)
	if err != nil && ctx.Err() == nil {
		m.Logger.Warn("blurhashes of earlier images not all computed; the next start goes on", "err", err)
	}
	if done > 0 || failed > 0 {
		m.Logger.Info("blurhashes computed for earlier images", "done", done, "failed", failed)
	}
}

// watchChanges empties the response cache when another process (the
// command line, another instance on the same PostgreSQL) changes what
// public pages show; this process's services empty it themselves, at once.
// While the notifications are lost, cached pages live a couple of seconds
// only, until the store listens again (and calls onChange).
func (m *Main) watchChanges(ctx context.Context) {
	m.Store.WatchChanges(ctx, func() {
		m.services.settings.Forget()
		m.Cache.SetBlind(false)
		m.Cache.Invalidate()
	}, func(err error) {
		m.Cache.SetBlind(true)
		m.Logger.Warn("cannot watch the database for changes; other processes' writes show within "+site.BlindTTL.String()+" until it reconnects",
			"err", err)
	})
}

// announceSetup prints the one-time link for the first administrator when
// there is no account yet.
func (m *Main) announceSetup(ctx context.Context) {
	token, err := m.services.users.CreateSetupToken(ctx)
	if err != nil {
		m.Logger.Error("cannot create the first-run setup link", "err", err)
		return
	}
	if token == "" {
		return
	}
	link := m.URLs.Abs("/setup/" + token)
	m.Logger.Info("no account yet: open the setup link to create the first administrator", "link", link)
	fmt.Fprintf(m.out, "\n  Create the first administrator (link valid %s, works once):\n  %s\n\n", users.SetupTokenLifetime, link)
}

// Close releases what Open acquired.
func (m *Main) Close() error {
	if m.jobsCancel != nil {
		m.jobsCancel()
	}
	if m.listener != nil {
		m.listener.Close()
	}
	if m.metricsLn != nil {
		m.metricsLn.Close()
	}
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}

func newLogger(cfg config.Config, out io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := out.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(out, opts))
	}
	return slog.New(slog.NewJSONHandler(out, opts))
}

// inBackground runs run in a goroutine of its own until the returned
// function is called, which stops it and waits for it to return. The end
// of ctx does not stop it: Run's deferred calls do, in their order, once
// the server has shut down.
func inBackground(ctx context.Context, run func(context.Context)) (stop func()) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(bctx)
	}()
	return func() { cancel(); <-done }
}

package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/soga/newsroom/internal/metrics"
	"github.com/soga/newsroom/internal/store"
)

// Options tune the client. Zero values take sensible defaults.
type Options struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// PollInterval is how often workers look for new jobs when the database
	// cannot notify them (SQLite). PostgreSQL uses LISTEN/NOTIFY.
	PollInterval time.Duration
	// RetryPolicy decides when failed jobs run again; nil keeps River's.
	RetryPolicy river.ClientRetryPolicy
	// PeriodicJobs run on a schedule (session clean-up and the like).
	PeriodicJobs []*river.PeriodicJob
	// JobTimeout bounds one run of a job; default 2 minutes. A job still
	// marked running after twice this was left by a process that died, and
	// runs again.
	JobTimeout time.Duration
}

// deliverFetchCooldown spaces the delivery queue's fetches. A delivery
// job is a batch of inboxes, and a hundred of them hold a couple of
// thousand deliveries, a second or more of signing: a job that ends
// frees a worker that nothing is waiting for. With the client's 20 ms,
// each job ending fetched one job (on SQLite, River's fetch is an UPDATE
// it prepares anew every time, near a millisecond); at 100 ms one fetch
// takes the jobs of several that ended.
const deliverFetchCooldown = 100 * time.Millisecond

// Client runs River's workers on the store's own database, whichever
// backend it is, behind one non-generic type the rest of the program can
// hold.
type Client struct {
	start  func(context.Context) error
	stop   func(context.Context) error
	insert func(context.Context, river.JobArgs) error
}

// These let the client reach the backend's handle without importing the
// backend packages.
type sqliteBacked interface{ WriteDB() *sql.DB }
type postgresBacked interface{ JobPool() *pgxpool.Pool }

// New builds a client on s's database with the given workers.
func New(s store.Store, workers *river.Workers, o Options) (*Client, error) {
	timeout := o.JobTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	cfg := &river.Config{
		Queues: map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: 10},
			// A delivery mostly waits on the network; its CPU is one RSA
			// signature. Many workers keep both cores busy signing while
			// slow servers answer.
			QueueDeliver: {MaxWorkers: 100, FetchCooldown: deliverFetchCooldown},
			QueueRetry:   {MaxWorkers: 20},
		},
		Workers:     workers,
		Logger:      o.Logger,
		RetryPolicy: o.RetryPolicy,
		JobTimeout:  timeout,
		// A queue fetches at most once per cooldown (River's default is
		// 100 ms); a fan-out's deliveries take about a millisecond of
		// processor each, so a hundred workers would sit idle for most of
		// each 100 ms.
		FetchCooldown: 20 * time.Millisecond,
		// River's default waits an hour before running again a job that a
		// dead process left "running": deliveries in flight and a fan-out
		// cut by a crash would wait that long.
		RescueStuckJobsAfter: 2 * timeout,
		// River's cleaner deletes finished jobs after these (it runs every
		// 30 s on the leader, SQLite included). A fan-out of 10,000
		// followers completes 10,000 jobs: kept a day, as River's default,
		// they would outnumber everything else in the database, and what
		// they tell is in the delivery rows already. A cancelled job (its
		// activity deleted) says little more; a discarded one is a job
		// that failed for a local reason every time, worth a week for an
		// administrator to look into.
		CompletedJobRetentionPeriod: time.Hour,
		CancelledJobRetentionPeriod: 24 * time.Hour,
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		PeriodicJobs:                o.PeriodicJobs,
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = quiet(cfg.Logger)
	cfg.WorkerMiddleware = []rivertype.WorkerMiddleware{backgroundMiddleware()}
	if o.Metrics != nil {
		cfg.WorkerMiddleware = append(cfg.WorkerMiddleware, metricsMiddleware(o.Metrics))
	}
	switch b := s.(type) {
	case sqliteBacked:
		cfg.PollOnly = true
		cfg.FetchPollInterval = o.PollInterval
		if cfg.FetchPollInterval == 0 {
			cfg.FetchPollInterval = 200 * time.Millisecond
		}
		cfg.FetchCooldown = min(cfg.FetchPollInterval, cfg.FetchCooldown)
		q := cfg.Queues[QueueDeliver]
		q.FetchCooldown = min(cfg.FetchPollInterval, q.FetchCooldown)
		cfg.Queues[QueueDeliver] = q
		c, err := river.NewClient(riversqlite.New(b.WriteDB()), cfg)
		if err != nil {
			return nil, fmt.Errorf("jobs: sqlite client: %w", err)
		}
		return wrap(c), nil
	case postgresBacked:
		c, err := river.NewClient(riverpgxv5.New(b.JobPool()), cfg)
		if err != nil {
			return nil, fmt.Errorf("jobs: postgres client: %w", err)
		}
		return wrap(c), nil
	default:
		return nil, fmt.Errorf("jobs: store backend %q has no queue driver", s.Backend())
	}
}

func wrap[TTx any](c *river.Client[TTx]) *Client {
	return &Client{
		start: c.Start,
		stop:  c.Stop,
		insert: func(ctx context.Context, args river.JobArgs) error {
			_, err := c.Insert(ctx, args, nil)
			return err
		},
	}
}

// Start begins working jobs until Stop.
func (c *Client) Start(ctx context.Context) error { return c.start(ctx) }

// Stop waits for running jobs to finish, or for ctx to end. Jobs still
// running then are left to River's rescuer on the next start: they are
// not lost, only retried.
func (c *Client) Stop(ctx context.Context) error {
	err := c.stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Insert enqueues a job outside any transaction, with the insert options
// its arguments carry.
func (c *Client) Insert(ctx context.Context, args river.JobArgs) error {
	return c.insert(ctx, args)
}

// backgroundMiddleware marks the context of the delivery queues' jobs as
// background work (store.Background), for the store to keep their reads
// off the connections requests use: during a fan-out they run a hundred
// at a time. Other jobs run a few at a time and read as requests do; on
// SQLite, marking them too would open the jobs' read connection with the
// first upkeep at start and keep it: about half a megabyte of an idle
// server's memory.
func backgroundMiddleware() rivertype.WorkerMiddleware {
	return river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
		if job.Queue == QueueDeliver || job.Queue == QueueRetry {
			ctx = store.Background(ctx)
		}
		return doInner(ctx)
	})
}

func metricsMiddleware(m *metrics.Metrics) rivertype.WorkerMiddleware {
	return river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
		start := time.Now()
		err := doInner(ctx)
		m.JobDuration.WithLabelValues(job.Kind).Update(time.Since(start).Seconds())
		m.Jobs.WithLabelValues(job.Kind, outcome(err)).Inc()
		return err
	})
}

func outcome(err error) string {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		return "completed"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	default:
		return "failed"
	}
}

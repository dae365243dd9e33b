// Package postgres implements store.Store on PostgreSQL with pgx.
package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// Store is an open PostgreSQL database.
type Store struct {
	queries
	conns pools
	river *river.Client[pgx.Tx]
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Migrator = (*Store)(nil)
)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string). It does not migrate: call Migrate.
//
// It keeps two pools made from url, each of up to its pool_max_conns
// (pgx's default: max(4, processors)): one for requests, one for
// background work (see pools).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Database, err)
	}
	// Connects on first use (no MinConns), so a process that runs no jobs
	// holds none of its connections.
	jobs, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		pool.Close()
		jobs.Close()
		return nil, fmt.Errorf("postgres: river client: %w", err)
	}
	s := &Store{conns: pools{pool: pool, jobs: jobs}, river: rc}
	s.queries = newQueries(s.conns, s.begin)
	return s, nil
}

// begin runs fn in a transaction, for the queries that need one. Errors
// come back unwrapped for the caller to wrap.
func (s *Store) begin(ctx context.Context, fn func(tx sqlstore.Executor) error) error {
	return pgx.BeginFunc(ctx, s.conns.pick(ctx), func(tx pgx.Tx) error {
		return fn(shared{tx})
	})
}

// Pool is the requests' connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.conns.pool }

// JobPool is background work's connection pool; River works jobs on it.
func (s *Store) JobPool() *pgxpool.Pool { return s.conns.jobs }

// Backend returns "postgres".
func (s *Store) Backend() string { return "postgres" }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conns.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to come back.
func (s *Store) Close() error {
	s.conns.pool.Close()
	s.conns.jobs.Close()
	return nil
}

// InTx runs fn in one transaction, committed when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	pgTx, err := s.conns.pick(ctx).Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := fn(&tx{queries: newQueries(pgTx, nil), Jobs: sqlstore.NewJobs(s.river, pgTx)}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// tx is a store.Tx: every query runs in one transaction, job inserts too.
type tx struct {
	queries
	sqlstore.Jobs[pgx.Tx]
}

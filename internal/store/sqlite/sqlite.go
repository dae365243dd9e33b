// Package sqlite implements store.Store on one SQLite file with
// modernc.org/sqlite (no cgo). Writes go through a single connection, so
// writers queue in Go instead of failing with SQLITE_BUSY; reads use a
// separate pool of read-only connections, which WAL lets run alongside the
// writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// Options tunes Open. The zero value is fine.
type Options struct {
	// ReadConns is the size of each read pool, the requests' and the
	// jobs'; default max(4, GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long a connection waits for a lock held by another
	// process; default 5s.
	BusyTimeout time.Duration
}

// Store is an open SQLite database.
type Store struct {
	queries
	path  string
	opts  Options
	write *sql.DB
	read  *sql.DB
	// jobRead serves the reads of background work: see reads.
	jobRead *sql.DB
	river   *river.Client[*sql.Tx]
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Migrator = (*Store)(nil)
)

// Open opens (creating if needed) the database file at path. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: %q: need a plain file path (the read and write pools share the file)", path)
	}
	write, err := openDB(ctx, path, writeParams(opts), 1)
	if err != nil {
		return nil, err
	}
	read, err := openDB(ctx, path, readParams(opts), readConns(opts))
	if err != nil {
		write.Close()
		return nil, err
	}
	// Not pinged: its connections open with the first job that reads, so
	// an idle server holds none.
	jobRead, err := newPool(path, readParams(opts), readConns(opts))
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	rc, err := river.NewClient(riversqlite.New(write), &river.Config{})
	if err != nil {
		write.Close()
		read.Close()
		jobRead.Close()
		return nil, fmt.Errorf("sqlite: river client: %w", err)
	}
	s := &Store{path: path, opts: opts, write: write, read: read, jobRead: jobRead, river: rc}
	s.queries = queries{sqlstore.New(dialect, &reads{requests: read, jobs: jobRead}, executor[*sql.DB]{write}, sqlstore.Now, s.begin)}
	return s, nil
}

// begin runs fn in a transaction on the write connection, for the queries
// that need one. Errors come back unwrapped for the caller to wrap.
func (s *Store) begin(ctx context.Context, fn func(tx sqlstore.Executor) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(executor[*sql.Tx]{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

func openDB(ctx context.Context, path string, params url.Values, conns int) (*sql.DB, error) {
	db, err := newPool(path, params, conns)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// newPool returns a pool of up to conns connections, kept open once opened.
func newPool(path string, params url.Values, conns int) (*sql.DB, error) {
	conn, err := newConnector(path + "?" + params.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	return db, nil
}

func commonParams(opts Options) url.Values {
	timeout := opts.BusyTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return url.Values{"_pragma": {
		fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()),
		"foreign_keys(1)",
	}}
}

// writeParams make the single writer: WAL, synchronous=NORMAL (durable
// across application crashes; WAL keeps it consistent across power loss),
// and BEGIN IMMEDIATE so a transaction takes the write lock up front
// instead of failing when it first writes.
func writeParams(opts Options) url.Values {
	p := commonParams(opts)
	p["_pragma"] = append(p["_pragma"], "journal_mode(WAL)", "synchronous(NORMAL)")
	p.Set("_txlock", "immediate")
	return p
}

func readParams(opts Options) url.Values {
	p := commonParams(opts)
	p["_pragma"] = append(p["_pragma"], "query_only(1)")
	return p
}

func readConns(opts Options) int {
	if opts.ReadConns > 0 {
		return opts.ReadConns
	}
	return max(4, runtime.GOMAXPROCS(0))
}

// WriteDB is the single-connection pool all writes go through; River uses
// it too.
func (s *Store) WriteDB() *sql.DB { return s.write }

// ReadDB is the pool of read-only connections requests read through.
func (s *Store) ReadDB() *sql.DB { return s.read }

// JobReadDB is the pool of read-only connections background work reads
// through.
func (s *Store) JobReadDB() *sql.DB { return s.jobRead }

// Backend returns "sqlite".
func (s *Store) Backend() string { return "sqlite" }

// Ping checks both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes both pools. Nothing else may use the Store afterwards.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.jobRead.Close(), s.write.Close())
}

// InTx runs fn in a write transaction. It holds the only write connection
// until fn returns, so fn must use tx, never s: a write through s inside fn
// would wait forever.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer sqlTx.Rollback() //nolint:errcheck // a no-op after Commit
	e := executor[*sql.Tx]{sqlTx}
	t := &tx{queries: queries{sqlstore.New(dialect, e, e, sqlstore.Now, nil)}, Jobs: sqlstore.NewJobs(s.river, sqlTx)}
	if err := fn(t); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// tx is a store.Tx: every query runs in one transaction, job inserts too.
type tx struct {
	queries
	sqlstore.Jobs[*sql.Tx]
}

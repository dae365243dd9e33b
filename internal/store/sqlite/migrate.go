package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
	"github.com/soga/newsroom/migrations"
)

const createMigrationsTable = `
	CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`

// Migrate applies our pending migrations, each in its own transaction, then
// River's. A database with a version newer than ours is refused.
//
// Migrations run on a connection of their own, closed when they are done.
// On the writer, what they leave would stay for the life of the process,
// in SQLite's memory outside the Go heap: every page of the tables they
// built in its page cache, and each statement they ran in its statement
// cache, DDL that never runs again (0.5 MB of an idle server's memory
// after a fresh database's migrations).
func (s *Store) Migrate(ctx context.Context) error {
	files, err := store.LoadMigrations(migrations.SQLite)
	if err != nil {
		return err
	}
	db, applied, err := s.openMigrations(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := store.CheckNotNewer(applied, files); err != nil {
		return err
	}
	// Applied files cost nothing at start-up: no write lock is taken
	// for them.
	for _, f := range store.Pending(files, applied) {
		if err := s.applyMigration(ctx, db, f); err != nil {
			return err
		}
	}
	if err := store.MigrateRiver(ctx, riversqlite.New(db)); err != nil {
		return err
	}
	return db.Close()
}

// freshCacheSize is the page cache of the migrations on a new database,
// in SQLite's negative KiB: its tables are empty, and what a larger cache
// would hold, every page the schema wrote (0.5 MB), stays resident once
// the connection closes: modernc's allocator keeps the memory SQLite frees
// for reuse. An upgrade keeps SQLite's default (2 MB): its migrations
// may rewrite large tables and build indexes, whose sorter spills to
// temporary files past the cache's size.
const freshCacheSize = -64

// openMigrations opens the connection the migrations run on, makes sure
// schema_migrations exists and reads what it holds.
func (s *Store) openMigrations(ctx context.Context) (*sql.DB, []store.AppliedMigration, error) {
	db, err := openDB(ctx, s.path, writeParams(s.opts), 1)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if len(applied) == 0 {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", freshCacheSize)); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("store: migrations' cache size: %w", err)
		}
	}
	return db, applied, nil
}

// applyMigration runs f on db unless it is recorded already. The
// transaction is IMMEDIATE, so a second process migrating the same file
// waits here and then finds f applied.
func (s *Store) applyMigration(ctx context.Context, db *sql.DB, f store.MigrationFile) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", f.Name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var done bool
	if err := tx.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, f.Version).Scan(&done); err != nil {
		return fmt.Errorf("store: migration %s: %w", f.Name, err)
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, f.SQL); err != nil {
		return fmt.Errorf("store: migration %s: %w", f.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		f.Version, f.Name, micros(s.Now())); err != nil {
		return fmt.Errorf("store: record migration %s: %w", f.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migration %s: %w", f.Name, err)
	}
	return nil
}

// MigrationStatus lists our migrations then River's. It changes nothing.
func (s *Store) MigrationStatus(ctx context.Context) ([]store.MigrationState, error) {
	return store.Status(ctx, migrations.SQLite, s.appliedIfAny, riversqlite.New(s.write))
}

// appliedIfAny reads schema_migrations, or nothing before the first
// migration made it.
func (s *Store) appliedIfAny(ctx context.Context) ([]store.AppliedMigration, error) {
	var exists bool
	if err := s.read.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations')`).
		Scan(&exists); err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	if !exists {
		return nil, nil
	}
	return s.appliedMigrations(ctx)
}

// CheckSchema tells whether the database is exactly as this binary expects.
func (s *Store) CheckSchema(ctx context.Context) error {
	states, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	return store.CheckStates(states)
}

func (s *Store) appliedMigrations(ctx context.Context) ([]store.AppliedMigration, error) {
	applied, err := sqlstore.List(ctx, executor[*sql.DB]{s.read}, func(row sqlstore.Row) (store.AppliedMigration, error) {
		var a store.AppliedMigration
		err := row.Scan(&a.Version, &a.Name, timeCol{&a.AppliedAt})
		return a, err
	}, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	return applied, nil
}

package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
	"github.com/soga/newsroom/migrations"
)

// migrationLock is the advisory lock key held while migrating, so that
// instances starting together migrate one after the other.
const migrationLock int64 = 0x6e657773726f6f6d // "newsroom"

const createMigrationsTable = `
	CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL
	)`

// Migrate applies our pending migrations, each in its own transaction, then
// River's, all under an advisory lock. A database with a version newer
// than ours is refused.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := store.LoadMigrations(migrations.Postgres)
	if err != nil {
		return err
	}
	conn, err := s.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlockMigrations(ctx, conn)
	if _, err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return err
	}
	if err := store.CheckNotNewer(applied, files); err != nil {
		return err
	}
	for _, f := range store.Pending(files, applied) {
		if err := s.applyMigration(ctx, conn, f); err != nil {
			return err
		}
	}
	return store.MigrateRiver(ctx, riverpgxv5.New(s.conns.pool))
}

// lockMigrations takes a connection holding the migration lock, waiting
// for another instance that holds it.
func (s *Store) lockMigrations(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := s.conns.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		conn.Release()
		return nil, fmt.Errorf("store: migrate: take lock: %w", err)
	}
	return conn, nil
}

// unlockMigrations releases the lock, or the connection itself when that
// fails, which releases the lock too.
func unlockMigrations(ctx context.Context, conn *pgxpool.Conn) {
	ctx = context.WithoutCancel(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
		conn.Conn().Close(ctx) //nolint:errcheck // the pool drops a closed connection
	}
	conn.Release()
}

func (s *Store) applyMigration(ctx context.Context, conn *pgxpool.Conn, f store.MigrationFile) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, f.SQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			f.Version, f.Name, s.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", f.Name, err)
	}
	return nil
}

// MigrationStatus lists our migrations then River's. It changes nothing.
func (s *Store) MigrationStatus(ctx context.Context) ([]store.MigrationState, error) {
	return store.Status(ctx, migrations.Postgres, s.appliedIfAny, riverpgxv5.New(s.conns.pool))
}

// appliedIfAny reads schema_migrations, or nothing before the first
// migration made it.
func (s *Store) appliedIfAny(ctx context.Context) ([]store.AppliedMigration, error) {
	var exists bool
	if err := s.conns.pool.QueryRow(ctx,
		`SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	if !exists {
		return nil, nil
	}
	return appliedMigrations(ctx, s.conns.pool)
}

// CheckSchema tells whether the database is exactly as this binary expects.
func (s *Store) CheckSchema(ctx context.Context) error {
	states, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	return store.CheckStates(states)
}

func appliedMigrations(ctx context.Context, db executor) ([]store.AppliedMigration, error) {
	applied, err := sqlstore.List(ctx, shared{db}, func(row sqlstore.Row) (store.AppliedMigration, error) {
		var a store.AppliedMigration
		err := row.Scan(&a.Version, &a.Name, timeCol{&a.AppliedAt})
		return a, err
	}, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	return applied, nil
}

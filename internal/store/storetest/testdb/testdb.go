// Package testdb opens fresh, migrated databases for tests: a SQLite file
// in a temporary directory, or a new PostgreSQL database on the server
// named by NEWSROOM_TEST_POSTGRES_URL, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
)

// Environment variables read by Postgres.
const (
	// PostgresURLEnv names a server tests may create databases on, e.g.
	// postgres://user:pass@localhost:5432/postgres?sslmode=disable.
	PostgresURLEnv = "NEWSROOM_TEST_POSTGRES_URL"
	// RequirePostgresEnv set to 1 turns a missing server into a failure
	// instead of a skip.
	RequirePostgresEnv = "NEWSROOM_REQUIRE_POSTGRES"
)

const noPostgres = PostgresURLEnv + " is not set, so PostgreSQL tests cannot run: " +
	"install postgresql and run `make test`, which uses pg_virtualenv, " +
	"or set " + PostgresURLEnv + " to a server where tests may create databases"

// SQLite returns a fresh migrated database in t.TempDir(), closed when t ends.
func SQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s := SQLiteUnmigrated(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

// SQLiteUnmigrated returns a fresh empty database, closed when t ends.
func SQLiteUnmigrated(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "newsroom.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Postgres returns a migrated store on a fresh database, dropped when t
// ends. Without a server it skips t, or fails it when
// NEWSROOM_REQUIRE_POSTGRES=1.
func Postgres(t testing.TB) *postgres.Store {
	t.Helper()
	s := OpenPostgres(t, PostgresURL(t))
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return s
}

// OpenPostgres opens the database at url, closed when t ends.
func OpenPostgres(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresServer returns NEWSROOM_TEST_POSTGRES_URL. When it is unset it
// skips t, or fails it when NEWSROOM_REQUIRE_POSTGRES=1.
func PostgresServer(t testing.TB) string {
	t.Helper()
	server := os.Getenv(PostgresURLEnv)
	if server == "" {
		if os.Getenv(RequirePostgresEnv) == "1" {
			t.Fatal(noPostgres)
		}
		t.Skip(noPostgres)
	}
	return server
}

// PostgresURL creates an empty database, dropped when t ends, and returns
// its URL. Cleanups run last-in first-out, so stores opened on it after
// this call are closed before the drop.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := PostgresServer(t)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	name := "newsroom_test_" + randomHex(8)
	admin(t, server, "CREATE DATABASE "+name)
	t.Cleanup(func() { admin(t, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u.Path = "/" + name
	return u.String()
}

// admin runs one statement on the server's own database.
func admin(t testing.TB, server, stmt string) {
	t.Helper()
	ctx := context.Background() // also used from cleanups, after t.Context ends
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresURLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

// Each runs fn as subtest "sqlite" and subtest "postgres", each on a fresh
// database.
func Each(t *testing.T, fn func(t *testing.T, s store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// CountJobs counts River jobs of a kind, whatever the backend.
func CountJobs(t testing.TB, s store.Store, kind string) int {
	t.Helper()
	var n int
	var err error
	switch b := s.(type) {
	case *sqlite.Store:
		err = b.ReadDB().QueryRowContext(t.Context(), `SELECT count(*) FROM river_job WHERE kind = ?`, kind).Scan(&n)
	case *postgres.Store:
		err = b.Pool().QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n)
	default:
		t.Fatalf("unknown backend %T", s)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

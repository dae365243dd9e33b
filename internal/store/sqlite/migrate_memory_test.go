package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	msqlite "modernc.org/sqlite"
)

// connMemory is what one connection of db holds: its cached statements'
// texts and the bytes of its page cache (SQLite's own count).
func connMemory(t *testing.T, db *sql.DB) (stmts []string, cache int) {
	t.Helper()
	onConn(t, db, func(c *cachingConn) error {
		c.mu.Lock()
		for e := c.lru.Front(); e != nil; e = e.Next() {
			stmts = append(stmts, e.Value.(*cachedStmt).query)
		}
		c.mu.Unlock()
		status, ok := c.innerConn.(msqlite.DBStatus)
		if !ok {
			return fmt.Errorf("driver connection %T has no DBStatus", c.innerConn)
		}
		var err error
		cache, _, err = status.Status(msqlite.DBStatusCacheUsed, false)
		return err
	})
	return stmts, cache
}

// A fresh database's migrations build every table once: the writer the
// server keeps afterwards holds none of their statements, nor the pages
// they wrote, and still writes.
func TestMigrationsLeaveTheWriterEmpty(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "newsroom.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	stmts, cache := connMemory(t, s.write)
	for _, q := range stmts {
		if strings.Contains(strings.ToUpper(q), "CREATE ") {
			t.Errorf("the writer keeps a migration's statement: %.80q", q)
		}
	}
	// The migrations touch some 130 pages of 4 KB; an empty cache
	// still counts its bookkeeping.
	if cache > 64<<10 {
		t.Errorf("the writer's page cache holds %d KB after the migrations", cache>>10)
	}
	if _, err := s.write.ExecContext(t.Context(), `UPDATE changes SET n = n + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// The migrations of a new database run with a small page cache; those of
// an upgrade, with SQLite's default.
func TestMigrationsCacheSize(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "newsroom.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cacheSize := func() int {
		t.Helper()
		db, _, err := s.openMigrations(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := cacheSize(); got != freshCacheSize {
		t.Fatalf("cache_size %d for a new database's migrations, want %d", got, freshCacheSize)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := cacheSize(); got == freshCacheSize {
		t.Fatalf("cache_size %d for a migrated database's, want SQLite's default", got)
	}
}

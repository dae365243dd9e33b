package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

func openCaching(t *testing.T) *sql.DB {
	t.Helper()
	db, err := openDB(t.Context(), filepath.Join(t.TempDir(), "cache.db"), writeParams(Options{}), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// The same text run again while its rows are open, on the one connection,
// runs uncached instead of disturbing the open rows.
func TestStmtCacheNestedSameQuery(t *testing.T) {
	db := openCaching(t)
	for i := range 3 {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id, v FROM t WHERE id >= ? ORDER BY id`
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for outer.Next() {
		var id int
		var v string
		if err := outer.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		// Same text, inside the loop.
		var n int
		inner, err := tx.QueryContext(ctx, q, id)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			n++
		}
		inner.Close()
		seen = append(seen, fmt.Sprintf("%s:%d", v, n))
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if got := fmt.Sprint(seen); got != "[v0:3 v1:2 v2:1]" {
		t.Fatalf("outer rows disturbed by the inner query: %s", got)
	}
	// And the cached statement is usable again afterwards.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE id >= ?`, 2).Scan(&n); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

// A failed statement (a constraint), a schema change and more distinct
// texts than the cache holds all leave the connection answering right.
func TestStmtCacheErrorsSchemaAndEviction(t *testing.T) {
	db := openCaching(t)
	const ins = `INSERT INTO t (v) VALUES (?)`
	if _, err := db.Exec(ins, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ins, "a"); err == nil {
		t.Fatal("duplicate accepted")
	}
	if _, err := db.Exec(ins, "b"); err != nil {
		t.Fatalf("cached statement after a failure: %v", err)
	}
	const sel = `SELECT * FROM t ORDER BY id`
	cols := func() int {
		rows, err := db.Query(sel)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(c)
	}
	if n := cols(); n != 2 {
		t.Fatalf("%d columns", n)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN w TEXT`); err != nil {
		t.Fatal(err)
	}
	if n := cols(); n != 3 {
		t.Fatalf("cached SELECT * after ALTER TABLE: %d columns, want 3", n)
	}
	for i := range stmtCacheSize + 50 {
		var got int
		if err := db.QueryRow(fmt.Sprintf(`SELECT %d`, i)).Scan(&got); err != nil || got != i {
			t.Fatalf("SELECT %d = %d, %v", i, got, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("count after eviction = %d, %v", n, err)
	}
	onConn(t, db, func(c *cachingConn) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.lru.Len() > stmtCacheSize || len(c.byQuery) != c.lru.Len() {
			return fmt.Errorf("cache holds %d statements (%d keys), limit %d", c.lru.Len(), len(c.byQuery), stmtCacheSize)
		}
		return nil
	})
}

// onConn runs fn on a connection of db.
func onConn(t *testing.T, db *sql.DB, fn func(c *cachingConn) error) {
	t.Helper()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error { return fn(dc.(*cachingConn)) }); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPointQuery compares a one-row SELECT through the statement
// cache with modernc.org/sqlite as database/sql drives it alone.
func BenchmarkPointQuery(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	cached, err := openDB(b.Context(), path, writeParams(Options{}), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer cached.Close()
	if _, err := cached.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		b.Fatal(err)
	}
	if _, err := cached.Exec(`INSERT INTO t (id, v) VALUES (1, 'one')`); err != nil {
		b.Fatal(err)
	}
	plain, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	for _, c := range []struct {
		name string
		db   *sql.DB
	}{{"cached", cached}, {"uncached", plain}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var v string
				if err := c.db.QueryRow(`SELECT v FROM t WHERE id = ?`, 1).Scan(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/soga/newsroom/internal/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// reprepares reads how many times SQLite prepared a modernc.org/sqlite
// statement again (SQLITE_STMTSTATUS_REPREPARE).
func reprepares(t *testing.T, conn driver.Conn, st driver.Stmt) int32 {
	t.Helper()
	tls, _, err := handle(conn)
	if err != nil {
		t.Fatal(err)
	}
	f := reflect.ValueOf(st).Elem().FieldByName("pstmt")
	if !f.IsValid() || f.Kind() != reflect.Uintptr {
		t.Fatalf("statement %T has no pstmt handle", st)
	}
	pstmt := *(*uintptr)(unsafe.Pointer(f.UnsafeAddr()))
	if pstmt == 0 {
		t.Fatal("statement not prepared")
	}
	return sqlite3.Xsqlite3_stmt_status(tls, pstmt, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0)
}

// River's three queues fetch jobs through the one write connection, each
// with its own free slots as the LIMIT: on our connections the cached
// statement is never prepared again; on a plain connection it is prepared
// again whenever the LIMIT changes, which is what stablePlans prevents.
func TestStablePlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plans.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ex := riversqlite.New(s.WriteDB()).GetExecutor()
	limits := []int{10, 100, 20, 7, 100, 10}
	fetch := func() {
		t.Helper()
		for i, limit := range limits {
			_, err := ex.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{
				ClientID: "c", MaxAttemptedBy: 100, MaxToLock: limit,
				Queue: []string{"default", "deliver", "retry"}[i%3],
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	fetch()

	conn, err := s.WriteDB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var query string
	err = conn.Raw(func(dc any) error {
		cc := dc.(*cachingConn)
		var found *cachedStmt
		for q, e := range cc.byQuery {
			if strings.Contains(q, "name: JobGetAvailable") {
				query, found = q, e.Value.(*cachedStmt)
			}
		}
		if found == nil {
			t.Fatal("River's fetch is not among the cached statements")
		}
		if n := reprepares(t, cc.innerConn, found.stmt); n != 0 {
			t.Errorf("River's fetch was prepared again %d times over %d fetches with changing limits", n, len(limits))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The same text and arguments on a connection of the driver as it comes.
	base, err := sqlite.NewConnector(filepath.Join(t.TempDir(), "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	plainDB := sql.OpenDB(base)
	defer plainDB.Close()
	if err := store.MigrateRiver(ctx, riversqlite.New(plainDB)); err != nil {
		t.Fatal(err)
	}
	pc, err := base.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	plain := pc.(innerConn)
	st, err := plain.PrepareContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, limit := range limits {
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, []driver.NamedValue{
			{Ordinal: 1, Value: nil}, {Ordinal: 2, Value: "deliver"}, {Ordinal: 3, Value: int64(limit)},
			{Ordinal: 4, Value: "c"}, {Ordinal: 5, Value: int64(100)},
		})
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if n := reprepares(t, plain, st); n == 0 {
		t.Error("on a plain connection the fetch was never prepared again: SQLite no longer plans with a bound LIMIT, and stablePlans may be unneeded")
	}
}

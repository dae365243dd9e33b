package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// dialect is how SQLite differs for the shared queries: times are INTEGER
// microseconds, booleans 0 and 1, LIMIT -1 means none.
var dialect = &sqlstore.Dialect{
	Time:         func(t time.Time) any { return t.UnixMicro() },
	ScanTime:     func(t *time.Time) any { return timeCol{t} },
	True:         "1",
	NoLimit:      -1,
	JSONArrayAgg: "json_group_array",
	JSONObject:   "json_object",
	Err:          domainErr,
}

// conn is what queries run on: a pool or a transaction.
type conn interface {
	*sql.DB | *sql.Tx
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// executor runs the shared queries on c. It holds one pointer, so it
// converts to an interface without allocating.
type executor[C conn] struct{ c C }

func (e executor[C]) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := e.c.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e executor[C]) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	r, err := e.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (e executor[C]) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return e.c.QueryRowContext(ctx, query, args...)
}

// reads runs the shared queries' reads: background work's (a context
// marked by store.Background) on a pool of its own, everyone else's on
// the read pool.
//
// A query on modernc.org/sqlite is Go code holding its connection until
// the last row is read. During a large fan-out the delivery jobs keep
// both processors busy signing, and a job's goroutine can be descheduled
// in the middle of a read: with one pool, an editor's page waited behind
// jobs that held every read connection without running (at 100,000
// followers, about 200 waits and 10 s in all during one fan-out). Jobs
// now wait only for each other.
type reads struct{ requests, jobs *sql.DB }

func (r *reads) pool(ctx context.Context) executor[*sql.DB] {
	if store.IsBackground(ctx) {
		return executor[*sql.DB]{r.jobs}
	}
	return executor[*sql.DB]{r.requests}
}

func (r *reads) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return r.pool(ctx).Exec(ctx, query, args...)
}

func (r *reads) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return r.pool(ctx).Query(ctx, query, args...)
}

func (r *reads) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return r.pool(ctx).QueryRow(ctx, query, args...)
}

// rows is *sql.Rows as sqlstore.Rows. Its Close error adds nothing to
// Err once Next has returned false.
type rows struct{ *sql.Rows }

func (r rows) Close() { r.Rows.Close() }

func domainErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return newsroom.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return newsroom.ErrConflict
		}
	}
	return err
}

// micros is how a time is stored: microseconds since the epoch, NULL for
// the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeCol scans a column written by micros back into a UTC time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	return nil
}

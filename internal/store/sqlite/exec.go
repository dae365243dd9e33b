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

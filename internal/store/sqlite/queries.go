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
)

// execer is what queries run on: *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries holds every query. Outside a transaction r is the read pool and w
// the write connection; inside one both are the transaction.
type queries struct {
	r, w  execer
	write *sql.DB // to begin transactions; nil inside one
	now   func() time.Time
}

// withTx runs fn in a transaction: a new one on the write connection, or
// the current one when q is already inside a transaction. Errors come
// back unwrapped for the caller to wrap.
func (q *queries) withTx(ctx context.Context, fn func(q *queries) error) error {
	if q.write == nil {
		return fn(q)
	}
	tx, err := q.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(&queries{r: tx, w: tx, now: q.now}); err != nil {
		return err
	}
	return tx.Commit()
}

// now is the clock: UTC, to the microsecond the database keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query and scans every row with scan.
func list[T any](ctx context.Context, db execer, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// wrapErr adds context to err and turns driver errors into domain ones:
// no rows is newsroom.ErrNotFound, a unique violation newsroom.ErrConflict.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), domainErr(err))
}

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

// mustAffect turns an update or delete that touched no row into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return newsroom.ErrNotFound
	}
	return nil
}

// affected returns how many rows a statement touched.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
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

func at(t *time.Time) timeCol { return timeCol{t} }

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

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullText stores "" as NULL, for optional references.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

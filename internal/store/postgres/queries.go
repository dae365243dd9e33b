package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soga/newsroom/internal/newsroom"
)

// executor is what queries run on: *pgxpool.Pool or pgx.Tx.
type executor interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queries holds every query, run on the pool or inside a transaction.
type queries struct {
	db   executor
	pool *pgxpool.Pool // to begin transactions; nil inside one
	now  func() time.Time
}

// withTx runs fn in a transaction: a new one, or the current one when q is
// already inside a transaction. Errors come back unwrapped for the caller
// to wrap.
func (q *queries) withTx(ctx context.Context, fn func(q *queries) error) error {
	if q.pool == nil {
		return fn(q)
	}
	return pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		return fn(&queries{db: tx, now: q.now})
	})
}

// now is the clock: UTC, to the microsecond the database keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// scanner is pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query and scans every row with scan.
func list[T any](ctx context.Context, db executor, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, query, args...)
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
	if errors.Is(err, pgx.ErrNoRows) {
		return newsroom.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return newsroom.ErrConflict
	}
	return err
}

// mustAffect turns an update or delete that touched no row into ErrNotFound.
func mustAffect(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return newsroom.ErrNotFound
	}
	return nil
}

// affected returns how many rows a statement touched.
func affected(tag pgconn.CommandTag, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// tstz is how a time is stored: NULL for the zero time.
func tstz(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeCol scans a nullable timestamptz into a UTC time, zero for NULL.
type timeCol struct{ t *time.Time }

func at(t *time.Time) *timeCol { return &timeCol{t} }

func (c *timeCol) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*c.t = time.Time{}
		return nil
	}
	*c.t = v.Time.UTC()
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

// pgLimit turns "no limit" (0 or less) into NULL, which LIMIT ignores.
func pgLimit(limit int) any {
	if limit <= 0 {
		return nil
	}
	return limit
}

// where collects the conditions of a query and numbers its arguments.
type where struct {
	conds []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Package sqlstore holds the queries both databases share, written once in
// plain SQL with ? placeholders. A backend runs them through an Executor
// and describes, in a Dialect, the little its database does differently;
// what differs more than that (batch statements, migrations, opening,
// transactions) stays in the backend.
package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// Executor runs SQL written with ? placeholders: a backend's adapter over
// its pool or its transaction.
type Executor interface {
	// Exec returns how many rows the statement touched.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows is the result of Query; pgx.Rows satisfies it as it is.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the result of QueryRow, or one of Rows.
type Row interface {
	Scan(dest ...any) error
}

// Dialect is what the shared queries need to know of a database.
type Dialect struct {
	// Time encodes a time argument other than the zero time, which is
	// NULL in both databases.
	Time func(time.Time) any
	// ScanTime returns the scan destination of a time column written by
	// Time: NULL reads back as the zero time, anything else in UTC.
	ScanTime func(*time.Time) any
	// True is the literal a boolean column equals when set: written as
	// the schema's partial indexes are, so that the planner uses them.
	True string
	// NoLimit is the LIMIT argument that returns every row.
	NoLimit any
	// JSONArrayAgg aggregates values into a JSON array; JSONObject builds
	// a JSON object from key, value pairs.
	JSONArrayAgg, JSONObject string
	// Err turns the driver's errors into domain ones: no rows into
	// newsroom.ErrNotFound, a unique violation into newsroom.ErrConflict.
	// Other errors come back unchanged.
	Err func(error) error

	posts postSelect
}

// Queries implements the shared part of store.Queries. Outside a
// transaction r reads and w writes (on SQLite a read pool and the single
// writer); inside one both are the transaction.
type Queries struct {
	r, w  Executor
	d     *Dialect
	now   func() time.Time
	begin func(ctx context.Context, fn func(tx Executor) error) error
}

// Now is the stores' clock: UTC, to the microsecond both databases keep.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// New returns the queries of one database or transaction. begin starts a
// transaction and runs fn in it, committing when fn returns nil; it is nil
// inside a transaction, where the queries that need one use the current
// one.
func New(d *Dialect, r, w Executor, now func() time.Time, begin func(ctx context.Context, fn func(tx Executor) error) error) Queries {
	return Queries{r: r, w: w, d: d, now: now, begin: begin}
}

// Now is the clock the queries stamp rows with.
func (q *Queries) Now() time.Time { return q.now() }

// Writer is where writes go: the transaction, inside one.
func (q *Queries) Writer() Executor { return q.w }

// WithTx runs fn in a transaction: a new one, or the current one when q is
// already inside a transaction. Errors come back unwrapped for the caller
// to wrap.
func (q *Queries) WithTx(ctx context.Context, fn func(q *Queries) error) error {
	if q.begin == nil {
		return fn(q)
	}
	return q.begin(ctx, func(tx Executor) error {
		return fn(&Queries{r: tx, w: tx, d: q.d, now: q.now})
	})
}

// time encodes t as the dialect stores times, the zero time as NULL.
func (q *Queries) time(t time.Time) any { return q.d.time(t) }

func (d *Dialect) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.Time(t)
}

// at is the scan destination of a time column.
func (q *Queries) at(t *time.Time) any { return q.d.ScanTime(t) }

// limit turns "no limit" (0 or less) into the dialect's value for it.
func (q *Queries) limit(n int) any {
	if n <= 0 {
		return q.d.NoLimit
	}
	return n
}

// Wrap adds context to err and turns driver errors into domain ones.
func (q *Queries) Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), q.d.Err(err))
}

// List runs a query and scans every row with scan.
func List[T any](ctx context.Context, db Executor, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
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

// mustAffect turns an update or delete that touched no row into ErrNotFound.
func mustAffect(n int64, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return newsroom.ErrNotFound
	}
	return nil
}

// NullID stores 0 as NULL, for optional references.
func NullID(id int64) any {
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

// Values returns rows groups of n placeholders, "(?, ?), (?, ?)", for a
// multi-row INSERT.
func Values(rows, n int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(group+", ", rows), ", ")
}

// leadRow is a row whose first columns go to lead and the rest to the
// scan function it is given to: one statement then reads two things, the
// second with its usual scan function.
type leadRow struct {
	Row
	lead []any
}

func (r leadRow) Scan(dest ...any) error {
	return r.Row.Scan(append(slices.Clip(r.lead), dest...)...)
}

// qualified prefixes each name of a list of columns with table, for a
// join in which both tables have a column of that name.
func qualified(table, columns string) string {
	names := strings.Split(columns, ",")
	for i, name := range names {
		names[i] = table + "." + strings.TrimSpace(name)
	}
	return strings.Join(names, ", ")
}

// where collects the conditions of a query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func scanString(row Row) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}

func scanInt64(row Row) (int64, error) {
	var n int64
	err := row.Scan(&n)
	return n, err
}

package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/sqlstore"
)

// dialect is how PostgreSQL differs for the shared queries: times are
// timestamptz, booleans boolean, and a NULL LIMIT means none.
var dialect = &sqlstore.Dialect{
	Time:         func(t time.Time) any { return t.UTC() },
	ScanTime:     func(t *time.Time) any { return timeCol{t} },
	True:         "TRUE",
	NoLimit:      nil,
	JSONArrayAgg: "json_agg",
	JSONObject:   "json_build_object",
	Err:          domainErr,
}

// executor is what queries run on: *pgxpool.Pool or pgx.Tx.
type executor interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pools sends background work's queries (a context marked by
// store.Background) to a pool of their own and everyone else's to the
// requests' pool.
//
// During a large fan-out a hundred delivery jobs query at once, and a
// job's goroutine holds its connection until it has read the last row,
// descheduled or not while both processors sign: with one pool an
// editor's page queued behind them. Jobs now wait only for each other.
type pools struct{ pool, jobs *pgxpool.Pool }

func (p pools) pick(ctx context.Context) *pgxpool.Pool {
	if store.IsBackground(ctx) {
		return p.jobs
	}
	return p.pool
}

func (p pools) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.pick(ctx).Exec(ctx, sql, args...)
}

func (p pools) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.pick(ctx).Query(ctx, sql, args...)
}

func (p pools) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.pick(ctx).QueryRow(ctx, sql, args...)
}

// shared runs the shared queries on db with pgx, their ? rewritten to $n.
type shared struct{ db executor }

func (s shared) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := s.db.Exec(ctx, rebind(query), args...)
	return tag.RowsAffected(), err
}

func (s shared) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return s.db.Query(ctx, rebind(query), args...)
}

func (s shared) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return s.db.QueryRow(ctx, rebind(query), args...)
}

// rebound maps each query text to its $n form, so that a query is
// rewritten once, not at every call. It is read on every shared query by
// every connection at once: a sync.Map reads its settled keys without a
// lock. The shared queries are a bounded set of texts; past maxRebound the
// rewrite is simply not kept.
var (
	rebound      sync.Map // string → string
	reboundCount atomic.Int32
)

const maxRebound = 4096

func rebind(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	q := dollarPlaceholders(query)
	if reboundCount.Load() < maxRebound {
		if _, loaded := rebound.LoadOrStore(query, q); !loaded {
			reboundCount.Add(1)
		}
	}
	return q
}

// dollarPlaceholders numbers the ? of query as $1, $2…, leaving alone
// those inside quoted literals and identifiers.
func dollarPlaceholders(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
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

// timeCol scans a nullable timestamptz into a UTC time, zero for NULL. It
// holds one pointer, so passing it to Scan allocates nothing.
type timeCol struct{ t *time.Time }

func (c timeCol) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid {
		*c.t = time.Time{}
		return nil
	}
	*c.t = v.Time.UTC()
	return nil
}

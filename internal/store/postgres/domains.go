package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// AddDomainBlock stores or updates the block of b.Domain (lowercased) and
// removes the followers it covers.
func (q *queries) AddDomainBlock(ctx context.Context, b newsroom.DomainBlock) error {
	b.Domain = store.NormaliseHost(b.Domain)
	if b.CreatedAt.IsZero() {
		b.CreatedAt = q.now()
	}
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.db.Exec(ctx, `
			INSERT INTO domain_blocks (domain, reason, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (domain) DO UPDATE SET reason = excluded.reason`,
			b.Domain, b.Reason, tstz(b.CreatedAt)); err != nil {
			return err
		}
		_, err := q.db.Exec(ctx, `
			DELETE FROM followers AS f WHERE EXISTS (SELECT 1 FROM domain_blocks b
				WHERE b.domain = $1 AND (`+blockedBy("f.host")+` OR `+blockedBy("f.inbox_host")+`))`,
			b.Domain)
		return err
	})
	return wrapErr(err, "block domain %s", b.Domain)
}

func (q *queries) RemoveDomainBlock(ctx context.Context, domain string) error {
	domain = store.NormaliseHost(domain)
	err := mustAffect(q.db.Exec(ctx, `DELETE FROM domain_blocks WHERE domain = $1`, domain))
	return wrapErr(err, "unblock domain %s", domain)
}

func (q *queries) ListDomainBlocks(ctx context.Context) ([]newsroom.DomainBlock, error) {
	bs, err := list(ctx, q.db, scanDomainBlock,
		`SELECT domain, reason, created_at FROM domain_blocks ORDER BY domain`)
	return bs, wrapErr(err, "list domain blocks")
}

func scanDomainBlock(row scanner) (newsroom.DomainBlock, error) {
	var b newsroom.DomainBlock
	err := row.Scan(&b.Domain, &b.Reason, at(&b.CreatedAt))
	return b, err
}

func (q *queries) IsDomainBlocked(ctx context.Context, host string) (bool, error) {
	host = store.NormaliseHost(host)
	var blocked bool
	err := q.db.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM domain_blocks b
			WHERE $1 = b.domain OR right($1, length(b.domain) + 1) = '.' || b.domain)`,
		host).Scan(&blocked)
	return blocked, wrapErr(err, "is %s blocked", host)
}

func (q *queries) RecordDomainFailure(ctx context.Context, host string, when time.Time) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.db.Exec(ctx, `
			INSERT INTO domain_health (host, last_failure) VALUES ($1, $2)
			ON CONFLICT (host) DO UPDATE
			SET last_failure = greatest(domain_health.last_failure, excluded.last_failure)`,
			host, when); err != nil {
			return err
		}
		if _, err := q.db.Exec(ctx, `
			INSERT INTO domain_failure_days (host, day) VALUES ($1, $2::date)
			ON CONFLICT DO NOTHING`, host, when.UTC().Format(time.DateOnly)); err != nil {
			return err
		}
		return scanHealth(q.db.QueryRow(ctx, `
			UPDATE domain_health
			SET failure_days = d.n, unavailable = d.n >= $1
			FROM (SELECT count(*) AS n FROM domain_failure_days WHERE host = $2) AS d
			WHERE domain_health.host = $2
			RETURNING host, failure_days, last_failure, unavailable`,
			store.UnavailableAfterDays, host), &h)
	})
	return h, wrapErr(err, "record failure of %s", host)
}

func (q *queries) RecordDomainSuccess(ctx context.Context, host string) error {
	host = store.NormaliseHost(host)
	_, err := q.db.Exec(ctx, `DELETE FROM domain_health WHERE host = $1`, host)
	return wrapErr(err, "record success of %s", host)
}

// DomainHealth of a host with no failures is the zero health, not an error.
func (q *queries) DomainHealth(ctx context.Context, host string) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := scanHealth(q.db.QueryRow(ctx, `
		SELECT host, failure_days, last_failure, unavailable
		FROM domain_health WHERE host = $1`, host), &h)
	if errors.Is(err, pgx.ErrNoRows) {
		return newsroom.DomainHealth{Host: host}, nil
	}
	return h, wrapErr(err, "health of %s", host)
}

func scanHealth(row scanner, h *newsroom.DomainHealth) error {
	return row.Scan(&h.Host, &h.FailureDays, at(&h.LastFailure), &h.Unavailable)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

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
		if _, err := q.w.ExecContext(ctx, `
			INSERT INTO domain_blocks (domain, reason, created_at) VALUES (?, ?, ?)
			ON CONFLICT (domain) DO UPDATE SET reason = excluded.reason`,
			b.Domain, b.Reason, micros(b.CreatedAt)); err != nil {
			return err
		}
		_, err := q.w.ExecContext(ctx, `
			DELETE FROM followers AS f WHERE EXISTS (SELECT 1 FROM domain_blocks b
				WHERE b.domain = ? AND (`+blockedBy("f.host")+` OR `+blockedBy("f.inbox_host")+`))`,
			b.Domain)
		return err
	})
	return wrapErr(err, "block domain %s", b.Domain)
}

func (q *queries) RemoveDomainBlock(ctx context.Context, domain string) error {
	domain = store.NormaliseHost(domain)
	err := mustAffect(q.w.ExecContext(ctx, `DELETE FROM domain_blocks WHERE domain = ?`, domain))
	return wrapErr(err, "unblock domain %s", domain)
}

func (q *queries) ListDomainBlocks(ctx context.Context) ([]newsroom.DomainBlock, error) {
	bs, err := list(ctx, q.r, scanDomainBlock,
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
	err := q.r.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM domain_blocks b
			WHERE ?1 = b.domain OR substr(?1, -length(b.domain) - 1) = '.' || b.domain)`,
		host).Scan(&blocked)
	return blocked, wrapErr(err, "is %s blocked", host)
}

func (q *queries) RecordDomainFailure(ctx context.Context, host string, when time.Time) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.w.ExecContext(ctx, `
			INSERT INTO domain_health (host, last_failure) VALUES (?, ?)
			ON CONFLICT (host) DO UPDATE SET last_failure = max(last_failure, excluded.last_failure)`,
			host, micros(when)); err != nil {
			return err
		}
		if _, err := q.w.ExecContext(ctx, `
			INSERT INTO domain_failure_days (host, day) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, host, when.UTC().Format(time.DateOnly)); err != nil {
			return err
		}
		return scanHealth(q.w.QueryRowContext(ctx, `
			UPDATE domain_health
			SET failure_days = d.n, unavailable = d.n >= ?
			FROM (SELECT count(*) AS n FROM domain_failure_days WHERE host = ?) AS d
			WHERE host = ?
			RETURNING host, failure_days, last_failure, unavailable`,
			store.UnavailableAfterDays, host, host), &h)
	})
	return h, wrapErr(err, "record failure of %s", host)
}

func (q *queries) RecordDomainSuccess(ctx context.Context, host string) error {
	host = store.NormaliseHost(host)
	_, err := q.w.ExecContext(ctx, `DELETE FROM domain_health WHERE host = ?`, host)
	return wrapErr(err, "record success of %s", host)
}

// DomainHealth of a host with no failures is the zero health, not an error.
func (q *queries) DomainHealth(ctx context.Context, host string) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := scanHealth(q.r.QueryRowContext(ctx, `
		SELECT host, failure_days, last_failure, unavailable
		FROM domain_health WHERE host = ?`, host), &h)
	if errors.Is(err, sql.ErrNoRows) {
		return newsroom.DomainHealth{Host: host}, nil
	}
	return h, wrapErr(err, "health of %s", host)
}

func scanHealth(row scanner, h *newsroom.DomainHealth) error {
	return row.Scan(&h.Host, &h.FailureDays, at(&h.LastFailure), &h.Unavailable)
}

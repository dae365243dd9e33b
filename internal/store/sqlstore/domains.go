package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// AddDomainBlock stores or updates the block of b.Domain (lowercased) and
// removes the followers it covers.
func (q *Queries) AddDomainBlock(ctx context.Context, b newsroom.DomainBlock) error {
	b.Domain = store.NormaliseHost(b.Domain)
	if b.CreatedAt.IsZero() {
		b.CreatedAt = q.now()
	}
	err := q.WithTx(ctx, func(q *Queries) error {
		if _, err := q.w.Exec(ctx, `
			INSERT INTO domain_blocks (domain, reason, created_at) VALUES (?, ?, ?)
			ON CONFLICT (domain) DO UPDATE SET reason = excluded.reason`,
			b.Domain, b.Reason, q.time(b.CreatedAt)); err != nil {
			return err
		}
		_, err := q.w.Exec(ctx, `
			DELETE FROM followers AS f WHERE EXISTS (SELECT 1 FROM domain_blocks b
				WHERE b.domain = ? AND (`+blockedBy("f.host")+` OR `+blockedBy("f.inbox_host")+`))`,
			b.Domain)
		return err
	})
	return q.Wrap(err, "block domain %s", b.Domain)
}

func (q *Queries) RemoveDomainBlock(ctx context.Context, domain string) error {
	domain = store.NormaliseHost(domain)
	err := mustAffect(q.w.Exec(ctx, `DELETE FROM domain_blocks WHERE domain = ?`, domain))
	return q.Wrap(err, "unblock domain %s", domain)
}

func (q *Queries) ListDomainBlocks(ctx context.Context) ([]newsroom.DomainBlock, error) {
	bs, err := List(ctx, q.r, q.scanDomainBlock,
		`SELECT domain, reason, created_at FROM domain_blocks ORDER BY domain`)
	return bs, q.Wrap(err, "list domain blocks")
}

func (q *Queries) scanDomainBlock(row Row) (newsroom.DomainBlock, error) {
	var b newsroom.DomainBlock
	err := row.Scan(&b.Domain, &b.Reason, q.at(&b.CreatedAt))
	return b, err
}

var isDomainBlockedSQL = `SELECT EXISTS (SELECT 1 FROM domain_blocks b WHERE ` + coveredBy("?") + ` OR ` + coveredBy("?") + `)`

func (q *Queries) IsDomainBlocked(ctx context.Context, host string) (bool, error) {
	host = store.NormaliseHost(host)
	name := store.StripPort(host)
	var blocked bool
	err := q.r.QueryRow(ctx, isDomainBlockedSQL, host, host, host, name, name, name).Scan(&blocked)
	return blocked, q.Wrap(err, "is %s blocked", host)
}

func (q *Queries) RecordDomainFailure(ctx context.Context, host string, when time.Time) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := q.WithTx(ctx, func(q *Queries) error {
		if _, err := q.w.Exec(ctx, `
			INSERT INTO domain_health (host, last_failure) VALUES (?, ?)
			ON CONFLICT (host) DO UPDATE SET last_failure = CASE
				WHEN excluded.last_failure > domain_health.last_failure THEN excluded.last_failure
				ELSE domain_health.last_failure END`,
			host, q.time(when)); err != nil {
			return err
		}
		if _, err := q.w.Exec(ctx, `
			INSERT INTO domain_failure_days (host, day) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, host, when.UTC().Format(time.DateOnly)); err != nil {
			return err
		}
		return q.scanHealth(q.w.QueryRow(ctx, `
			UPDATE domain_health
			SET failure_days = d.n, unavailable = d.n >= ?
			FROM (SELECT count(*) AS n FROM domain_failure_days WHERE host = ?) AS d
			WHERE domain_health.host = ?
			RETURNING host, failure_days, last_failure, unavailable`,
			store.UnavailableAfterDays, host, host), &h)
	})
	return h, q.Wrap(err, "record failure of %s", host)
}

func (q *Queries) RecordDomainSuccess(ctx context.Context, host string) error {
	host = store.NormaliseHost(host)
	_, err := q.w.Exec(ctx, `DELETE FROM domain_health WHERE host = ?`, host)
	return q.Wrap(err, "record success of %s", host)
}

// DomainHealth of a host with no failures is the zero health, not an error.
func (q *Queries) DomainHealth(ctx context.Context, host string) (newsroom.DomainHealth, error) {
	host = store.NormaliseHost(host)
	var h newsroom.DomainHealth
	err := q.scanHealth(q.r.QueryRow(ctx, `
		SELECT host, failure_days, last_failure, unavailable
		FROM domain_health WHERE host = ?`, host), &h)
	if err != nil && errors.Is(q.d.Err(err), newsroom.ErrNotFound) {
		return newsroom.DomainHealth{Host: host}, nil
	}
	return h, q.Wrap(err, "health of %s", host)
}

func (q *Queries) scanHealth(row Row, h *newsroom.DomainHealth) error {
	return row.Scan(&h.Host, &h.FailureDays, q.at(&h.LastFailure), &h.Unavailable)
}

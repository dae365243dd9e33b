package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// blockedBy is true when the domain block b covers the host in column col:
// the domain itself or any of its subdomains.
func blockedBy(col string) string {
	return `(` + col + ` = b.domain OR right(` + col + `, length(b.domain) + 1) = '.' || b.domain)`
}

// AddFollower inserts f, or refreshes the host, inboxes and follow id of a
// known follower (keeping when it first followed).
func (q *queries) AddFollower(ctx context.Context, f newsroom.Follower) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = q.now()
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO followers (org_id, actor_id, host, inbox, shared_inbox, inbox_host,
			follow_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (org_id, actor_id) DO UPDATE SET host = excluded.host,
			inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
			inbox_host = excluded.inbox_host, follow_id = excluded.follow_id`,
		f.OrgID, f.ActorID, store.NormaliseHost(f.Host), f.Inbox, f.SharedInbox,
		store.InboxHost(f.DeliveryInbox()), f.FollowID, tstz(f.CreatedAt))
	return wrapErr(err, "add follower %s of org %d", f.ActorID, f.OrgID)
}

// RemoveFollower is idempotent.
func (q *queries) RemoveFollower(ctx context.Context, orgID int64, actorID string) error {
	_, err := q.db.Exec(ctx,
		`DELETE FROM followers WHERE org_id = $1 AND actor_id = $2`, orgID, actorID)
	return wrapErr(err, "remove follower %s of org %d", actorID, orgID)
}

func (q *queries) IsFollower(ctx context.Context, orgID int64, actorID string) (bool, error) {
	var ok bool
	err := q.db.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM followers WHERE org_id = $1 AND actor_id = $2)`,
		orgID, actorID).Scan(&ok)
	return ok, wrapErr(err, "is follower %s of org %d", actorID, orgID)
}

func scanFollower(row scanner) (newsroom.Follower, error) {
	var f newsroom.Follower
	err := row.Scan(&f.OrgID, &f.ActorID, &f.Host, &f.Inbox, &f.SharedInbox,
		&f.FollowID, at(&f.CreatedAt))
	return f, err
}

func (q *queries) ListFollowers(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Follower, error) {
	fs, err := list(ctx, q.db, scanFollower, `
		SELECT org_id, actor_id, host, inbox, shared_inbox, follow_id, created_at
		FROM followers WHERE org_id = $1
		ORDER BY created_at, actor_id
		LIMIT $2 OFFSET $3`, orgID, pgLimit(limit), max(offset, 0))
	return fs, wrapErr(err, "list followers of org %d", orgID)
}

func (q *queries) CountFollowers(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := q.db.QueryRow(ctx,
		`SELECT count(*) FROM followers WHERE org_id = $1`, orgID).Scan(&n)
	return n, wrapErr(err, "count followers of org %d", orgID)
}

func (q *queries) DeliveryInboxes(ctx context.Context, orgID int64) ([]string, error) {
	inboxes, err := list(ctx, q.db, scanString, `
		SELECT DISTINCT coalesce(nullif(f.shared_inbox, ''), f.inbox) AS delivery_inbox
		FROM followers f
		WHERE f.org_id = $1
			AND NOT EXISTS (SELECT 1 FROM domain_blocks b
				WHERE `+blockedBy("f.host")+` OR `+blockedBy("f.inbox_host")+`)
			AND NOT EXISTS (SELECT 1 FROM domain_health h
				WHERE h.host = f.inbox_host AND h.unavailable)
		ORDER BY delivery_inbox`, orgID)
	return inboxes, wrapErr(err, "delivery inboxes of org %d", orgID)
}

// RemoveFollowersByInbox drops followers whose inbox or shared inbox is inbox.
func (q *queries) RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error) {
	n, err := affected(q.db.Exec(ctx,
		`DELETE FROM followers WHERE inbox = $1 OR shared_inbox = $1`, inbox))
	return n, wrapErr(err, "remove followers by inbox %s", inbox)
}

func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}

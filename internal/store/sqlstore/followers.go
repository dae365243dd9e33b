package sqlstore

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// blockedBy is true when the domain block b covers the host in column col,
// which may carry a port: the domain itself or any of its subdomains, on
// any port (or on the port the block names).
func blockedBy(col string) string {
	return `(` + coveredBy(col) + ` OR ` + coveredBy(withoutPort(col)) + `)`
}

// coveredBy is true when the domain block b covers the host (no port) that
// expression host yields. substr starts from the left here, which both
// databases read alike; for a host no longer than the domain it yields at
// most the host, which cannot equal '.' || domain.
func coveredBy(host string) string {
	return `(` + host + ` = b.domain OR substr(` + host + `, length(` + host + `) - length(b.domain)) = '.' || b.domain)`
}

// withoutPort drops a ":port" suffix from the host in column col, in SQL
// both databases read alike: when what is left after trimming the trailing
// digits ends in a colon, those digits were a port ("127.0.0.1:4000",
// "[::1]:8080"); a host that merely ends in digits ("127.0.0.10") stays.
func withoutPort(col string) string {
	digits := `rtrim(` + col + `, '0123456789')`
	return `(CASE WHEN ` + digits + ` LIKE '%:' THEN substr(` + col + `, 1, length(` + digits + `) - 1) ELSE ` + col + ` END)`
}

// AddFollower inserts f, or refreshes the host, inboxes and follow id of a
// known follower (keeping when it first followed).
func (q *Queries) AddFollower(ctx context.Context, f newsroom.Follower) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO followers (org_id, actor_id, host, inbox, shared_inbox, inbox_host,
			follow_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, actor_id) DO UPDATE SET host = excluded.host,
			inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
			inbox_host = excluded.inbox_host, follow_id = excluded.follow_id`,
		f.OrgID, f.ActorID, store.NormaliseHost(f.Host), f.Inbox, f.SharedInbox,
		store.InboxHost(f.DeliveryInbox()), f.FollowID, q.time(f.CreatedAt))
	return q.Wrap(err, "add follower %s of org %d", f.ActorID, f.OrgID)
}

// RemoveFollower is idempotent.
func (q *Queries) RemoveFollower(ctx context.Context, orgID int64, actorID string) error {
	_, err := q.w.Exec(ctx,
		`DELETE FROM followers WHERE org_id = ? AND actor_id = ?`, orgID, actorID)
	return q.Wrap(err, "remove follower %s of org %d", actorID, orgID)
}

func (q *Queries) IsFollower(ctx context.Context, orgID int64, actorID string) (bool, error) {
	var ok bool
	err := q.r.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM followers WHERE org_id = ? AND actor_id = ?)`,
		orgID, actorID).Scan(&ok)
	return ok, q.Wrap(err, "is follower %s of org %d", actorID, orgID)
}

func (q *Queries) scanFollower(row Row) (newsroom.Follower, error) {
	var f newsroom.Follower
	err := row.Scan(&f.OrgID, &f.ActorID, &f.Host, &f.Inbox, &f.SharedInbox,
		&f.FollowID, q.at(&f.CreatedAt))
	return f, err
}

func (q *Queries) FollowerByActor(ctx context.Context, orgID int64, actorID string) (newsroom.Follower, error) {
	f, err := q.scanFollower(q.r.QueryRow(ctx, `
		SELECT org_id, actor_id, host, inbox, shared_inbox, follow_id, created_at
		FROM followers WHERE org_id = ? AND actor_id = ?`, orgID, actorID))
	return f, q.Wrap(err, "follower %s of org %d", actorID, orgID)
}

func (q *Queries) ListFollowers(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Follower, error) {
	fs, err := List(ctx, q.r, q.scanFollower, `
		SELECT org_id, actor_id, host, inbox, shared_inbox, follow_id, created_at
		FROM followers WHERE org_id = ?
		ORDER BY created_at, actor_id
		LIMIT ? OFFSET ?`, orgID, q.limit(limit), max(offset, 0))
	return fs, q.Wrap(err, "list followers of org %d", orgID)
}

func (q *Queries) CountFollowers(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := q.r.QueryRow(ctx,
		`SELECT count(*) FROM followers WHERE org_id = ?`, orgID).Scan(&n)
	return n, q.Wrap(err, "count followers of org %d", orgID)
}

func (q *Queries) DeliveryInboxes(ctx context.Context, orgID int64) ([]string, error) {
	inboxes, err := List(ctx, q.r, scanString, `
		SELECT DISTINCT CASE WHEN f.shared_inbox <> '' THEN f.shared_inbox ELSE f.inbox END AS delivery_inbox
		FROM followers f
		WHERE f.org_id = ?
			AND NOT EXISTS (SELECT 1 FROM domain_blocks b
				WHERE `+blockedBy("f.host")+` OR `+blockedBy("f.inbox_host")+`)
			AND NOT EXISTS (SELECT 1 FROM domain_health h
				WHERE h.host = f.inbox_host AND h.unavailable = TRUE)
		ORDER BY delivery_inbox`, orgID)
	return inboxes, q.Wrap(err, "delivery inboxes of org %d", orgID)
}

// RemoveFollowersByInbox drops followers whose inbox or shared inbox is inbox.
func (q *Queries) RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error) {
	n, err := q.w.Exec(ctx,
		`DELETE FROM followers WHERE inbox = ? OR shared_inbox = ?`, inbox, inbox)
	return n, q.Wrap(err, "remove followers by inbox %s", inbox)
}

// MoveFollower replaces fromActorID by to among the followers of every
// organisation it follows, in one transaction.
func (q *Queries) MoveFollower(ctx context.Context, fromActorID string, to newsroom.Follower) ([]int64, error) {
	var orgs []int64
	err := q.WithTx(ctx, func(q *Queries) error {
		type follow struct {
			org int64
			at  time.Time
		}
		follows, err := List(ctx, q.w, func(r Row) (follow, error) {
			var f follow
			return f, r.Scan(&f.org, q.at(&f.at))
		}, `SELECT org_id, created_at FROM followers WHERE actor_id = ? ORDER BY org_id`, fromActorID)
		if err != nil {
			return err
		}
		for _, f := range follows {
			if _, err := q.w.Exec(ctx, `
				INSERT INTO followers (org_id, actor_id, host, inbox, shared_inbox, inbox_host,
					follow_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, '', ?)
				ON CONFLICT (org_id, actor_id) DO NOTHING`,
				f.org, to.ActorID, store.NormaliseHost(to.Host), to.Inbox, to.SharedInbox,
				store.InboxHost(to.DeliveryInbox()), q.time(f.at)); err != nil {
				return err
			}
			orgs = append(orgs, f.org)
		}
		_, err = q.w.Exec(ctx, `DELETE FROM followers WHERE actor_id = ?`, fromActorID)
		return err
	})
	return orgs, q.Wrap(err, "move follower %s to %s", fromActorID, to.ActorID)
}

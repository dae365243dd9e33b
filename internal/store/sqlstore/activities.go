package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const activityColumns = `id, org_id, type, coalesce(post_id, ''), json, created_at`

func (q *Queries) scanActivity(row Row) (newsroom.Activity, error) {
	var a newsroom.Activity
	err := row.Scan(&a.ID, &a.OrgID, &a.Type, &a.PostID, &a.JSON, q.at(&a.CreatedAt))
	return a, err
}

// CreateActivity sets a zero CreatedAt to now. ErrConflict on a known id.
func (q *Queries) CreateActivity(ctx context.Context, a *newsroom.Activity) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO activities (id, org_id, type, post_id, json, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.OrgID, a.Type, nullText(a.PostID), a.JSON, q.time(a.CreatedAt))
	return q.Wrap(err, "create activity %s", a.ID)
}

func (q *Queries) ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error) {
	a, err := q.scanActivity(q.r.QueryRow(ctx,
		`SELECT `+activityColumns+` FROM activities WHERE id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "activity %s", id)
	}
	return &a, nil
}

// ListActivities lists every type when typ is ""; limit 0 means no limit.
func (q *Queries) ListActivities(ctx context.Context, orgID int64, typ string, offset, limit int) ([]newsroom.Activity, error) {
	as, err := List(ctx, q.r, q.scanActivity, `
		SELECT `+activityColumns+` FROM activities
		WHERE org_id = ? AND (? = '' OR type = ?)
		ORDER BY created_at DESC, id DESC
		LIMIT ? OFFSET ?`, orgID, typ, typ, q.limit(limit), max(offset, 0))
	return as, q.Wrap(err, "list %s activities of org %d", typ, orgID)
}

func (q *Queries) CountActivities(ctx context.Context, orgID int64, typ string) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `
		SELECT count(*) FROM activities WHERE org_id = ? AND (? = '' OR type = ?)`,
		orgID, typ, typ).Scan(&n)
	return n, q.Wrap(err, "count %s activities of org %d", typ, orgID)
}

// outboxWhere picks an organisation's Creates of posts still published:
// a deleted post's text must not stay public through its Create.
const outboxWhere = `org_id = ? AND type = 'Create' AND EXISTS (
		SELECT 1 FROM posts WHERE posts.id = activities.post_id AND posts.status = 'published')`

// ListOutbox pages the Creates of an organisation's published posts,
// newest first.
func (q *Queries) ListOutbox(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Activity, error) {
	as, err := List(ctx, q.r, q.scanActivity, `
		SELECT `+activityColumns+` FROM activities WHERE `+outboxWhere+`
		ORDER BY created_at DESC, id DESC
		LIMIT ? OFFSET ?`, orgID, q.limit(limit), max(offset, 0))
	return as, q.Wrap(err, "outbox of org %d", orgID)
}

// CountOutbox counts what ListOutbox lists.
func (q *Queries) CountOutbox(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `SELECT count(*) FROM activities WHERE `+outboxWhere, orgID).Scan(&n)
	return n, q.Wrap(err, "count the outbox of org %d", orgID)
}

// LatestDelivered returns the post's latest Create or Update: an edit is
// delivered anew to every follower, and that journey is the one an
// editor follows. ErrNotFound when the post was never delivered.
func (q *Queries) LatestDelivered(ctx context.Context, postID string) (*newsroom.Activity, error) {
	a, err := q.scanActivity(q.r.QueryRow(ctx, `
		SELECT `+activityColumns+` FROM activities
		WHERE post_id = ? AND type IN ('Create', 'Update')
		ORDER BY created_at DESC, id DESC LIMIT 1`, postID))
	if err != nil {
		return nil, q.Wrap(err, "latest delivery of post %s", postID)
	}
	return &a, nil
}

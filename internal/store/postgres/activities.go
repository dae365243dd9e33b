package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const activityColumns = `id, org_id, type, coalesce(post_id, ''), json, created_at`

func scanActivity(row scanner) (newsroom.Activity, error) {
	var a newsroom.Activity
	err := row.Scan(&a.ID, &a.OrgID, &a.Type, &a.PostID, &a.JSON, at(&a.CreatedAt))
	return a, err
}

// CreateActivity sets a zero CreatedAt to now. ErrConflict on a known id.
func (q *queries) CreateActivity(ctx context.Context, a *newsroom.Activity) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = q.now()
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO activities (id, org_id, type, post_id, json, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		a.ID, a.OrgID, a.Type, nullText(a.PostID), a.JSON, tstz(a.CreatedAt))
	return wrapErr(err, "create activity %s", a.ID)
}

func (q *queries) ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error) {
	a, err := scanActivity(q.db.QueryRow(ctx,
		`SELECT `+activityColumns+` FROM activities WHERE id = $1`, id))
	if err != nil {
		return nil, wrapErr(err, "activity %s", id)
	}
	return &a, nil
}

// ListActivities lists every type when typ is ""; limit 0 means no limit.
func (q *queries) ListActivities(ctx context.Context, orgID int64, typ string, offset, limit int) ([]newsroom.Activity, error) {
	as, err := list(ctx, q.db, scanActivity, `
		SELECT `+activityColumns+` FROM activities
		WHERE org_id = $1 AND ($2 = '' OR type = $2)
		ORDER BY created_at DESC, id DESC
		LIMIT $3 OFFSET $4`, orgID, typ, pgLimit(limit), max(offset, 0))
	return as, wrapErr(err, "list %s activities of org %d", typ, orgID)
}

func (q *queries) CountActivities(ctx context.Context, orgID int64, typ string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `
		SELECT count(*) FROM activities WHERE org_id = $1 AND ($2 = '' OR type = $2)`,
		orgID, typ).Scan(&n)
	return n, wrapErr(err, "count %s activities of org %d", typ, orgID)
}

package sqlite

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
	_, err := q.w.ExecContext(ctx, `
		INSERT INTO activities (id, org_id, type, post_id, json, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.OrgID, a.Type, nullText(a.PostID), a.JSON, micros(a.CreatedAt))
	return wrapErr(err, "create activity %s", a.ID)
}

func (q *queries) ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error) {
	a, err := scanActivity(q.r.QueryRowContext(ctx,
		`SELECT `+activityColumns+` FROM activities WHERE id = ?`, id))
	if err != nil {
		return nil, wrapErr(err, "activity %s", id)
	}
	return &a, nil
}

// ListActivities lists every type when typ is ""; limit 0 means no limit.
func (q *queries) ListActivities(ctx context.Context, orgID int64, typ string, offset, limit int) ([]newsroom.Activity, error) {
	as, err := list(ctx, q.r, scanActivity, `
		SELECT `+activityColumns+` FROM activities
		WHERE org_id = ? AND (? = '' OR type = ?)
		ORDER BY created_at DESC, id DESC
		LIMIT ? OFFSET ?`, orgID, typ, typ, sqlLimit(limit), max(offset, 0))
	return as, wrapErr(err, "list %s activities of org %d", typ, orgID)
}

func (q *queries) CountActivities(ctx context.Context, orgID int64, typ string) (int, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `
		SELECT count(*) FROM activities WHERE org_id = ? AND (? = '' OR type = ?)`,
		orgID, typ, typ).Scan(&n)
	return n, wrapErr(err, "count %s activities of org %d", typ, orgID)
}

package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const replyColumns = `r.object_id, r.activity_id, r.post_id, r.actor_id, r.url,
	r.content_html, r.status, r.published, r.created_at`

func scanReply(row scanner) (newsroom.Reply, error) {
	var r newsroom.Reply
	err := row.Scan(&r.ObjectID, &r.ActivityID, &r.PostID, &r.ActorID, &r.URL,
		&r.ContentHTML, &r.Status, at(&r.Published), at(&r.CreatedAt))
	return r, err
}

// AddReply stores r as pending unless it has a status.
func (q *queries) AddReply(ctx context.Context, r newsroom.Reply) (bool, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = q.now()
	}
	if r.Status == "" {
		r.Status = newsroom.ReplyPending
	}
	n, err := affected(q.db.Exec(ctx, `
		INSERT INTO replies (object_id, activity_id, post_id, actor_id, url,
			content_html, status, published, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (object_id) DO NOTHING`,
		r.ObjectID, r.ActivityID, r.PostID, r.ActorID, r.URL,
		r.ContentHTML, r.Status, tstz(r.Published), tstz(r.CreatedAt)))
	if err != nil {
		return false, wrapErr(err, "add reply %s", r.ObjectID)
	}
	return n == 1, nil
}

func (q *queries) ReplyByObjectID(ctx context.Context, objectID string) (*newsroom.Reply, error) {
	r, err := scanReply(q.db.QueryRow(ctx,
		`SELECT `+replyColumns+` FROM replies r WHERE r.object_id = $1`, objectID))
	if err != nil {
		return nil, wrapErr(err, "reply %s", objectID)
	}
	return &r, nil
}

func (q *queries) SetReplyStatus(ctx context.Context, objectID string, s newsroom.ReplyStatus) error {
	err := mustAffect(q.db.Exec(ctx,
		`UPDATE replies SET status = $1 WHERE object_id = $2`, s, objectID))
	return wrapErr(err, "set status of reply %s", objectID)
}

func (q *queries) DeleteReply(ctx context.Context, objectID, actorID string) error {
	err := mustAffect(q.db.Exec(ctx,
		`DELETE FROM replies WHERE object_id = $1 AND actor_id = $2`, objectID, actorID))
	return wrapErr(err, "delete reply %s", objectID)
}

// ListReplies returns replies oldest first, as a conversation reads; orgID
// 0 means every organisation.
func (q *queries) ListReplies(ctx context.Context, orgID int64, postID string, status newsroom.ReplyStatus, limit int) ([]newsroom.Reply, error) {
	w := &where{}
	if orgID != 0 {
		w.add(`p.org_id = ` + w.arg(orgID))
	}
	if postID != "" {
		w.add(`r.post_id = ` + w.arg(postID))
	}
	if status != "" {
		w.add(`r.status = ` + w.arg(status))
	}
	rs, err := list(ctx, q.db, scanReply, `
		SELECT `+replyColumns+` FROM replies r JOIN posts p ON p.id = r.post_id`+w.sql()+`
		ORDER BY coalesce(r.published, r.created_at), r.object_id
		LIMIT `+w.arg(pgLimit(limit)), w.args...)
	return rs, wrapErr(err, "list replies")
}

func (q *queries) CountReplies(ctx context.Context, postID string, status newsroom.ReplyStatus) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `
		SELECT count(*) FROM replies WHERE post_id = $1 AND ($2 = '' OR status = $2)`,
		postID, status).Scan(&n)
	return n, wrapErr(err, "count replies of post %s", postID)
}

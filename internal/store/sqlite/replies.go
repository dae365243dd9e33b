package sqlite

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
	n, err := affected(q.w.ExecContext(ctx, `
		INSERT INTO replies (object_id, activity_id, post_id, actor_id, url,
			content_html, status, published, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (object_id) DO NOTHING`,
		r.ObjectID, r.ActivityID, r.PostID, r.ActorID, r.URL,
		r.ContentHTML, r.Status, micros(r.Published), micros(r.CreatedAt)))
	if err != nil {
		return false, wrapErr(err, "add reply %s", r.ObjectID)
	}
	return n == 1, nil
}

func (q *queries) ReplyByObjectID(ctx context.Context, objectID string) (*newsroom.Reply, error) {
	r, err := scanReply(q.r.QueryRowContext(ctx,
		`SELECT `+replyColumns+` FROM replies r WHERE r.object_id = ?`, objectID))
	if err != nil {
		return nil, wrapErr(err, "reply %s", objectID)
	}
	return &r, nil
}

func (q *queries) SetReplyStatus(ctx context.Context, objectID string, s newsroom.ReplyStatus) error {
	err := mustAffect(q.w.ExecContext(ctx,
		`UPDATE replies SET status = ? WHERE object_id = ?`, s, objectID))
	return wrapErr(err, "set status of reply %s", objectID)
}

func (q *queries) DeleteReply(ctx context.Context, objectID, actorID string) error {
	err := mustAffect(q.w.ExecContext(ctx,
		`DELETE FROM replies WHERE object_id = ? AND actor_id = ?`, objectID, actorID))
	return wrapErr(err, "delete reply %s", objectID)
}

// ListReplies returns replies oldest first, as a conversation reads; orgID
// 0 means every organisation.
func (q *queries) ListReplies(ctx context.Context, orgID int64, postID string, status newsroom.ReplyStatus, limit int) ([]newsroom.Reply, error) {
	w := &where{}
	if orgID != 0 {
		w.add(`p.org_id = ?`, orgID)
	}
	if postID != "" {
		w.add(`r.post_id = ?`, postID)
	}
	if status != "" {
		w.add(`r.status = ?`, status)
	}
	rs, err := list(ctx, q.r, scanReply, `
		SELECT `+replyColumns+` FROM replies r JOIN posts p ON p.id = r.post_id`+w.sql()+`
		ORDER BY coalesce(r.published, r.created_at), r.object_id
		LIMIT ?`, append(w.args, sqlLimit(limit))...)
	return rs, wrapErr(err, "list replies")
}

func (q *queries) CountReplies(ctx context.Context, postID string, status newsroom.ReplyStatus) (int, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `
		SELECT count(*) FROM replies WHERE post_id = ? AND (? = '' OR status = ?)`,
		postID, status, status).Scan(&n)
	return n, wrapErr(err, "count replies of post %s", postID)
}

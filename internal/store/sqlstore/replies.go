package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const replyColumns = `r.object_id, r.activity_id, r.post_id, r.actor_id, r.url,
	r.content_html, r.status, r.published, r.created_at`

func (q *Queries) scanReply(row Row) (newsroom.Reply, error) {
	var r newsroom.Reply
	err := row.Scan(&r.ObjectID, &r.ActivityID, &r.PostID, &r.ActorID, &r.URL,
		&r.ContentHTML, &r.Status, q.at(&r.Published), q.at(&r.CreatedAt))
	return r, err
}

// AddReply stores r as pending unless it has a status.
func (q *Queries) AddReply(ctx context.Context, r newsroom.Reply) (bool, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = q.now()
	}
	if r.Status == "" {
		r.Status = newsroom.ReplyPending
	}
	n, err := q.w.Exec(ctx, `
		INSERT INTO replies (object_id, activity_id, post_id, actor_id, url,
			content_html, status, published, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (object_id) DO NOTHING`,
		r.ObjectID, r.ActivityID, r.PostID, r.ActorID, r.URL,
		r.ContentHTML, r.Status, q.time(r.Published), q.time(r.CreatedAt))
	if err != nil {
		return false, q.Wrap(err, "add reply %s", r.ObjectID)
	}
	return n == 1, nil
}

func (q *Queries) ReplyByObjectID(ctx context.Context, objectID string) (*newsroom.Reply, error) {
	r, err := q.scanReply(q.r.QueryRow(ctx,
		`SELECT `+replyColumns+` FROM replies r WHERE r.object_id = ?`, objectID))
	if err != nil {
		return nil, q.Wrap(err, "reply %s", objectID)
	}
	return &r, nil
}

func (q *Queries) SetReplyStatus(ctx context.Context, objectID string, s newsroom.ReplyStatus) error {
	err := mustAffect(q.w.Exec(ctx,
		`UPDATE replies SET status = ? WHERE object_id = ?`, s, objectID))
	return q.Wrap(err, "set status of reply %s", objectID)
}

func (q *Queries) DeleteReply(ctx context.Context, objectID, actorID string) error {
	err := mustAffect(q.w.Exec(ctx,
		`DELETE FROM replies WHERE object_id = ? AND actor_id = ?`, objectID, actorID))
	return q.Wrap(err, "delete reply %s", objectID)
}

// ListReplies returns replies oldest first, as a conversation reads; orgID
// 0 means every organisation.
func (q *Queries) ListReplies(ctx context.Context, orgID int64, postID string, status newsroom.ReplyStatus, offset, limit int) ([]newsroom.Reply, error) {
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
	rs, err := List(ctx, q.r, q.scanReply, `
		SELECT `+replyColumns+` FROM replies r JOIN posts p ON p.id = r.post_id`+w.sql()+`
		ORDER BY coalesce(r.published, r.created_at), r.object_id
		LIMIT ? OFFSET ?`, append(w.args, q.limit(limit), offset)...)
	return rs, q.Wrap(err, "list replies")
}

func (q *Queries) CountReplies(ctx context.Context, postID string, status newsroom.ReplyStatus) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `
		SELECT count(*) FROM replies WHERE post_id = ? AND (? = '' OR status = ?)`,
		postID, status, status).Scan(&n)
	return n, q.Wrap(err, "count replies of post %s", postID)
}

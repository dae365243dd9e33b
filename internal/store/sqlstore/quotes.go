package sqlstore

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

const quoteColumns = `q.id, q.request_id, q.post_id, q.actor_id, q.inbox, q.object_id, q.url,
	q.content_html, q.status, q.created_at, q.decided_at`

func (q *Queries) scanQuote(row Row) (newsroom.Quote, error) {
	var r newsroom.Quote
	err := row.Scan(&r.ID, &r.RequestID, &r.PostID, &r.ActorID, &r.Inbox, &r.ObjectID, &r.URL,
		&r.ContentHTML, &r.Status, q.at(&r.CreatedAt), q.at(&r.DecidedAt))
	return r, err
}

// AddQuote stores r; false when its quoting post was already asked about
// for this post.
func (q *Queries) AddQuote(ctx context.Context, r newsroom.Quote) (bool, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = q.now()
	}
	n, err := q.w.Exec(ctx, `
		INSERT INTO quotes (id, request_id, post_id, actor_id, inbox, object_id, url,
			content_html, status, created_at, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (post_id, object_id) DO NOTHING`,
		r.ID, r.RequestID, r.PostID, r.ActorID, r.Inbox, r.ObjectID, r.URL,
		r.ContentHTML, r.Status, q.time(r.CreatedAt), q.time(r.DecidedAt))
	if err != nil {
		return false, q.Wrap(err, "add quote %s", r.ObjectID)
	}
	return n == 1, nil
}

func (q *Queries) QuoteByID(ctx context.Context, id string) (*newsroom.Quote, error) {
	r, err := q.scanQuote(q.r.QueryRow(ctx,
		`SELECT `+quoteColumns+` FROM quotes q WHERE q.id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "quote %s", id)
	}
	return &r, nil
}

func (q *Queries) QuoteByObject(ctx context.Context, postID, objectID string) (*newsroom.Quote, error) {
	r, err := q.scanQuote(q.r.QueryRow(ctx,
		`SELECT `+quoteColumns+` FROM quotes q WHERE q.post_id = ? AND q.object_id = ?`, postID, objectID))
	if err != nil {
		return nil, q.Wrap(err, "quote of %s by %s", postID, objectID)
	}
	return &r, nil
}

// DecideQuote moves quote id from one status to another; ErrNotFound
// when it is not (or no longer) in from, so that of two editors deciding
// at once only one answers the quoting server.
func (q *Queries) DecideQuote(ctx context.Context, id string, from, to newsroom.QuoteStatus, at time.Time) error {
	err := mustAffect(q.w.Exec(ctx,
		`UPDATE quotes SET status = ?, decided_at = ? WHERE id = ? AND status = ?`,
		to, q.time(at), id, from))
	return q.Wrap(err, "decide quote %s", id)
}

// ListQuotes returns quotes oldest first, of one post or of every post of
// an organisation (postID ""); status "" means any.
func (q *Queries) ListQuotes(ctx context.Context, orgID int64, postID string, status newsroom.QuoteStatus, offset, limit int) ([]newsroom.Quote, error) {
	w := &where{}
	if orgID != 0 {
		w.add(`p.org_id = ?`, orgID)
	}
	if postID != "" {
		w.add(`q.post_id = ?`, postID)
	}
	if status != "" {
		w.add(`q.status = ?`, status)
	}
	rs, err := List(ctx, q.r, q.scanQuote, `
		SELECT `+quoteColumns+` FROM quotes q JOIN posts p ON p.id = q.post_id`+w.sql()+`
		ORDER BY q.created_at, q.id
		LIMIT ? OFFSET ?`, append(w.args, q.limit(limit), offset)...)
	return rs, q.Wrap(err, "list quotes")
}

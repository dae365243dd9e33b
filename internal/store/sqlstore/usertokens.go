package sqlstore

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

const userTokenColumns = `token_hash, user_id, purpose, created_at, expires_at`

func (q *Queries) scanUserToken(row Row) (*newsroom.UserToken, error) {
	var t newsroom.UserToken
	if err := row.Scan(&t.TokenHash, &t.UserID, &t.Purpose, q.at(&t.CreatedAt), q.at(&t.ExpiresAt)); err != nil {
		return nil, err
	}
	return &t, nil
}

func (q *Queries) CreateUserToken(ctx context.Context, t newsroom.UserToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `INSERT INTO user_tokens (`+userTokenColumns+`) VALUES (?, ?, ?, ?, ?)`,
		t.TokenHash, t.UserID, t.Purpose, q.time(t.CreatedAt), q.time(t.ExpiresAt))
	return q.Wrap(err, "create %s token for user %d", t.Purpose, t.UserID)
}

func (q *Queries) UserTokenByHash(ctx context.Context, hash string, purpose newsroom.TokenPurpose, now time.Time) (*newsroom.UserToken, error) {
	t, err := q.scanUserToken(q.r.QueryRow(ctx, `
		SELECT `+userTokenColumns+` FROM user_tokens
		WHERE token_hash = ? AND purpose = ? AND expires_at > ?`, hash, purpose, q.time(now)))
	return t, q.Wrap(err, "%s token", purpose)
}

// ConsumeUserToken deletes with RETURNING, so that the row read is the
// row removed: a second transaction finds nothing to delete.
func (q *Queries) ConsumeUserToken(ctx context.Context, hash string, purpose newsroom.TokenPurpose, now time.Time) (*newsroom.UserToken, error) {
	t, err := q.scanUserToken(q.w.QueryRow(ctx, `
		DELETE FROM user_tokens WHERE token_hash = ? AND purpose = ? AND expires_at > ?
		RETURNING `+userTokenColumns, hash, purpose, q.time(now)))
	return t, q.Wrap(err, "consume %s token", purpose)
}

func (q *Queries) DeleteUserTokens(ctx context.Context, userID int64) error {
	_, err := q.w.Exec(ctx, `DELETE FROM user_tokens WHERE user_id = ?`, userID)
	return q.Wrap(err, "delete tokens of user %d", userID)
}

func (q *Queries) DeleteExpiredUserTokens(ctx context.Context, now time.Time) (int64, error) {
	n, err := q.w.Exec(ctx, `DELETE FROM user_tokens WHERE expires_at <= ?`, q.time(now))
	return n, q.Wrap(err, "delete expired user tokens")
}

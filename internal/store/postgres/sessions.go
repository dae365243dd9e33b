package postgres

import (
	"context"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

func (q *queries) CreateSession(ctx context.Context, s newsroom.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = q.now()
	}
	_, err := q.db.Exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.UserID, s.CSRFToken, tstz(s.CreatedAt), tstz(s.ExpiresAt))
	return wrapErr(err, "create session for user %d", s.UserID)
}

func (q *queries) SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*newsroom.Session, error) {
	var s newsroom.Session
	err := q.db.QueryRow(ctx, `
		SELECT token_hash, user_id, csrf_token, created_at, expires_at
		FROM sessions WHERE token_hash = $1 AND expires_at > $2`,
		hash, now).Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, at(&s.CreatedAt), at(&s.ExpiresAt))
	if err != nil {
		return nil, wrapErr(err, "session")
	}
	return &s, nil
}

func (q *queries) DeleteSession(ctx context.Context, hash string) error {
	_, err := q.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
	return wrapErr(err, "delete session")
}

func (q *queries) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := q.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return wrapErr(err, "delete sessions of user %d", userID)
}

func (q *queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now))
	return n, wrapErr(err, "delete expired sessions")
}

func (q *queries) CreateSetupToken(ctx context.Context, t newsroom.SetupToken) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)`,
		t.TokenHash, tstz(t.ExpiresAt))
	return wrapErr(err, "create setup token")
}

func (q *queries) ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error {
	err := mustAffect(q.db.Exec(ctx, `
		DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2`, hash, now))
	return wrapErr(err, "consume setup token")
}

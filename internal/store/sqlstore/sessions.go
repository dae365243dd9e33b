package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func (q *Queries) CreateSession(ctx context.Context, s newsroom.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = q.now()
	}
	_, err := q.w.Exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.CSRFToken, q.time(s.CreatedAt), q.time(s.ExpiresAt))
	return q.Wrap(err, "create session for user %d", s.UserID)
}

// SessionByTokenHash reads the session, its user and the organisations
// the user edits in one statement: every editor request starts with it.
func (q *Queries) SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*store.Login, error) {
	var l store.Login
	var orgIDs []byte
	s := &l.Session
	u, err := q.scanUser(leadRow{q.r.QueryRow(ctx, `
		SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at,
			(SELECT coalesce(`+q.d.JSONArrayAgg+`(org_id ORDER BY org_id), '[]') FROM user_orgs WHERE user_id = u.id),
			`+qualified("u", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, hash, q.time(now)),
		[]any{&s.TokenHash, &s.UserID, &s.CSRFToken, q.at(&s.CreatedAt), q.at(&s.ExpiresAt), &orgIDs}})
	if err == nil {
		l.User = u
		err = json.Unmarshal(orgIDs, &l.OrgIDs)
	}
	if err != nil {
		return nil, q.Wrap(err, "session")
	}
	return &l, nil
}

func (q *Queries) DeleteSession(ctx context.Context, hash string) error {
	_, err := q.w.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
	return q.Wrap(err, "delete session")
}

func (q *Queries) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := q.w.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return q.Wrap(err, "delete sessions of user %d", userID)
}

func (q *Queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := q.w.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, q.time(now))
	return n, q.Wrap(err, "delete expired sessions")
}

func (q *Queries) CreateSetupToken(ctx context.Context, t newsroom.SetupToken) error {
	_, err := q.w.Exec(ctx, `
		INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)`,
		t.TokenHash, q.time(t.ExpiresAt))
	return q.Wrap(err, "create setup token")
}

func (q *Queries) ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error {
	err := mustAffect(q.w.Exec(ctx, `
		DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ?`, hash, q.time(now)))
	return q.Wrap(err, "consume setup token")
}

func (q *Queries) CheckSetupToken(ctx context.Context, hash string, now time.Time) error {
	var one int
	err := q.r.QueryRow(ctx, `
		SELECT 1 FROM setup_tokens WHERE token_hash = ? AND expires_at > ?`, hash, q.time(now)).Scan(&one)
	return q.Wrap(err, "check setup token")
}

func (q *Queries) DeleteExpiredSetupTokens(ctx context.Context, now time.Time) (int64, error) {
	n, err := q.w.Exec(ctx, `DELETE FROM setup_tokens WHERE expires_at <= ?`, q.time(now))
	return n, q.Wrap(err, "delete expired setup tokens")
}

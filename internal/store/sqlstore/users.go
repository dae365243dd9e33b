package sqlstore

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const userColumns = `id, email, name, password_hash, is_admin, lang, time_zone, created_at, updated_at`

func (q *Queries) scanUser(row Row) (newsroom.User, error) {
	var u newsroom.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.Lang, &u.TimeZone,
		q.at(&u.CreatedAt), q.at(&u.UpdatedAt))
	return u, err
}

func (q *Queries) CreateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := q.w.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash, is_admin, lang, time_zone, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, u.TimeZone, q.time(t), q.time(t)).Scan(&u.ID)
	if err != nil {
		return q.Wrap(err, "create user %q", u.Email)
	}
	u.CreatedAt, u.UpdatedAt = t, t
	return nil
}

func (q *Queries) UpdateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE users SET email = ?, name = ?, password_hash = ?, is_admin = ?, lang = ?,
			time_zone = ?, updated_at = ?
		WHERE id = ?`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, u.TimeZone, q.time(t), u.ID))
	if err != nil {
		return q.Wrap(err, "update user %d", u.ID)
	}
	u.UpdatedAt = t
	return nil
}

func (q *Queries) UserByID(ctx context.Context, id int64) (*newsroom.User, error) {
	u, err := q.scanUser(q.r.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "user %d", id)
	}
	return &u, nil
}

func (q *Queries) UserByEmail(ctx context.Context, email string) (*newsroom.User, error) {
	u, err := q.scanUser(q.r.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(email) = lower(?)`, email))
	if err != nil {
		return nil, q.Wrap(err, "user by email")
	}
	return &u, nil
}

func (q *Queries) ListUsers(ctx context.Context) ([]newsroom.User, error) {
	users, err := List(ctx, q.r, q.scanUser, `SELECT `+userColumns+` FROM users ORDER BY email`)
	return users, q.Wrap(err, "list users")
}

func (q *Queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, q.Wrap(err, "count users")
}

func (q *Queries) SetUserOrgs(ctx context.Context, userID int64, orgIDs []int64) error {
	err := q.WithTx(ctx, func(q *Queries) error {
		if _, err := q.w.Exec(ctx, `DELETE FROM user_orgs WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if len(orgIDs) == 0 {
			return nil
		}
		args := make([]any, 0, 2*len(orgIDs))
		for _, id := range orgIDs {
			args = append(args, userID, id)
		}
		_, err := q.w.Exec(ctx, `INSERT INTO user_orgs (user_id, org_id) VALUES `+
			Values(len(orgIDs), 2)+` ON CONFLICT DO NOTHING`, args...)
		return err
	})
	return q.Wrap(err, "set orgs of user %d", userID)
}

func (q *Queries) UserOrgIDs(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := List(ctx, q.r, scanInt64,
		`SELECT org_id FROM user_orgs WHERE user_id = ? ORDER BY org_id`, userID)
	return ids, q.Wrap(err, "orgs of user %d", userID)
}

package sqlite

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const userColumns = `id, email, name, password_hash, is_admin, lang, created_at, updated_at`

func scanUser(row scanner) (newsroom.User, error) {
	var u newsroom.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.Lang,
		at(&u.CreatedAt), at(&u.UpdatedAt))
	return u, err
}

func (q *queries) CreateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := q.w.QueryRowContext(ctx, `
		INSERT INTO users (email, name, password_hash, is_admin, lang, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, micros(t), micros(t)).Scan(&u.ID)
	if err != nil {
		return wrapErr(err, "create user %q", u.Email)
	}
	u.CreatedAt, u.UpdatedAt = t, t
	return nil
}

func (q *queries) UpdateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := mustAffect(q.w.ExecContext(ctx, `
		UPDATE users SET email = ?, name = ?, password_hash = ?, is_admin = ?, lang = ?,
			updated_at = ?
		WHERE id = ?`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, micros(t), u.ID))
	if err != nil {
		return wrapErr(err, "update user %d", u.ID)
	}
	u.UpdatedAt = t
	return nil
}

func (q *queries) UserByID(ctx context.Context, id int64) (*newsroom.User, error) {
	u, err := scanUser(q.r.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, wrapErr(err, "user %d", id)
	}
	return &u, nil
}

func (q *queries) UserByEmail(ctx context.Context, email string) (*newsroom.User, error) {
	u, err := scanUser(q.r.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(email) = lower(?)`, email))
	if err != nil {
		return nil, wrapErr(err, "user by email")
	}
	return &u, nil
}

func (q *queries) ListUsers(ctx context.Context) ([]newsroom.User, error) {
	users, err := list(ctx, q.r, scanUser, `SELECT `+userColumns+` FROM users ORDER BY email`)
	return users, wrapErr(err, "list users")
}

func (q *queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, wrapErr(err, "count users")
}

func (q *queries) SetUserOrgs(ctx context.Context, userID int64, orgIDs []int64) error {
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.w.ExecContext(ctx, `DELETE FROM user_orgs WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, id := range orgIDs {
			if _, err := q.w.ExecContext(ctx, `
				INSERT INTO user_orgs (user_id, org_id) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, userID, id); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr(err, "set orgs of user %d", userID)
}

func (q *queries) UserOrgIDs(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := list(ctx, q.r, scanInt64,
		`SELECT org_id FROM user_orgs WHERE user_id = ? ORDER BY org_id`, userID)
	return ids, wrapErr(err, "orgs of user %d", userID)
}

func scanInt64(row scanner) (int64, error) {
	var n int64
	err := row.Scan(&n)
	return n, err
}
